"""One sample's detail as HTML: what the model was asked, what it answered, what ran, and what
the toolchain said — the failing check highlighted.

Everything taken from a sample (model text, program, output, notes) is untrusted and is escaped
here, in one place; the browser, the model comparison and the report all render through these
functions.
"""

from __future__ import annotations

import difflib
import html
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from workbench.execution.records import STATUS_IN_WORDS

# The marker the sandbox writes where it dropped the middle of a long output.
_DROPPED = re.compile(r"^\[\.\.\. \d+ bytes not kept \.\.\.\]$")
# "file.c:19:44:" / "line 19" in an error line: the program line it points at.
_LINE_REF = re.compile(r"(?:\.\w+:|[Ll]ine )(\d+)")
# What a comment adds around a line's words ("// ", " * ", "# ", '"""', "*/"): trimmed before a
# line of the program is compared with a line of the task's docstring.
_COMMENT_EDGES = re.compile(r"^\W+|\W+$")

STYLE = """
.wb-detail { font-family: system-ui, sans-serif; font-size: 13px; line-height: 1.4; }
.wb-detail h4 { margin: 12px 0 4px; font-size: 13px; }
.wb-detail pre { background: #f6f8fa; border: 1px solid #ddd; padding: 6px; margin: 0;
  white-space: pre-wrap; word-break: break-word; max-height: 28em; overflow: auto;
  font: 12px/1.35 ui-monospace, Menlo, Consolas, monospace; }
.wb-detail .ln { color: #999; user-select: none; display: inline-block; width: 3.5em; }
.wb-detail .hit { background: #ffe08a; display: block; }
.wb-detail mark.code { background: #dff3df; }
.wb-detail .dropped, .wb-detail .warn { color: #b00; font-weight: bold; }
.wb-detail .facts td { padding: 1px 10px 1px 0; vertical-align: top; }
.wb-detail .facts td:first-child { color: #555; white-space: nowrap; }
.wb-tag { background: #e8eefc; border-radius: 3px; padding: 0 4px; white-space: nowrap; }
.wb-sep { color: #888; }
.wb-detail .diff-u .del { background: #ffaaaa; display: block; }
.wb-detail .diff-u .add { background: #aaffaa; display: block; }
.wb-detail .diff-u .at { color: #777; display: block; }
.wb-detail table.diff { font: 11px ui-monospace, Menlo, Consolas, monospace;
  border-collapse: collapse; }
.wb-detail table.diff td { white-space: pre-wrap; word-break: break-word; vertical-align: top; }
.wb-detail table.diff td { padding: 0 6px 0 2px; min-width: 30em; }
.wb-detail table.diff td.diff_header { color: #999; min-width: 0; text-align: right; }
.wb-detail table.diff .diff_next { display: none; }
.wb-detail .diff_add { background: #aaffaa; } .wb-detail .diff_chg { background: #ffff77; }
.wb-detail .diff_sub { background: #ffaaaa; }
.wb-detail .side { display: flex; gap: 8px; } .wb-detail .side > div { flex: 1; min-width: 0; }
.wb-detail .legend { font-size: 12px; color: #555; margin: 2px 0 4px; }
.wb-detail .wide { overflow-x: auto; max-width: 100%; }
.wb-detail .legend span { padding: 0 4px; border-radius: 2px; color: #222; }
.wb-detail table.checks { border-collapse: collapse; font-size: 12px; }
.wb-detail table.checks td, .wb-detail table.checks th { border-bottom: 1px solid #eee;
  padding: 1px 8px 1px 2px; text-align: left; vertical-align: top; }
.wb-detail table.checks code { white-space: pre-wrap; word-break: break-word; }
.wb-detail table.checks tr.hit { background: #ffe08a; }
.wb-detail .pass { color: #1a7f37; } .wb-detail .fail { color: #b00; font-weight: bold; }
"""


