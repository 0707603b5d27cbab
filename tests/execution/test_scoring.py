"""Scorers of the languages judged by comparison (workbench/execution/scoring/, docs/scoring.md):
JSON structure, normalised HTML DOM, normalised Markdown text, AWK output.

Each scorer: every reference answer passes, a perturbed answer fails with a useful reason, and the
error statuses are right (invalid JSON -> compile_error, an endless awk -> timeout)."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from workbench.execution.execute import execute
from workbench.execution.records import Program
from workbench.execution.scoring.awk_output import order_free
from workbench.execution.scoring.html_tree import html_lines, html_tree
from workbench.execution.scoring.json_equal import json_differences, parse_json
from workbench.execution.scoring.markdown_text import markdown_lines, markdown_variants
from workbench.inputs.tasks import load_tasks
from workbench.programs.assemble import build_program, reference_answer
from workbench.registry.languages import get_language

# --------------------------------------------------------------------------- pure normalisation


def test_json_differences_are_structural():
    assert json_differences({"a": 1, "b": [1, 2]}, {"b": [1, 2.0], "a": 1}) == []
    assert json_differences({"a": 1}, {"a": True}) == ["$.a: expected number 1, got boolean true"]
    assert json_differences({"a": [1, 2]}, {"a": [1]}) == ["$.a: expected 2 items, got 1"]
    assert json_differences({"a": 1}, {"a": 1, "b": 2}) == ['$: unexpected key "b"']
    assert json_differences({"x y": "s"}, {}) == ['$: missing key "x y"']


def test_parse_json_is_strict():
    assert parse_json('\ufeff {"a": 1}\n') == {"a": 1}
    for bad in ('{"a": NaN}', "{'a': 1}", '{"a": 1,}', '{"a": 1} // note', ""):
        with pytest.raises(ValueError):
            parse_json(bad)


def _same_html(a: str, b: str) -> bool:
    return html_lines(html_tree(a)) == html_lines(html_tree(b))


def test_html_normalisation():
    # Case of tag names, attribute order and quoting, whitespace between tags, comments, doctype.
    assert _same_html(
        '<P CLASS="b a" id=x>Hi <B>there</B></P>',
        "<!DOCTYPE html>\n<!-- note -->\n<p id='x' class='a  b'>\n  Hi\n  <b>there</b>\n</p>\n",
    )
    # The document wrapper: head dropped, html/body unwrapped.
    assert _same_html(
        "<html><head><title>T</title></head><body><h1>A</h1></body></html>", "<h1>A</h1>"
    )
    # Optional closing tags and an implied tbody.
    assert _same_html(
        "<ul><li>a<li>b</ul><p>x<p>y",
        "<ul><li>a</li><li>b</li></ul><p>x</p><p>y</p>",
    )
    assert _same_html(
        "<table><tr><td>1<td>2</table>",
        "<table><tbody><tr><td>1</td><td>2</td></tr></tbody></table>",
    )
    # Void elements, XHTML style, entities, boolean attributes.
    assert _same_html('<p>a<br/>b<img src="x" /></p>', '<p>a<br>b<img src="x"></p>')
    assert _same_html("<p>&lt;tag&gt; &amp;</p>", "<p>&#60;tag&#62; &</p>")
    assert _same_html('<input disabled="disabled">', "<input disabled>")
    # Differences that stay differences.
    assert not _same_html("<p>a b</p>", "<p>ab</p>")
    assert not _same_html("<p>a&nbsp;b</p>", "<p>a b</p>")  # U+00A0 is not HTML whitespace
    assert not _same_html('<a href="x">A</a>', '<a href="y">A</a>')
    assert not _same_html("<h1>A</h1>", "<h2>A</h2>")
    assert not _same_html("<pre>a\n  b</pre>", "<pre>a\nb</pre>")  # <pre> keeps its spaces


def test_markdown_normalisation():
    assert markdown_lines("\n# T\r\n\r\ntext   \r\n\n\n") == ["# T", "", "text"]
    # Two trailing spaces before a line in the same paragraph are a hard break: they stay.
    assert markdown_lines("a   \nb") == ["a  ", "b"]
    assert markdown_lines("a \nb") == ["a", "b"]
    # A fence left open at the end is closed, as CommonMark does.
    assert markdown_lines("```json\n{}") == ["```json", "{}", "```"]
    assert markdown_lines("Say ```x``` now") == ["Say ```x``` now"]  # inline, not a fence
    # The answer's own fence is a second variant; a fence that is content stays.
    assert markdown_variants("```markdown\n# T\n```") == [["```markdown", "# T", "```"], ["# T"]]
    assert markdown_variants("```json\n{}\n```") == [["```json", "{}", "```"]]


def test_order_free_only_for_unsorted_for_in():
    assert order_free("awk '{a[$1]++} END {for (k in a) print k, a[k]}' f")
    assert not order_free("awk '{a[$1]++} END {for (k in a) print k}' f | sort")
    assert not order_free("awk '{print $1}' f")


# --------------------------------------------------------------------------- data-driven


@pytest.fixture(scope="module")
def tasks(mceval_dir) -> dict[str, dict]:
    frame = load_tasks(mceval_dir, languages=["AWK", "HTML", "JSON", "Markdown"])
    return {row["task_id"]: row for row in frame.to_dict("records")}


def _execute(task: dict, answer: str, limits=None):
    language = get_language(task["language"])
    program = build_program(task, answer)
    support = Path(task["support_dir"]) if task.get("support_dir") else None
    canonical = task.get("canonical_solution")
    reference = canonical if isinstance(canonical, str) else None
    result = execute(Program(language.name, program, support, task["task_id"], reference), limits)
    return result


@pytest.mark.parametrize("language", ["HTML", "JSON", "Markdown"])
def test_every_markup_reference_passes(tasks, language):
    failing = []
    for task in tasks.values():
        if task["language"] != language:
            continue
        result = _execute(task, reference_answer(task))
        if result.status != "passed":
            failing.append(f"{task['task_id']}: {result.status} {result.reason}")
    assert not failing, "\n".join(failing)


def test_json_changed_value_fails(tasks):
    task = tasks["JSON/1"]
    data = parse_json(reference_answer(task))
    assert _execute(task, json.dumps(data, indent=1)).status == "passed"  # layout is free
    data["name"] = data["name"] + "x"
    result = _execute(task, json.dumps(data))
    assert result.status == "failed"
    assert "$.name" in result.reason


def test_invalid_json_is_compile_error(tasks):
    result = _execute(tasks["JSON/1"], '{"name": "cainiao",}')
    assert result.status == "compile_error"
    assert "invalid JSON" in result.reason and "line 1" in result.reason


def test_html_missing_element_fails(tasks):
    task = tasks["HTML/9"]  # an ordered list of four items
    reference = reference_answer(task)
    whole = f"<!DOCTYPE html>\n<html>\n<head><title>List</title></head>\n<body>\n{reference}\n</body>\n</html>"
    assert _execute(task, whole).status == "passed"
    missing = reference.replace("<li>Second item</li>", "")
    assert missing != reference
    result = _execute(task, missing)
    assert result.status == "failed"
    assert "Second item" in result.reason


def test_markdown_changed_line_fails_and_own_fence_passes(tasks):
    task = tasks["Markdown/7"]
    reference = reference_answer(task)
    assert _execute(task, f"```markdown\n{reference}\n```").status == "passed"
    assert _execute(task, reference.replace("\n", "\r\n") + "  \n\n").status == "passed"
    result = _execute(task, reference.replace("Third item", "Third  item"))
    assert result.status == "failed"
    assert "Third" in result.reason


def test_markdown_reference_with_fence_passes_after_extraction(tasks):
    """A ```markdown answer with a fenced block inside: extraction stops at the inner closing
    fence; the open block left at the end is closed again, so the answer still matches."""
    from workbench.programs.extract import extract_code

    task = tasks["Markdown/48"]
    raw = f"Here it is:\n\n```markdown\n{reference_answer(task)}\n```\n"
    code = extract_code(raw, get_language("Markdown")).code
    assert _execute(task, code).status == "passed"


# --------------------------------------------------------------------------- AWK

needs_awk = pytest.mark.skipif(
    shutil.which("awk") is None or shutil.which("bash") is None, reason="awk/bash not installed"
)


@pytest.mark.slow
@needs_awk
def test_every_awk_canonical_passes(tasks):
    awk = [task for task in tasks.values() if task["language"] == "AWK"]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda t: _execute(t, t["canonical_solution"]), awk))
    failing = [
        f"{task['task_id']}: {result.status} {result.reason}"
        for task, result in zip(awk, results, strict=True)
        if result.status != "passed"
    ]
    assert not failing, "\n".join(failing)
    assert len(awk) >= 50


@needs_awk
def test_awk_data_paths_of_the_prompts_resolve(tasks):
    """The five tasks whose inputs the prompts call data/AWK/... (the official evaluator fails
    them): they print real output here, not an error."""
    for task_id in ("AWK/3", "AWK/5", "AWK/6", "AWK/7", "AWK/11"):
        result = _execute(tasks[task_id], tasks[task_id]["canonical_solution"])
        assert result.status == "passed", (task_id, result.reason)
        assert result.stdout.strip() and not result.stderr.strip(), task_id


@needs_awk
def test_awk_equivalent_command_passes_and_different_fails(tasks):
    task = tasks["AWK/1"]  # users whose shell is /bin/bash, from the bundled /etc/passwd
    assert (
        _execute(task, "awk -F: '$NF == \"/bin/bash\" {print $1}' /etc/passwd").status == "passed"
    )
    assert _execute(task, "grep ':/bin/bash$' /etc/passwd | cut -d: -f1").status == "passed"
    result = _execute(task, "awk -F: '$7 == \"/bin/sh\" {print $1}' /etc/passwd")
    assert result.status == "failed"
    assert "root" in result.reason


@needs_awk
def test_awk_unordered_for_in_output(tasks):
    task = tasks["AWK/2"]  # shell counts printed in awk's for-in order
    answer = "awk -F: '{c[$NF]++} END {for (s in c) print s, c[s]}' /etc/passwd | sort -r"
    assert _execute(task, answer).status == "passed"
    assert _execute(task, answer.replace("c[s]}", "c[s]+1}")).status == "failed"


@needs_awk
def test_awk_error_statuses(tasks):
    task = tasks["AWK/15"]
    assert _execute(task, "awk 'END {print NR' /etc/passwd").status == "compile_error"
    missing = _execute(task, "awk 'END {print NR}' /no/such/file")
    assert missing.status == "runtime_error"
    assert "no/such/file" in missing.reason
    limits = get_language("AWK").limits.scaled(run_timeout=2.0)
    loop = _execute(task, "awk 'BEGIN{while(1){}}'", limits)
    assert loop.status == "timeout", loop.reason
