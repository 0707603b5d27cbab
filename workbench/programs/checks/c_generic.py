"""C: each ``assert(cond)`` of the test becomes a block that evaluates the two compared values
once into ``__auto_type`` temporaries, applies the check's own comparison to them and prints
both through a C11 ``_Generic`` selection (integers, floating point, characters, strings,
booleans; ``?`` for anything else). C cannot catch a crash, so each check first prints a ``B``
record: a check that began and never reported is the one that crashed the program."""

from __future__ import annotations

import re

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

SYNTAX = C_LIKE
# A C character constant is an int: cast it to char so that it prints as the character it is.
CHAR = re.compile(r"'(?:\\.[^']*|[^\\'])'")

HELPER = rf"""
#include <stdio.h>
#include <string.h>
/* Counts from 1: an initialised variable sits in .data, within reach of the code even when
   the answer declares arrays of gigabytes in .bss. */
static int wb_count = 1;
static int wb_begin(int site) {{
    if (wb_count > {MAX_CHECKS}) return 0;
    wb_count++;
    fprintf(stderr, "\002wbc\037%d\037B\003\n", site);
    return 1;
}}
static void wb_head(int site, int ok, int values) {{
    fprintf(stderr, "\002wbc\037%d\037%s%s", site, ok ? "P" : "F", values ? "\037" : "\003\n");
}}
static void wb_sep(void) {{ fputs("\037", stderr); }}
static void wb_end(void) {{ fputs("\003\n", stderr); }}
static void wb_show_ll(long long v) {{ fprintf(stderr, "%lld", v); }}
static void wb_show_ull(unsigned long long v) {{ fprintf(stderr, "%llu", v); }}
static void wb_show_d(double v) {{ fprintf(stderr, "%.17g", v); }}
static void wb_show_ld(long double v) {{ fprintf(stderr, "%.21Lg", v); }}
static void wb_show_b(_Bool v) {{ fputs(v ? "true" : "false", stderr); }}
static void wb_show_c(char v) {{
    if (v >= 32 && v < 127 && v != '\'' && v != '\\') fprintf(stderr, "'%c'", v);
    else fprintf(stderr, "'\\x%02x'", (unsigned char)v);
}}
static void wb_show_s(const char *v) {{
    if (!v) {{ fputs("NULL", stderr); return; }}
    fputc('"', stderr);
    for (int i = 0; v[i] && i < {MAX_VALUE}; i++) {{
        unsigned char c = (unsigned char)v[i];
        if (c == '"' || c == '\\') fprintf(stderr, "\\%c", c);
        else if (c == '\n') fputs("\\n", stderr);
        else if (c < 32 || c == 127) fprintf(stderr, "\\x%02x", c);
        else fputc(c, stderr);
    }}
    fputc('"', stderr);
}}
static void wb_show_other();
static void wb_show_other() {{ fputs("?", stderr); }}
#define WB_SHOW(x) _Generic((x), _Bool: wb_show_b, char: wb_show_c, \
    signed char: wb_show_ll, short: wb_show_ll, int: wb_show_ll, long: wb_show_ll, \
    long long: wb_show_ll, unsigned char: wb_show_ull, unsigned short: wb_show_ull, \
    unsigned int: wb_show_ull, unsigned long: wb_show_ull, unsigned long long: wb_show_ull, \
    float: wb_show_d, double: wb_show_d, long double: wb_show_ld, char *: wb_show_s, \
    const char *: wb_show_s, default: wb_show_other)(x)
"""


def value(text: str) -> str:
    """A compared value as C code: a character constant cast to ``char``."""
    return f"(char)({text})" if CHAR.fullmatch(text.strip()) else f"({text})"


def emit(test: str, check: Check) -> str:
    """The block that replaces one ``assert(...)``."""
    site, split = check.site.index, check.split
    cond = test[check.cond[0] : check.cond[1]]
    if split.actual is None:
        return f"do {{ if (wb_begin({site})) {{ wb_head({site}, ({cond}) != 0, 0); }} }} while (0)"
    verdict = substitute(test, check.cond, split, "wb_a", "wb_e")
    return (
        f"do {{ if (wb_begin({site})) {{ "
        f"__auto_type wb_a = {value(operand(test, split.actual))}; "
        f"__auto_type wb_e = {value(operand(test, split.expected))}; "
        f"wb_head({site}, ({verdict}) != 0, 1); "
        f"WB_SHOW(wb_e); wb_sep(); WB_SHOW(wb_a); wb_end(); }} }} while (0)"
    )


def instrument(program: str, spec: CheckSpec, test: str) -> Instrumented:
    """``program`` with every ``assert`` of its test reported (docs/checks.md)."""
    return rewrite_test(program, test, spec, SYNTAX, emit, "c_generic", before=HELPER)
