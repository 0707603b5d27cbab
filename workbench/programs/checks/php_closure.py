"""PHP: each ``assert(cond)`` and each guard ``if (cond) { exit(1); }`` of the test becomes a
call of a helper with an arrow function (``fn``, which sees the test's variables) that passes
the two compared values to an inner arrow function applying the check's own comparison; a
``Throwable`` inside is caught and reported as the actual value. Values print as JSON, floats
as ``var_export`` writes them."""

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
from workbench.programs.checks.scan import Syntax
from workbench.registry.languages import CheckSpec

SYNTAX = Syntax(line_comments=("//", "#"), quotes="\"'", char_quote=False)

HELPER = f"""
function _wb_show($v) {{
    if (is_float($v)) $s = var_export($v, true);
    elseif (is_bool($v)) $s = $v ? 'true' : 'false';
    elseif (is_null($v)) $s = 'NULL';
    elseif (is_int($v)) $s = (string) $v;
    else {{
        $s = json_encode($v, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION);
        if ($s === false) $s = print_r($v, true);
    }}
    return strlen($s) > {MAX_VALUE} ? substr($s, 0, {MAX_VALUE}) . "..." : $s;
}}
function _wb_check($site, $body) {{
    static $count = 0;
    if ($count >= {MAX_CHECKS}) return;
    $count++;
    try {{
        $r = $body();
        $rest = ($r[0] ? 'P' : 'F') . (count($r) > 1 ? "\\x1f" . _wb_show($r[1]) . "\\x1f" . _wb_show($r[2]) : '');
    }} catch (\\Throwable $e) {{
        $rest = "E\\x1f\\x1f" . get_class($e) . ': ' . $e->getMessage();
    }}
    fwrite(STDERR, "\\x02wbc\\x1f" . $site . "\\x1f" . $rest . "\\x03\\n");
}}
"""


def emit(test: str, check: Check) -> str:
    """The helper call that replaces one check."""
    site, split, found = check.site.index, check.split, check.found
    cond = test[check.cond[0] : check.cond[1]]
    neg = "!" if found.negate else ""
    end = ";" if found.kind == "guard" else ""
    if split.actual is None:
        return f"_wb_check({site}, fn() => [{neg}({cond})]){end}"
    verdict = substitute(test, check.cond, split, "$_wb_a", "$_wb_e")
    return (
        f"_wb_check({site}, fn() => (fn($_wb_a, $_wb_e) => [{neg}({verdict}), $_wb_e, $_wb_a])"
        f"(({operand(test, split.actual)}), ({operand(test, split.expected)}))){end}"
    )


def instrument(program: str, spec: CheckSpec, test: str) -> Instrumented:
    """``program`` with every check of its test reported (docs/checks.md)."""
    return rewrite_test(program, test, spec, SYNTAX, emit, "php_closure", before=HELPER)
