"""Python: every ``assert`` statement of the test, found with ``ast``, becomes a call of a helper
that evaluates the compared values in lambdas (so an exception is the check's actual value, not
the end of the test), applies the assert's own comparison and reports it. Only the assert
statements' text changes: the rest of the test is left byte for byte."""

from __future__ import annotations

import ast

from workbench.programs.checks.base import (
    MAX_CHECKS,
    MAX_VALUE,
    Instrumented,
    Site,
    join_program,
    locate_test,
    substitute,
)
from workbench.programs.checks.scan import Split, Syntax, one_line, split_condition
from workbench.registry.languages import CheckSpec

SYNTAX = Syntax(
    line_comments=("#",), block_comments=(), quotes="\"'", triple_quotes=True, char_quote=False
)

HELPER = f"""
import sys as _wb_sys
_wb_count = [0]
def _wb_show(value):
    text = repr(value)
    return text if len(text) <= {MAX_VALUE} else text[:{MAX_VALUE - 1}] + "\\u2026"
def _wb_check(site, verdict, actual=None, expected=None):
    if _wb_count[0] >= {MAX_CHECKS}:
        return
    _wb_count[0] += 1
    values = ""
    try:
        if actual is not None:
            got, want = actual(), expected()
            ok = verdict(got, want)
            values = "\\x1f" + _wb_show(want) + "\\x1f" + _wb_show(got)
        else:
            ok = verdict()
        mark = "P" if ok else "F"
    except AssertionError:  # a unittest assert method called on the two values
        mark = "F"
    except Exception as error:
        mark, values = "E", "\\x1f\\x1f" + _wb_show(error)[:{MAX_VALUE}]
    _wb_sys.stderr.write("\\x02wbc\\x1f%d\\x1f%s%s\\x03\\n" % (site, mark, values))
    _wb_sys.stderr.flush()
"""


def _segment(lines: list[str], node: ast.AST) -> tuple[int, int]:
    """Character offsets of ``node`` in the text whose lines are ``lines`` (``ast`` counts
    columns in UTF-8 bytes)."""
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + len(lines[line - 1].encode()[:column].decode(errors="ignore"))

    return offset(node.lineno, node.col_offset), offset(node.end_lineno, node.end_col_offset)


def instrument(program: str, spec: CheckSpec, test: str) -> Instrumented:
    """``program`` with every assert of its ``test`` reported (docs/checks.md)."""
    span = locate_test(program, test)
    text = program[span[0] : span[1]]
    lines = text.splitlines(keepends=True)
    calls = {form.call: form for form in spec.forms if form.call}
    checks = sorted(
        (n for n in ast.walk(ast.parse(text)) if _is_check(n, calls)),
        key=lambda n: (n.lineno, n.col_offset),
    )
    sites, pieces, cursor = [], [], 0
    for node in checks:
        start, end = _segment(lines, node)
        code, split = _read(text, lines, node, spec, calls)
        call = one_line(code[split.actual[0] : split.actual[1]]) if split.actual else None
        site = Site(len(sites), node.lineno, one_line(text[start:end]), split.form, split.op, call)
        sites.append(site)
        pieces += [text[cursor:start], _emit(site.index, code, split, isinstance(node, ast.Expr))]
        cursor = end
    new_test = "".join(pieces) + text[cursor:]
    return Instrumented(
        join_program(program, span, HELPER, new_test, ""), tuple(sites), "python_ast"
    )


def _is_check(node: ast.AST, calls: dict) -> bool:
    if isinstance(node, ast.Assert):
        return True
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and ast.unparse(node.value.func) in calls
    )


def _read(text: str, lines: list[str], node: ast.AST, spec: CheckSpec, calls: dict):
    """The code the check evaluates (an assert's condition, or the whole call of an assert
    method) and the values it compares, as spans of that code."""
    if isinstance(node, ast.Assert):
        start, end = _segment(lines, node.test)
        cond = text[start:end]
        return cond, split_condition(cond, spec, SYNTAX)
    call = node.value
    start, end = _segment(lines, call)
    code = text[start:end]
    form = calls[ast.unparse(call.func)]
    spans = [tuple(x - start for x in _segment(lines, arg)) for arg in call.args[:2]]
    if form.args in ("actual_expected", "expected_actual", "close") and len(spans) == 2:
        actual, expected = spans if form.args == "actual_expected" else spans[::-1]
        return code, Split(
            "close" if form.args == "close" else "compare", form.call, actual, expected
        )
    return code, Split("condition", form.args)


def _emit(site: int, code: str, split: Split, is_call: bool) -> str:
    verdict = code if not is_call else f"({code}, True)[1]"
    if split.actual is None:
        return f"_wb_check({site}, lambda: ({verdict}))"
    verdict = substitute(code, (0, len(code)), split, "_wb_a", "_wb_e")
    if is_call:
        verdict = f"({verdict}, True)[1]"
    actual = code[split.actual[0] : split.actual[1]]
    expected = code[split.expected[0] : split.expected[1]]
    return (
        f"_wb_check({site}, lambda _wb_a, _wb_e: ({verdict}), "
        f"lambda: ({actual}), lambda: ({expected}))"
    )