def text(value: Any) -> str:
    """A text field of a row ('' for None, NaN and other missing values)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def flag(value: Any) -> bool:
    """A boolean field of a row (False when missing)."""
    return str(value) == "True"


def esc(value: Any) -> str:
    """``value`` as HTML text, escaped (quotes too: safe inside attributes)."""
    return html.escape(text(value), quote=True)


def plural(count: int, word: str, words: str | None = None) -> str:
    """``1 model``, ``2 models``: a count with its noun in the right number."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


def shorten(value: Any, limit: int) -> str:
    """The first line of ``value``, at most ``limit`` characters, cut at a word boundary and
    ended with "…" when cut (a summary never stops mid-word or mid-line)."""
    lines = [line.strip() for line in text(value).splitlines() if line.strip()]
    first = lines[0] if lines else ""
    if len(first) <= limit and len(lines) <= 1:
        return first
    if len(first) > limit:
        cut = first[: limit + 1].rsplit(" ", 1)[0] if " " in first[:limit] else first[:limit]
        first = cut.rstrip(" ,;:—-")
    return first + "…"


def clip(value: Any, limit: int) -> str:
    """At most ``limit`` characters of ``value``, the cut said."""
    body = text(value)
    if len(body) <= limit:
        return body
    return body[:limit] + f"\n[... {len(body) - limit} more characters in the store ...]"


def _normalised(line: str) -> str:
    return " ".join(line.split())


def check_lines(program: str, failing_check: Any = None, error_line: Any = None) -> set[int]:
    """The program's lines (1-based) the failure points at: lines holding the failing check,
    and the line an error message names when the program has it."""
    lines = program.splitlines()
    found: set[int] = set()
    wanted = _normalised(text(failing_check))
    if wanted:
        found |= {i for i, line in enumerate(lines, 1) if wanted in _normalised(line)}
    if not found:
        for match in _LINE_REF.finditer(text(error_line)):
            number = int(match.group(1))
            if 1 <= number <= len(lines):
                found.add(number)
                break
    return found


def numbered(source: Any, marked: Iterable[int] = ()) -> str:
    """``source`` in a <pre> with line numbers, the ``marked`` lines highlighted."""
    marked = set(marked)
    rows = []
    for number, line in enumerate(text(source).splitlines() or [""], 1):
        body = f'<span class="ln">{number}</span>{esc(line)}'
        rows.append(f'<span class="hit">{body}</span>' if number in marked else body + "\n")
    return "<pre>" + "".join(rows) + "</pre>"


def raw_with_code(raw: Any, code: Any) -> str:
    """The model's raw text in a <pre>, the part taken as code highlighted."""
    raw_text, code_text = text(raw), text(code).strip()
    start = raw_text.find(code_text) if code_text else -1
    if start < 0:
        return f"<pre>{esc(raw_text) or '<i>(empty)</i>'}</pre>"
    end = start + len(code_text)
    return (
        f'<pre>{esc(raw_text[:start])}<mark class="code">{esc(raw_text[start:end])}</mark>'
        f"{esc(raw_text[end:])}</pre>"
    )


def output(value: Any, truncated: bool = False, highlight: Any = None) -> str:
    """Program output in a <pre>: the sandbox's "bytes not kept" marker and ``highlight`` (the
    error line) stand out; a note when the output was cut at its limit."""
    wanted = _normalised(text(highlight))
    rows = []
    for line in text(value).splitlines():
        if _DROPPED.match(line.strip()):
            rows.append(f'<span class="dropped">{esc(line)}</span>\n')
        elif wanted and _normalised(line) == wanted:
            rows.append(f'<span class="hit">{esc(line)}</span>')
        else:
            rows.append(esc(line) + "\n")
    note = '<div class="warn">output truncated at the limit</div>' if truncated else ""
    return note + "<pre>" + ("".join(rows) or "<i>(empty)</i>") + "</pre>"


def diff_legend(left_title: str, right_title: str) -> str:
    """What the colours of ``side_by_side`` mean, in its own titles."""
    return (
        f'<div class="legend"><span class="diff_sub">only in the {esc(left_title)}</span> '
        f'<span class="diff_add">only in the {esc(right_title)}</span> '
        '<span class="diff_chg">changed within a line</span> · changed lines are shown with '
        "three lines around them</div>"
    )


