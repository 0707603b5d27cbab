"""Java, C# and Kotlin: each check (Java's ``assert cond;``, C#'s ``Debug.Assert(cond)``,
Kotlin's ``check(cond)`` / ``assert(cond)``) becomes a block that binds the two compared values
to local variables (``var`` / ``val``: their static types, so the check's own ``==`` means what
it meant), applies the comparison, and hands verdict and values to a helper method that prints
them; a throw inside the check is caught and reported as its actual value. Literals are left in
place (a ``var`` cannot hold ``null``, and Kotlin types an integer literal from its context).

The three languages differ only in spelling: ``DIALECTS`` holds each one's block and helper,
and the registry names the dialect (``[checks] dialect``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from workbench.programs.checks.base import (
    MAX_CHECKS,
    MAX_VALUE,
    Check,
    Instrumented,
    operand,
    rewrite_test,
    substitute,
)
from workbench.programs.checks.scan import C_LIKE, is_literal
from workbench.registry.languages import CheckSpec


@dataclass(frozen=True)
class Dialect:
    """How one language spells the block around a check and the helper that reports it."""

    bind: str  # a local variable: {name} = ({value})
    compare: str  # the block of a comparison: {site} {binds} {verdict} {expected} {actual}
    condition: str  # the block of a plain condition: {site} {cond}
    helper: str  # the helper's code
    after: bool  # True: the helper goes after the test (a class), False: before it


JAVA = Dialect(
    bind="var {name} = ({value}); ",
    compare=(
        "{{ if (WbChecks.begin({site})) {{ try {{ {binds}WbChecks.report({site}, ({verdict}), "
        "WbChecks.show({expected}), WbChecks.show({actual})); }} catch (Throwable wbX) "
        "{{ WbChecks.error({site}, wbX); }} }} }}"
    ),
    condition=(
        "{{ if (WbChecks.begin({site})) {{ try {{ WbChecks.report({site}, ({cond})); }} "
        "catch (Throwable wbX) {{ WbChecks.error({site}, wbX); }} }} }}"
    ),
    helper=f"""
