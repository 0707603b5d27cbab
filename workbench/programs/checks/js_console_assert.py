"""JavaScript and TypeScript: each ``console.assert(cond, ...)`` (or ``assert(cond)``,
``assert.strictEqual(actual, expected)``, as the registry lists) of the test becomes a call of a
helper with an arrow function that evaluates the two compared values into ``let`` temporaries,
applies the check's own comparison and returns it with both values; a throw inside is caught
and reported as the actual value. ``console.assert`` itself is overridden too, so a check the
rewrite did not see (an assert built at run time) is still counted, without a source line."""

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

SYNTAX = Syntax(char_quote=False)  # '...' is a string of any length

HELPER = f"""
const _wbState: any = {{ count: 0, process: (globalThis as any).process }};
const _wbShow = (value: any): string => {{
    let text: string;
    try {{
        text = typeof value === "string" ? JSON.stringify(value)
            : typeof value === "bigint" ? value.toString() + "n"
            : value === undefined ? "undefined"
            : typeof value === "function" ? "[function]"
            : value instanceof Error ? String(value)
            : typeof value === "object" && value !== null && !(value instanceof Map) && !(value instanceof Set)
              ? JSON.stringify(value, (k: any, v: any) => typeof v === "bigint" ? v.toString() + "n" : v)
            : String(value);
    }} catch (error) {{ text = String(value); }}
    text = String(text);
    return text.length > {MAX_VALUE} ? text.slice(0, {MAX_VALUE}) + "\\u2026" : text;
}};
const _wbCheck = (site: number, body: () => any[]): void => {{
    if (_wbState.count >= {MAX_CHECKS}) return;
    _wbState.count += 1;
    let record: string;
    try {{
        const result = body();
        record = (result[0] ? "P" : "F") + (result.length > 1
            ? "\\x1f" + _wbShow(result[1]) + "\\x1f" + _wbShow(result[2]) : "");
    }} catch (error) {{
        record = "E\\x1f\\x1f" + _wbShow(error);
    }}
    _wbState.process.stderr.write("\\x02wbc\\x1f" + site + "\\x1f" + record + "\\x03\\n");
}};
console.assert = (cond?: any, ...rest: any[]): void => _wbCheck(-1, () => [cond]);
"""
# JavaScript has no type annotations: the same helper without them.
UNTYPED = (
    HELPER.replace(": any[]", "")
    .replace(" as any", "")
    .replace(": any", "")
    .replace(": string", "")
    .replace(": number", "")
    .replace(": () => any[]", "")
    .replace(": void", "")
    .replace("(cond?, ", "(cond, ")
)


def emit(test: str, check: Check) -> str:
    """The helper call that replaces one check."""
    site, split, found = check.site.index, check.split, check.found
    cond = test[check.cond[0] : check.cond[1]]
    if found.args in ("actual_expected", "expected_actual", "close"):
        # Node's assert.strictEqual(actual, expected) and kin: the call itself is the check.
        verdict = substitute(test, found.span, split, "_wbA", "_wbE")
        return (
            f"_wbCheck({site}, () => {{ let _wbA = ({operand(test, split.actual)}); "
            f"let _wbE = ({operand(test, split.expected)}); "
            f"try {{ {verdict}; return [true, _wbE, _wbA]; }} catch (_wbX) {{ "
            f"if ((_wbX as any).code === 'ERR_ASSERTION') return [false, _wbE, _wbA]; "
            f"throw _wbX; }} }})"
        )
    if split.actual is None:
        return f"_wbCheck({site}, () => [({cond})])"
    verdict = substitute(test, check.cond, split, "_wbA", "_wbE")
    return (
        f"_wbCheck({site}, () => {{ let _wbA = ({operand(test, split.actual)}); "
        f"let _wbE = ({operand(test, split.expected)}); return [({verdict}), _wbE, _wbA]; }})"
    )


def instrument(program: str, spec: CheckSpec, test: str) -> Instrumented:
    """``program`` with every check of its test reported (docs/checks.md)."""
    typed = spec.dialect == "typescript"

    def spelled(test: str, check: Check) -> str:
        code = emit(test, check)
        return code if typed else code.replace(" as any", "")

    return rewrite_test(
        program,
        test,
        spec,
        SYNTAX,
        spelled,
        "js_console_assert",
        before=HELPER if typed else UNTYPED,
    )