def unified_diff(
    left: Any, right: Any, left_title: str, right_title: str, context: int = 2, limit: int = 60
) -> str:
    """A compact diff of two texts in a <pre>: the changed lines with ``context`` lines around
    them, at most ``limit`` lines (the cut said), under a legend of its colours."""
    lines = list(
        difflib.unified_diff(
            text(left).splitlines(), text(right).splitlines(), n=context, lineterm=""
        )
    )[2:]  # the two file headers: the legend names the sides
    if not lines:
        return f"<p><i>the {esc(left_title)} is the {esc(right_title)}</i></p>"
    rows = []
    for line in lines[:limit]:
        kind = {"-": "del", "+": "add", "@": "at"}.get(line[:1], "")
        rows.append(f'<span class="{kind}">{esc(line)}</span>' if kind else esc(line) + "\n")
    if len(lines) > limit:
        rows.append(f'<span class="dropped">[... {len(lines) - limit} more diff lines ...]</span>')
    legend = (
        f'<div class="legend"><span class="diff_sub">- only in the {esc(left_title)}</span> '
        f'<span class="diff_add">+ only in the {esc(right_title)}</span> · changed lines with '
        f"{context} lines around them</div>"
    )
    return f'{legend}<pre class="diff-u">{"".join(rows)}</pre>'


def side_by_side(left: Any, right: Any, left_title: str, right_title: str) -> str:
    """A side-by-side diff table of two texts (changes with three lines of context), under a
    legend of its colours."""
    table = difflib.HtmlDiff(wrapcolumn=70).make_table(
        text(left).splitlines(),
        text(right).splitlines(),
        esc(left_title),
        esc(right_title),
        context=True,
        numlines=3,
    )
    # In its own horizontal scroll: a wide diff never widens the detail around it.
    table = table.replace('nowrap="nowrap"', "")
    return f'{diff_legend(left_title, right_title)}<div class="wide">{table}</div>'


def _words(line: str) -> str:
    return " ".join(_COMMENT_EDGES.sub("", line).split())


def without_docstring(
    reference: Any, program: Any, task: Mapping[str, Any] | None
) -> tuple[str, bool]:
    """``reference`` without the task's docstring where ``program`` lacks it (a model's answer
    seldom repeats the prompt's comment, and the diff would show it as noise), and whether
    anything was left out. Only lines of the task's prompt are candidates; a docstring line is
    recognised by its words, whatever comment marks the language puts around it, and the lines
    of comment marks and blank lines next to those lines go with them."""
    lines = text(reference).splitlines()
    if task is None:
        return text(reference), False
    prompt = set(text(task.get("prompt")).splitlines())
    doc = {w for w in map(_words, text(task.get("docstring")).splitlines()) if w}
    in_program = {_words(line) for line in text(program).splitlines()}

    def is_doc(line: str) -> bool:
        words = _words(line)
        return line in prompt and bool(words) and words in doc and words not in in_program

    hits = [i for i, line in enumerate(lines) if is_doc(line)]
    drop = set(hits)
    for i in hits:
        for step in (-1, 1):  # comment marks and blank lines next to the docstring
            j = i + step
            while 0 <= j < len(lines) and lines[j] in prompt and _marks_only(lines[j]):
                drop.add(j)
                j += step
    if not drop:
        return text(reference), False
    return "\n".join(line for i, line in enumerate(lines) if i not in drop), True


def _marks_only(line: str) -> bool:
    # No words, and not a bracket of the code ("{", "}", "});"): a comment's opener or closer.
    return not _words(line) and line.strip().rstrip(";") not in ("{", "}", "})", ")", "]")


def facts(row: Mapping[str, Any], fields: Iterable[tuple[str, str]]) -> str:
    """A two-column table of the row's non-empty ``fields`` (label, column)."""
    cells = [
        f"<tr><td>{esc(label)}</td><td>{esc(_shown(row.get(column), column))}</td></tr>"
        for label, column in fields
        if text(row.get(column))
    ]
    return f'<table class="facts">{"".join(cells)}</table>'


