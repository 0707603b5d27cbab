"""Why a non-passing execution failed: a cause from a small fixed vocabulary (``CAUSES``), more
specific than its status, with the raw class, the first relevant error line and, for wrong
answers, the failing check and the values it compared.

The knowledge is data: each language's ``[[causes]]`` tables in ``workbench/registry/<lang>.toml``
and the shared ones in ``_defaults.toml`` (signals, "Segmentation fault", the JVM's and .NET's
exception classes). ``explain`` only applies them; it never branches on a language. What each
cause means and how rules are written: docs/causes.md.
"""

from __future__ import annotations

import math
import re
import signal as signals
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from workbench.errors import UnknownLanguageError
from workbench.execution.answer_causes import answer_cause
from workbench.execution.records import (
    CAUSE_COLUMNS,
    CAUSES,
    COMPILE_CAUSES,
    LIMIT_CAUSES,
    MACHINE_STATUSES,
    RUNTIME_CAUSES,
    Status,
)
from workbench.registry.languages import CauseRule, Language, get_language

__all__ = [
    "CAUSES",
    "CAUSE_COLUMNS",
    "COMPILE_CAUSES",
    "RUNTIME_CAUSES",
    "Cause",
    "explain",
    "explain_frame",
    "extraction_failure",
]

MAX_FIELD = 500  # characters kept of a line or value: a huge printed list is not a cause

# A line worth showing when no rule names the error: the first that sounds like one.
_ERRORISH = re.compile(
    r"error|exception|fail|fatal|panic|abort|undefined|not found|killed|cannot|can't|invalid|"
    r"unexpected|denied|usage:",
    re.IGNORECASE,
)
_STEP = re.compile(r"^(compile|run) step\b")
# Lines of code, as opposed to prose (used to tell an answer that is only text).
_CODE_LINE = re.compile(
    r"[;{}=<>\[\]$]|^\s*(?:#|//|--|;;|%)|^\s*(?:def|fn|func|function|class|import|from|return|"
    r"public|private|static|int|void|let|var|const|local|proc|sub|module|package|use|begin|end|"
    r"if|for|while|echo|print|printf|puts|defun|define)\b|\w\(.*\)\s*:?\s*$"
)
_WORDS = re.compile(r"[A-Za-z][A-Za-z'’-]*")


@dataclass(frozen=True)
class Cause:
    """Why one execution did not pass. ``cause`` is None for a passing one."""

    cause: str | None = None  # one of CAUSES
    cause_detail: str | None = None  # the raw class: IndexError, SIGSEGV, error code, ...
    error_line: str | None = None  # the first relevant error line, as printed
    failing_check: str | None = None  # wrong answers: the assertion or test line that failed
    expected: str | None = None  # where the test prints them
    actual: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        """The cause as the result columns ``CAUSE_COLUMNS``."""
        return asdict(self)


NO_CAUSE = Cause()


def _text(value: Any) -> str:
    """A text field of a result row ('' for None, NaN and other missing values)."""
    return value if isinstance(value, str) else ""


def _number(value: Any) -> int | None:
    if value is None or isinstance(value, str):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else int(number)


