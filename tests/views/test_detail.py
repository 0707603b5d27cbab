"""The detail of one sample: its diff with the canonical solution says what its colours mean and
leaves out the task's docstring the answer did not repeat (a real C output against McEval's C/2,
and the other languages' prompts)."""

from __future__ import annotations

import re

import pytest

from workbench.inputs.samples import load_samples
from workbench.inputs.tasks import load_tasks
from workbench.paths import shared_path
from workbench.programs.assemble import canonical_program
from workbench.programs.prepare import prepare
from workbench.views.detail import sample_html, side_by_side, without_docstring


@pytest.fixture(scope="module")
def c2(mceval_dir):
    """The official example output for C/2 (generation), prepared, and its task."""
    try:
        outputs = shared_path("model-outputs", "mceval-examples", "generation", "C.jsonl")
    except Exception as exc:  # InputError: the shared folder is not there
        pytest.skip(str(exc))
    tasks = load_tasks(mceval_dir, languages=["C"])
    samples = load_samples(outputs, model="mceval-example")
    row = prepare(samples[samples["task_id"] == "C/2"], tasks).iloc[0].to_dict()
    task = tasks.set_index("task_id").loc["C/2"].to_dict() | {"task_id": "C/2"}
    return row, task


def diff_text(html: str) -> str:
    """The text of the diff table, its markup and no-break spaces undone."""
    start = html.index('<table class="diff"')
    table = html[start : html.index("</table>", start)]
    return re.sub(r"<[^>]+>", "", table).replace("&nbsp;", " ")


def test_the_diff_has_a_legend_in_its_own_words():
    html = side_by_side("a\nb\n", "a\nc\n", "program that ran", "canonical program")
    legend = html[: html.index("<table")]
    assert '<span class="diff_sub">only in the program that ran</span>' in legend
    assert '<span class="diff_add">only in the canonical program</span>' in legend
    assert '<span class="diff_chg">changed within a line</span>' in legend


def test_the_canonical_sides_docstring_is_left_out_when_the_answer_lacks_it(c2):
    row, task = c2
    reference = canonical_program(task)
    assert "Calculate the area of a triangle given its three sides." in reference
    assert "three sides" not in row["program"]  # the model did not repeat the comment
    html = sample_html(row, task, reference)
    table = diff_text(html)
    assert "canonical program (its docstring left out)" in html
    for docstring_line in ("given its three sides", "Length of side", "&gt;&gt;&gt;"):
        assert docstring_line not in table, docstring_line
    assert not re.search(r"^\s*\d*\s*(/\*|\*/)\s*$", table, re.M)  # nor the comment's marks
    # What differs in the code is still there, on both sides.
    assert "round(area * 100) / 100" in table and "(a + b + c) / 2.0" in table


def test_a_docstring_the_program_repeats_stays_on_both_sides(c2):
    _, task = c2
    reference = canonical_program(task)
    shown, trimmed = without_docstring(reference, reference, task)
    assert (shown, trimmed) == (reference, False)
    assert without_docstring(reference, "", None) == (reference, False)


@pytest.mark.parametrize("language", ["Python", "Kotlin", "Pascal", "Rust", "Shell", "Haskell"])
def test_docstrings_go_whatever_comment_marks_the_language_uses(mceval_dir, language):
    tasks = load_tasks(mceval_dir, languages=[language]).head(5).to_dict("records")
    for task in tasks:
        reference = canonical_program(task)
        shown, trimmed = without_docstring(reference, task["canonical_solution"], task)
        assert trimmed, task["task_id"]
        kept = shown.splitlines()
        # Every line of the canonical solution and the test is still there, in order.
        body = [line for line in reference.splitlines() if line not in task["prompt"]]
        assert [line for line in kept if line in body] == body, task["task_id"]
        assert len(kept) < len(reference.splitlines())