def _shown(value: Any, column: str = "") -> Any:
    if column == "status" and str(value) in STATUS_IN_WORDS:  # the verdict said in words too
        return f"{value}: {STATUS_IN_WORDS[str(value)]}"
    return f"{value:.2f}" if isinstance(value, float) else value


def tags_html(tags: Any) -> str:
    """Tags as separate pills, a comma between them (copied as text they stay apart)."""
    items = tags if isinstance(tags, list | tuple) else []
    return '<span class="wb-sep">, </span>'.join(
        f'<span class="wb-tag">{esc(t)}</span>' for t in items
    )


def notes_html(row: Mapping[str, Any]) -> str:
    """The sample's current tags and note with author and time, or ''."""
    tags, note = tags_html(row.get("tags")), esc(row.get("note"))
    if not tags and not note:
        return ""
    who = " — ".join(v for v in (esc(row.get("note_author")), esc(row.get("note_time"))) if v)
    return f"<div>{tags} {note}<br><small>{who}</small></div>"


VERDICT_FIELDS: tuple[tuple[str, str], ...] = (
    ("status", "status"),
    ("cause", "cause"),
    ("detail", "cause_detail"),
    ("error", "error_line"),
    ("failing check", "failing_check"),
    ("expected", "expected"),
    ("actual", "actual"),
    ("miss", "miss"),
    ("reason", "reason"),
    ("extraction", "extraction"),
    ("cluster", "cluster_label"),
    ("compile s", "compile_seconds"),
    ("run s", "run_seconds"),
    ("toolchain", "toolchain_version"),
)


def _present(value: Any) -> bool:
    """A cell that holds a value (not None, NaN or pandas' NA)."""
    return value is not None and str(value) not in ("nan", "<NA>", "NaT")


def generation_and_repair_html(row: Mapping[str, Any]) -> str:
    """What the generation said of the sample (``generated_tokens``, ``token_limit_reached``:
    ``workbench generate``'s outputs), and, where the sample was repaired (``workbench
    repair``), the repairs applied and the verdict after them — the scored verdict above stays
    as it was. '' when there is neither."""
    parts = []
    tokens, limit = row.get("generated_tokens"), row.get("token_limit_reached")
    if _present(tokens) or _present(limit):
        said = f"{esc(tokens)} tokens generated" if _present(tokens) else "generated"
        stop = {"True": "stopped at its token limit", "False": "stopped by itself"}.get(
            str(limit), "stop not recorded"
        )
        parts.append(f"<p>generation: {said}, {stop}</p>")
    repairs = row.get("repairs")
    names = [str(n) for n in repairs] if isinstance(repairs, list | tuple) else []
    if names and _present(row.get("repaired_status")):
        cause = row.get("repaired_cause")
        verdict = esc(row["repaired_status"]) + (f" ({esc(cause)})" if _present(cause) else "")
        parts.append(
            "<h4>after the mechanical repairs (workbench repair; the scored verdict is "
            f'unchanged)</h4><table class="facts"><tr><td>repairs</td><td>'
            f"{esc(', '.join(names))}</td></tr><tr><td>verdict after repair</td>"
            f"<td><b>{verdict}</b></td></tr></table>"
        )
    return "".join(parts)


