"""Go: testify's ``assert`` functions already go on after a failure and return whether the check
held. Each call of the test is wrapped in a closure that evaluates the compared values once,
passes them to the same testify function and returns its verdict with both values, printed with
``%#v``; a panic inside is recovered and reported as the actual value. The helper's imports are
aliased (``wbfmt``, ``wbos``, ``wbtesting``) so they never clash with the program's own. ``go
test`` prints a package's output only when it fails, so a ``TestMain`` makes the package fail
after its tests ran (a test that defines its own ``TestMain`` is not instrumented: it does not
compile)."""

from __future__ import annotations

import re
from dataclasses import replace

from workbench.programs.checks.base import (
    MAX_CHECKS,
    MAX_VALUE,
    Check,
    Instrumented,
    operand,
    rewrite_test,
    substitute,
)
from workbench.programs.checks.scan import C_LIKE
from workbench.registry.languages import CheckSpec

PACKAGE = re.compile(r"(?m)^[ \t]*package[ \t]+\w+[ \t]*$")
IMPORTS = '\nimport wbfmt "fmt"\nimport wbos "os"\nimport wbtesting "testing"\n'
HELPER = f"""

var wbCount = 0

// go test shows a package's output only when it fails: once the tests ran, the package fails.
func TestMain(m *wbtesting.M) {{
	m.Run()
	wbfmt.Fprintln(wbos.Stderr, "workbench: checks reported")
	wbos.Exit(3)
}}

func wbShow(v any) string {{
	s := wbfmt.Sprintf("%#v", v)
	if r := []rune(s); len(r) > {MAX_VALUE} {{
		s = string(r[:{MAX_VALUE}]) + "\\u2026"
	}}
	return s
}}

func wbCheck(site int, body func() (bool, []any)) {{
	if wbCount >= {MAX_CHECKS} {{
		return
	}}
	wbCount++
	rest := ""
	func() {{
		defer func() {{
			if r := recover(); r != nil {{
				rest = "E\\x1f\\x1f" + wbfmt.Sprint("panic: ", r)
			}}
		}}()
		ok, values := body()
		rest = "F"
		if ok {{
			rest = "P"
		}}
		if len(values) == 2 {{
			rest += "\\x1f" + wbShow(values[0]) + "\\x1f" + wbShow(values[1])
		}}
	}}()
	wbfmt.Fprintf(wbos.Stderr, "\\x02wbc\\x1f%d\\x1f%s\\x03\\n", site, rest)
}}
"""


def emit(test: str, check: Check) -> str:
    """The closure call that replaces one testify call."""
    site, split, span = check.site.index, check.split, check.found.span
    call = test[span[0] : span[1]]
    if split.actual is None:
        return f"wbCheck({site}, func() (bool, []any) {{ return {call}, nil }})"
    verdict = substitute(test, span, split, "wbA", "wbE")
    return (
        f"wbCheck({site}, func() (bool, []any) {{ wbE, wbA := any({operand(test, split.expected)}), "
        f"any({operand(test, split.actual)}); return {verdict}, []any{{wbE, wbA}} }})"
    )


def instrument(program: str, spec: CheckSpec, test: str) -> Instrumented:
    """``program`` with every testify call of its test reported (docs/checks.md)."""
    out = rewrite_test(program, test, spec, C_LIKE, emit, "go_testify", after=HELPER)
    package = PACKAGE.search(out.source)
    at = package.end() if package else 0
    return replace(out, source=out.source[:at] + IMPORTS + out.source[at:])