def _clip(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    return value if len(value) <= MAX_FIELD else value[: MAX_FIELD - 1] + "…"


def _line_at(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start : end if end >= 0 else len(text)]


def _first_error_line(*texts: str) -> str | None:
    lines = [line for text in texts for line in text.splitlines() if line.strip()]
    for line in lines:
        if _ERRORISH.search(line):
            return line
    return lines[0] if lines else None


def _signal_name(number: int | None) -> str | None:
    if number is None:
        return None
    try:
        return signals.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _step(row: Mapping[str, Any]) -> str | None:
    reason = _text(row.get("reason"))
    found = _STEP.match(reason)
    if found:
        return found.group(1)
    return "run" if reason.startswith("output matches /") else None


def _is_prose(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return False
    code = sum(1 for line in lines if _CODE_LINE.search(line))
    sentences = sum(1 for line in lines if len(_WORDS.findall(line)) >= 4)
    return sentences > 0 and code <= 0.2 * len(lines)


def extraction_failure(row: Mapping[str, Any]) -> str | None:
    """Why no usable code came out of the model's text, or None when some did.

    - the answer (or a completion) is empty, or the extracted code is;
    - the answer has no fence and reads as prose: at most a fifth of its lines look like code;
    (A block tagged for another language is the answer's language, not a failure to extract:
    ``answer_causes.wrong_language``.)
    """
    method = _text(row.get("extraction"))
    code = _text(row.get("code"))
    if method == "completion":
        return "empty completion" if not code.strip() else None
    raw = _text(row.get("raw_generation"))
    if not raw.strip():
        return "empty answer"
    if not code.strip():
        return "no code in the answer"
    if method == "bare" and _is_prose(code):
        return "prose without code"
    return None


def _normalised(line: str) -> str:
    return " ".join(line.split())


def _in_answer(program: str, code: str, line_number: int | None, check: str | None) -> bool:
    """True when the failing check is a line of the model's answer, not of the test: the
    program's lines around it (one either side) are consecutive lines of the answer too."""
    lines = program.splitlines()
    if line_number is None and check:
        wanted = _normalised(check)
        hits = [i + 1 for i, line in enumerate(lines) if wanted and wanted in _normalised(line)]
        line_number = hits[0] if len(hits) == 1 else None
    if line_number is None or not 1 <= line_number <= len(lines) or not code.strip():
        return False
    window = [_normalised(line) for line in lines[max(0, line_number - 2) : line_number + 1]]
    window = [line for line in window if line]
    answer = [_normalised(line) for line in code.splitlines() if line.strip()]
    size = len(window)
    return size > 0 and any(answer[i : i + size] == window for i in range(len(answer) - size + 1))


def _applies(rule: CauseRule, status: str, step: str | None, signal: int | None) -> bool:
    if rule.status and status not in rule.status:
        return False
    if rule.step is not None and step is not None and rule.step != step:
        return False
    return rule.signal is None or rule.signal == signal


def _group(match: re.Match[str], name: str) -> str | None:
    if name not in match.re.groupindex:
        return None
    return match.group(name)


def _from_rule(
    rule: CauseRule, match: re.Match[str] | None, text: str, row: Mapping[str, Any]
) -> Cause:
    detail = rule.detail
    error_line = check = expected = actual = None
    check_line: int | None = None
    if match is not None:
        detail = _group(match, "detail") or detail
        start = match.start("error") if _group(match, "error") is not None else match.start()
        error_line = _line_at(text, start)
        check = _group(match, "check")
        program_lines = _text(row.get("program")).splitlines()
        number = _group(match, "check_line")
        if number and number.isdigit():
            check_line = int(number)
            if check is None and 1 <= check_line <= len(program_lines):
                check = program_lines[check_line - 1]
        printed = _group(match, "check_text")
        if printed and check is None:
            # The test printed this text: the check is the program line that prints it.
            wanted = _normalised(printed)
            for number, line in enumerate(program_lines, 1):
                if wanted in _normalised(line):
                    check, check_line = line, number
                    break
        expected, actual = _group(match, "expected"), _group(match, "actual")
    cause = rule.cause
    status = _text(row.get("status"))
    if status in LIMIT_CAUSES:
        cause = status  # the limit is the cause; the rule only says what hit it
    elif cause in ("wrong_answer", "assertion_in_answer") and _in_answer(
        _text(row.get("program")), _text(row.get("code")), check_line, check
    ):
        cause = "assertion_in_answer"
    if detail is None and rule.signal is not None:
        detail = _signal_name(rule.signal)
    return Cause(
        cause=cause,
        cause_detail=_clip(detail),
        error_line=_clip(error_line),
        failing_check=_clip(check),
        expected=_clip(expected),
        actual=_clip(actual),
    )


def _first_match(
    rules: Iterable[CauseRule],
    texts: dict[str, str],
    status: str,
    step: str | None,
    signal: int | None,
) -> tuple[CauseRule, re.Match[str] | None, str] | None:
    """The rule whose pattern matches earliest in the output (then in the reason); ties go to
    the rule listed first. Rules without a pattern (signals) come after every textual match."""
    best: tuple[tuple[int, int, int], CauseRule, re.Match[str] | None, str] | None = None
    for order, rule in enumerate(rules):
        if not _applies(rule, status, step, signal):
            continue
        text = texts[rule.text]
        if rule.pattern is None:
            key, match = (2, 0, order), None
        else:
            match = rule.pattern.search(text)
            if match is None:
                continue
            key = (0 if rule.text == "output" else 1, match.start(), order)
        if best is None or key < best[0]:
            best = (key, rule, match, text)
    return None if best is None else best[1:]


def explain(row: Mapping[str, Any]) -> Cause:
    """The cause of one result row (a mapping with ``language``, ``status``, ``reason``,
    ``stdout``, ``stderr``, ``exit_code``, ``signal``, ``extraction``, ``code``,
    ``raw_generation``, ``program``, optionally ``token_limit_reached``): derived from what the
    toolchain printed through the language's registry rules, then from what the answer itself
    shows (``answer_causes``: another language, cut off, an echo, extra code), so it can be
    recomputed for stored rows without running them."""
    cause = _from_output(row)
    if cause.cause in (None, "extraction_failed", *MACHINE_STATUSES):
        return cause
    return answer_cause(row, cause)


def _from_output(row: Mapping[str, Any]) -> Cause:
    status = _text(row.get("status"))
    if status == Status.PASSED:
        return NO_CAUSE
    reason = _text(row.get("reason"))
    if status in MACHINE_STATUSES:
        return Cause(cause=status, error_line=_clip(reason.splitlines()[0] if reason else None))
    stderr, stdout = _text(row.get("stderr")), _text(row.get("stdout"))
    failure = extraction_failure(row)
    if failure is not None:
        # What the toolchain made of the text is kept as evidence.
        return Cause(
            cause="extraction_failed",
            cause_detail=failure,
            error_line=_clip(_first_error_line(stderr, stdout)),
        )
    # A limit's own kill (SIGKILL at a timeout, SIGXFSZ) says nothing about the program.
    signal = None if status in LIMIT_CAUSES else _number(row.get("signal"))
    step = _step(row)
    try:
        language: Language | None = get_language(_text(row.get("language")))
    except UnknownLanguageError:
        language = None
    if language is not None:
        texts = {"output": stderr + "\n" + stdout, "reason": reason}
        found = _first_match(language.causes, texts, status, step, signal)
        if found is not None:
            return _from_rule(*found, row)
    error_line = _clip(_first_error_line(stderr, stdout))
    if status in LIMIT_CAUSES:
        return Cause(cause=status, cause_detail=f"{step} step" if step else None)
    if status == Status.FAILED:
        return Cause(cause="wrong_answer", error_line=error_line)
    detail = _signal_name(signal)
    if status in (Status.COMPILE_ERROR, Status.RUNTIME_ERROR) and (error_line or detail):
        other = "other_compile" if status == Status.COMPILE_ERROR else "other_runtime"
        return Cause(cause=other, cause_detail=detail, error_line=error_line)
    # Nothing printed and no signal: no evidence to name a cause from.
    exit_code = _number(row.get("exit_code"))
    return Cause(
        cause="unknown",
        cause_detail=f"exit code {exit_code}" if exit_code is not None else None,
        error_line=_clip(reason.splitlines()[0] if reason else None),
    )


def explain_frame(results: pd.DataFrame) -> pd.DataFrame:
    """``explain`` for every row of a results table: the ``CAUSE_COLUMNS``, on its index."""
    if results.empty:
        return pd.DataFrame(columns=list(CAUSE_COLUMNS), index=results.index, dtype=object)
    records = [explain(row).as_dict() for row in results.to_dict("records")]
    return pd.DataFrame(records, index=results.index, columns=list(CAUSE_COLUMNS), dtype=object)
