"""Ruby: each guard ``raise "..." unless cond`` (or ``raise ... if cond``) of the test becomes a
call of a helper with a block that evaluates the two compared values, applies the check's own
comparison and returns it with both values, printed with ``inspect``; an exception raised inside
is rescued and reported as the actual value."""

from __future__ import annotations

from workbench.programs.checks.base import (
    MAX_CHECKS,
    MAX_VALUE,
    Check,
    Instrumented,
    operand,
    rewrite_test,
    substitute,
)
from workbench.programs.checks.scan import HASH
from workbench.registry.languages import CheckSpec

HELPER = f"""
$_wb_count = 0
def _wb_show(value)
  text = value.inspect
  text.length > {MAX_VALUE} ? text[0, {MAX_VALUE}] + "\\u2026" : text
end
def _wb_check(site)
  return if $_wb_count >= {MAX_CHECKS}
  $_wb_count += 1
  begin
    r = yield
    rest = (r[0] ? "P" : "F") + (r.length > 1 ? "\\x1f" + _wb_show(r[1]) + "\\x1f" + _wb_show(r[2]) : "")
  rescue StandardError, SystemStackError, ScriptError => e
    rest = "E\\x1f\\x1f" + "#{{e.class}}: #{{e.message}}"[0, {MAX_VALUE}]
  end
  $stderr.write("\\x02wbc\\x1f#{{site}}\\x1f#{{rest}}\\x03\\n")
end
"""


def emit(test: str, check: Check) -> str:
    """The helper call that replaces one check."""
    site, split, found = check.site.index, check.split, check.found
    cond = test[check.cond[0] : check.cond[1]]
    neg = "!" if found.negate else ""
    if split.actual is None:
        return f"_wb_check({site}) {{ [{neg}({cond})] }}"
    verdict = substitute(test, check.cond, split, "_wb_a", "_wb_e")
    return (
        f"_wb_check({site}) {{ _wb_a = ({operand(test, split.actual)}); "
        f"_wb_e = ({operand(test, split.expected)}); [{neg}({verdict}), _wb_e, _wb_a] }}"
    )


def instrument(program: str, spec: CheckSpec, test: str) -> Instrumented:
    """``program`` with every guard of its test reported (docs/checks.md)."""
    return rewrite_test(program, test, spec, HASH, emit, "ruby_lambda", before=HELPER)
