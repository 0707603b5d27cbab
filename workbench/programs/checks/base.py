"""What every technique shares: the sites (the checks of a test, in source order), the rewritten
program with its sites, the reporting protocol the helpers print, and the text rewrite used by
all techniques but Python's (which finds its checks with ``ast``).

The protocol: each executed check prints one record on the standard error (Go's test runner
relays it on the standard output), ``STX "wbc" US site US verdict [US expected US actual] ETX``,
where ``site`` is the check's index in the test (or ``L<n>``, the program line a Rust macro
reports), and the verdict is ``P`` (passed), ``F`` (failed), ``E`` (raised: the error is the
actual value) or ``B`` (begun, printed before a check whose crash cannot be caught, C and C++:
a ``B`` never followed by its verdict is a check that crashed the program). Helpers stop
evaluating checks after ``MAX_CHECKS`` and clip each printed value to ``MAX_VALUE`` characters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workbench.programs.checks.scan import (
    Found,
    Split,
    Syntax,
    find_checks,
    line_of,
    one_line,
    split_args,
    split_condition,
    trim,
)
from workbench.registry.languages import CheckSpec

MAX_CHECKS = 200  # checks judged per sample; later ones are skipped (docs/checks.md)
MAX_VALUE = 200  # characters printed of an expected or actual value
START, SEP, END = "\x02", "\x1f", "\x03"
TAG = "wbc"


@dataclass(frozen=True)
class Site:
    """One check as written in the test."""

    index: int  # order in the test, from 0
    line: int  # 1-based line in the test
    source: str  # the check's text on one line
    form: str  # compare, close or condition (scan.Split)
    op: str | None = None  # the comparison: ==, ===, strcmp, equals, Equal, InDelta …
    call: str | None = None  # the source of the compared actual value: ``f([1, 2], 0)``


@dataclass(frozen=True)
class Instrumented:
    """A program whose test reports every check, and the checks it can report."""

    source: str
    sites: tuple[Site, ...]
    technique: str
    test_line: int = 1  # the program line the test starts on (Rust's records name lines)


@dataclass(frozen=True)
class Check:
    """A check found in the text of a test: where it is and what it compares, with spans that
    index the test. ``args`` are the call's arguments (``call`` forms), ``cond`` the condition."""

    site: Site
    found: Found
    cond: tuple[int, int]
    split: Split
    args: tuple[tuple[int, int], ...] = ()


def text_checks(test: str, spec: CheckSpec, syntax: Syntax) -> list[Check]:
    """The checks of ``test`` that the spec's forms name, with their comparisons read."""
    checks = []
    for found in find_checks(test, spec, syntax):
        cond, split, args = _read(test, found, spec, syntax)
        start = found.span[0]
        site = Site(
            index=len(checks),
            line=line_of(test, start),
            source=one_line(test[start : found.span[1]]),
            form=split.form,
            op=split.op,
            call=one_line(operand(test, split.actual)) or None,
        )
        checks.append(Check(site, found, cond, split, args))
    return checks


def _shift(split: Split, offset: int) -> Split:
    def move(span):
        return None if span is None else (span[0] + offset, span[1] + offset)

    return Split(split.form, split.op, move(split.actual), move(split.expected))


def _read(test: str, found: Found, spec: CheckSpec, syntax: Syntax):
    """The condition's span, its comparison and the call's argument spans (all in ``test``)."""
    start, end = found.condition
    args = tuple((start + s, start + e) for s, e in split_args(test[start:end], syntax))
    values = args
    if found.skip_args and values and test[values[0][0] : values[0][1]] in found.skip_args:
        values = values[1:]
    if found.args in ("actual_expected", "expected_actual", "close") and len(values) >= 2:
        first, second = values[0], values[1]
        actual, expected = (first, second) if found.args == "actual_expected" else (second, first)
        form = "close" if found.args == "close" else "compare"
        return (start, end), Split(form, found.name, actual, expected), args
    if found.kind == "call" and values:
        start, end = values[0]
    if found.args in ("true", "false"):
        return (start, end), Split("condition", found.args), args
    cond = trim(test, (start, end))
    split = _shift(split_condition(test[cond[0] : cond[1]], spec, syntax), cond[0])
    if found.negate:  # a guard that fires on ``f(x) != 4`` checks that ``f(x) == 4``
        split = Split(
            split.form, NEGATED.get(split.op or "", split.op), split.actual, split.expected
        )
    return cond, split, args


NEGATED = {"!=": "==", "!==": "===", "==": "!=", "===": "!=="}


def substitute(test: str, span: tuple[int, int], split: Split, actual: str, expected: str) -> str:
    """The text of ``span`` with the compared values replaced by the names ``actual`` and
    ``expected`` (the check keeps its own comparison, evaluated once on each value)."""
    parts = [(split.actual, actual), (split.expected, expected)]
    text, cursor = [], span[0]
    for (s, e), name in sorted((p for p in parts if p[0] is not None), key=lambda p: p[0][0]):
        text += [test[cursor:s], name]
        cursor = e
    return "".join(text) + test[cursor : span[1]]


def operand(test: str, span: tuple[int, int] | None) -> str:
    """The source text of a compared value."""
    return "" if span is None else test[span[0] : span[1]]


def rewrite(test: str, checks: list[Check], emit: Callable[[Check], str]) -> str:
    """``test`` with each check's text replaced by what ``emit`` writes for it."""
    out, cursor = [], 0
    for check in checks:
        start, end = check.found.span
        out += [test[cursor:start], emit(check)]
        cursor = end
    return "".join(out) + test[cursor:]


def rewrite_test(
    program: str,
    test: str,
    spec: CheckSpec,
    syntax: Syntax,
    emit: Callable[[str, Check], str],
    technique: str,
    before: str = "",
    after: str = "",
) -> Instrumented:
    """``program`` with each check of its ``test`` replaced by what ``emit(test, check)``
    writes, and the technique's helper code ``before`` and ``after`` the test."""
    span = locate_test(program, test)
    text = program[span[0] : span[1]]
    checks = text_checks(text, spec, syntax)
    new_test = rewrite(text, checks, lambda check: emit(text, check))
    source = join_program(program, span, before, new_test, after)
    return Instrumented(source, tuple(c.site for c in checks), technique)


def locate_test(program: str, test: str) -> tuple[int, int]:
    """Where the task's test sits in the assembled program (the assembler appends it last)."""
    body = test.strip("\n")
    at = program.rfind(body)
    if not body or at < 0:
        raise ValueError("the task's test is not part of the program")
    return at, at + len(body)


def join_program(program: str, span: tuple[int, int], before: str, test: str, after: str) -> str:
    """``program`` with its test replaced by ``test``, ``before`` and ``after`` around it."""
    return program[: span[0]] + before + test + after + program[span[1] :]