def sample_html(
    row: Mapping[str, Any],
    task: Mapping[str, Any] | None = None,
    reference: str | None = None,
    task_note: str = "",
) -> str:
    """The full detail of one sample: verdict, notes, instruction, raw text with the extracted
    code, the program that ran (failing check highlighted), its diff with ``reference`` (the
    canonical program), the compile log or stderr, and stdout."""
    program = text(row.get("program"))
    head = (
        f"<h4>{esc(row.get('task_id'))} #{esc(row.get('sample_index'))} · "
        f"{esc(row.get('model'))} · {esc(row.get('task'))} · {esc(row.get('language'))}</h4>"
    )
    parts = [
        head,
        facts(row, VERDICT_FIELDS),
        generation_and_repair_html(row),
        notes_html(row),
        checks_html(row),
    ]
    if task is not None:
        parts += ["<h4>instruction</h4>", f"<pre>{esc(task.get('instruction'))}</pre>"]
    elif task_note:
        parts.append(f"<p><i>{esc(task_note)}</i></p>")
    parts += [answer_html(row), program_html(row)]
    if reference is not None:
        shown, trimmed = without_docstring(reference, program, task)
        title = "canonical program" + (" (its docstring left out)" if trimmed else "")
        parts += [
            "<h4>diff with the canonical solution</h4>",
            side_by_side(program, shown, "program that ran", title),
        ]
    parts.append(outputs_html(row))
    return f'<div class="wb-detail"><style>{STYLE}</style>{"".join(parts)}</div>'


def answer_html(row: Mapping[str, Any]) -> str:
    """The model's raw answer, the code taken from it highlighted."""
    return "<h4>model's answer (the extracted code highlighted)</h4>" + raw_with_code(
        row.get("raw_generation"), row.get("code")
    )


def program_html(row: Mapping[str, Any]) -> str:
    """The program that ran, numbered, the failing check (or the line the error names)
    highlighted."""
    program = text(row.get("program"))
    marked = check_lines(program, row.get("failing_check"), row.get("error_line"))
    return "<h4>program that ran (the failing check highlighted)</h4>" + numbered(program, marked)


def outputs_html(row: Mapping[str, Any]) -> str:
    """What the toolchain said: the compile log (a compile failure) or stderr, then stdout,
    the error line highlighted in both."""
    step = "compile log" if text(row.get("reason")).startswith("compile step") else "stderr"
    truncated = flag(row.get("output_truncated"))
    return (
        f"<h4>{step}</h4>"
        + output(row.get("stderr"), truncated, row.get("error_line"))
        + "<h4>stdout</h4>"
        + output(row.get("stdout"), truncated, row.get("error_line"))
    )


def checks_label(row: Mapping[str, Any]) -> str:
    """``k/n``: how many of the sample's checks passed, of those its instrumented run judged
    (docs/checks.md); '' when its checks were not opened."""
    total = row.get("checks_total")
    if total is None or pd.isna(total):
        return ""
    return f"{int(row.get('checks_passed') or 0)}/{int(total)}"


def checks_html(row: Mapping[str, Any]) -> str:
    """The sample's checks, every one its instrumented run judged (``checks``: dicts of
    ``CHECK_COLUMNS``), as a table — ✓ or ✗, the check's source, expected and actual — with the
    first failing check highlighted; the run's note when it read none; '' when its checks were
    not opened."""
    checks = row.get("checks")
    label = checks_label(row)
    if not isinstance(checks, list | tuple) or not checks:
        note = text(row.get("checks_note"))
        return f"<h4>every check</h4><p><i>{esc(note)}</i></p>" if label and note else ""
    first = next((i for i, c in enumerate(checks) if not c.get("passed")), None)
    lines = []
    for i, check in enumerate(checks):
        mark = (
            '<span class="pass">✓</span>' if check.get("passed") else '<span class="fail">✗</span>'
        )
        actual = esc(check.get("actual"))
        if check.get("raised"):
            actual = f"<i>raised:</i> {actual}"
        hit = ' class="hit"' if i == first else ""
        lines.append(
            f"<tr{hit}><td>{mark}</td>"
            f"<td><code>{esc(check.get('check_source'))}</code></td>"
            f"<td><code>{esc(check.get('expected'))}</code></td><td><code>{actual}</code></td></tr>"
        )
    return (
        f"<h4>every check: {esc(label)} passed (the first failing one highlighted)</h4>"
        '<table class="checks"><tr><th></th><th>check</th><th>expected</th><th>actual</th></tr>'
        f"{''.join(lines)}</table>"
    )