class WbChecks {{
    static int count = 0;
    static boolean begin(int site) {{
        if (count >= {MAX_CHECKS}) return false;
        count++;
        return true;
    }}
    static String show(Object v) {{
        String s;
        if (v == null) s = "null";
        else if (v instanceof String) s = "\\"" + ((String) v).replace("\\\\", "\\\\\\\\").replace("\\"", "\\\\\\"").replace("\\n", "\\\\n") + "\\"";
        else if (v instanceof Character) s = "'" + v + "'";
        else if (v.getClass().isArray()) {{
            s = java.util.Arrays.deepToString(new Object[] {{ v }});
            s = s.substring(1, s.length() - 1);
        }} else s = String.valueOf(v);
        return s.length() > {MAX_VALUE} ? s.substring(0, {MAX_VALUE}) + "\\u2026" : s;
    }}
    static void emit(int site, String rest) {{
        System.err.print("\\u0002wbc\\u001f" + site + "\\u001f" + rest + "\\u0003\\n");
        System.err.flush();
    }}
    static void report(int site, boolean ok, String expected, String actual) {{
        emit(site, (ok ? "P" : "F") + "\\u001f" + expected + "\\u001f" + actual);
    }}
    static void report(int site, boolean ok) {{ emit(site, ok ? "P" : "F"); }}
    static void error(int site, Throwable error) {{ emit(site, "E\\u001f\\u001f" + show(error.toString()).replace("\\"", "")); }}
}}
""",
    after=True,
)

CSHARP = Dialect(
    bind="var {name} = ({value}); ",
    compare=(
        "{{ if (WbChecks.Begin({site})) {{ try {{ {binds}WbChecks.Report({site}, ({verdict}), "
        "WbChecks.Show({expected}), WbChecks.Show({actual})); }} catch (System.Exception wbX) "
        "{{ WbChecks.Error({site}, wbX); }} }} }}"
    ),
    condition=(
        "{{ if (WbChecks.Begin({site})) {{ try {{ WbChecks.Report({site}, ({cond})); }} "
        "catch (System.Exception wbX) {{ WbChecks.Error({site}, wbX); }} }} }}"
    ),
    helper=f"""
static class WbChecks
{{
    static int count = 0;
    public static bool Begin(int site)
    {{
        if (count >= {MAX_CHECKS}) return false;
        count++;
        return true;
    }}
    public static string Show(object v)
    {{
        string s;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (v == null) s = "null";
        else if (v is string) s = "\\"" + ((string) v).Replace("\\\\", "\\\\\\\\").Replace("\\"", "\\\\\\"").Replace("\\n", "\\\\n") + "\\"";
        else if (v is char) s = "'" + v + "'";
        else if (v is bool) s = ((bool) v) ? "true" : "false";
        else if (v is double) s = ((double) v).ToString("R", inv);
        else if (v is float) s = ((float) v).ToString("R", inv);
        else if (v is decimal) s = ((decimal) v).ToString(inv);
        else if (v is System.Collections.IDictionary)
        {{
            var parts = new System.Collections.Generic.List<string>();
            foreach (System.Collections.DictionaryEntry e in (System.Collections.IDictionary) v)
                parts.Add(Show(e.Key) + ": " + Show(e.Value));
            s = "{{" + string.Join(", ", parts) + "}}";
        }}
        else if (v is System.Collections.IEnumerable)
        {{
            var parts = new System.Collections.Generic.List<string>();
            foreach (var item in (System.Collections.IEnumerable) v) parts.Add(Show(item));
            s = "[" + string.Join(", ", parts) + "]";
        }}
        else s = System.Convert.ToString(v, inv);
        return s.Length > {MAX_VALUE} ? s.Substring(0, {MAX_VALUE}) + "\\u2026" : s;
    }}
    static void Emit(int site, string rest)
    {{
        System.Console.Error.Write("\\u0002wbc\\u001f" + site + "\\u001f" + rest + "\\u0003\\n");
        System.Console.Error.Flush();
    }}
    public static void Report(int site, bool ok, string expected, string actual)
    {{
        Emit(site, (ok ? "P" : "F") + "\\u001f" + expected + "\\u001f" + actual);
    }}
    public static void Report(int site, bool ok) {{ Emit(site, ok ? "P" : "F"); }}
    public static void Error(int site, System.Exception error)
    {{
        Emit(site, "E\\u001f\\u001f" + error.GetType().FullName + ": " + error.Message);
    }}
}}
""",
    after=True,
)

KOTLIN = Dialect(
    bind="val {name} = ({value}); ",
    compare="wbCheck({site}) {{ {binds}listOf(({verdict}), {expected}, {actual}) }}",
    condition="wbCheck({site}) {{ listOf(({cond})) }}",
    helper=f"""
var wbCount = 0
fun wbShow(v: Any?): String {{
    val s = when (v) {{
        null -> "null"
        is String -> "\\"" + v.replace("\\\\", "\\\\\\\\").replace("\\"", "\\\\\\"").replace("\\n", "\\\\n") + "\\""
        is Char -> "'" + v + "'"
        is Array<*> -> v.contentDeepToString()
        is IntArray -> v.contentToString()
        is LongArray -> v.contentToString()
        is DoubleArray -> v.contentToString()
        is BooleanArray -> v.contentToString()
        is CharArray -> v.contentToString()
        else -> v.toString()
    }}
    return if (s.length > {MAX_VALUE}) s.substring(0, {MAX_VALUE}) + "\\u2026" else s
}}
fun wbCheck(site: Int, body: () -> List<Any?>) {{
    if (wbCount >= {MAX_CHECKS}) return
    wbCount++
    val rest = try {{
        val r = body()
        (if (r[0] == true) "P" else "F") + (if (r.size > 1) "\\u001f" + wbShow(r[1]) + "\\u001f" + wbShow(r[2]) else "")
    }} catch (e: Throwable) {{
        "E\\u001f\\u001f" + e.toString()
    }}
    System.err.print("\\u0002wbc\\u001f" + site + "\\u001f" + rest + "\\u0003\\n")
    System.err.flush()
}}
""",
    after=False,
)

DIALECTS = {"java": JAVA, "csharp": CSHARP, "kotlin": KOTLIN}


def emit(test: str, check: Check, dialect: Dialect) -> str:
    """The block that replaces one check."""
    site, split = check.site.index, check.split
    if split.actual is None:
        cond = test[check.cond[0] : check.cond[1]]
        return dialect.condition.format(site=site, cond=cond)
    binds, names = "", {}
    for role, name in (("actual", "wbA"), ("expected", "wbE")):
        value = operand(test, getattr(split, role))
        if is_literal(value):
            names[role] = value  # kept in place: a literal has no side effect to repeat
        else:
            binds += dialect.bind.format(name=name, value=value)
            names[role] = name
    verdict = substitute(test, check.cond, split, names["actual"], names["expected"])
    return dialect.compare.format(
        site=site, binds=binds, verdict=verdict, expected=names["expected"], actual=names["actual"]
    )


def instrument(program: str, spec: CheckSpec, test: str) -> Instrumented:
    """``program`` with every check of its test reported (docs/checks.md)."""
    dialect = DIALECTS[spec.dialect or "java"]
    before, after = ("", dialect.helper) if dialect.after else (dialect.helper, "")
    return rewrite_test(
        program, test, spec, C_LIKE, partial(emit, dialect=dialect), "helper_method", before, after
    )
