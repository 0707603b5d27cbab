"""C++: each ``assert(cond)`` of the test becomes a block that binds the two compared values
(``auto&&``: no copy, temporaries kept alive), applies the check's own comparison and prints
both with a function template: ``operator<<`` where the type has one, element by element for
containers and pairs, quoted for strings and characters. An exception thrown inside the check
is caught and reported as its actual value; a crash cannot be, so each check first prints a
``B`` record, as in C (c_generic)."""

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
from workbench.programs.checks.scan import C_LIKE
from workbench.registry.languages import CheckSpec

SYNTAX = C_LIKE

HELPER = rf"""
#include <cstdio>
#include <exception>
#include <iomanip>
#include <iterator>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>
namespace wb {{
inline int count = 0;
template <class T, class = void> struct printable : std::false_type {{}};
template <class T> struct printable<T, std::void_t<decltype(std::declval<std::ostream&>()
    << std::declval<const T&>())>> : std::true_type {{}};
template <class T, class = void> struct iterable : std::false_type {{}};
template <class T> struct iterable<T, std::void_t<decltype(std::begin(std::declval<const T&>())),
    decltype(std::end(std::declval<const T&>()))>> : std::true_type {{}};
inline void show(std::ostream& o, const std::string& s) {{ o << std::quoted(s); }}
inline void show(std::ostream& o, const char* s) {{ if (s) o << std::quoted(s); else o << "nullptr"; }}
inline void show(std::ostream& o, char* s) {{ show(o, (const char*)s); }}
inline void show(std::ostream& o, char c) {{ o << '\'' << c << '\''; }}
inline void show(std::ostream& o, bool b) {{ o << (b ? "true" : "false"); }}
template <class T> void show(std::ostream& o, const T& v);
template <class A, class B> void show(std::ostream& o, const std::pair<A, B>& p) {{
    o << '('; show(o, p.first); o << ", "; show(o, p.second); o << ')';
}}
template <class T> void show(std::ostream& o, const T& v) {{
    if constexpr (std::is_floating_point_v<T>) o << std::setprecision(17) << v;
    else if constexpr (std::is_enum_v<T>) o << static_cast<long long>(v);
    else if constexpr (printable<T>::value) o << v;
    else if constexpr (iterable<T>::value) {{
        o << '[';
        bool first = true;
        for (const auto& item : v) {{
            if (!first) o << ", ";
            first = false;
            show(o, item);
            if (o.tellp() > {MAX_VALUE}) break;
        }}
        o << ']';
    }} else o << '?';
}}
template <class T> std::string text(const T& v) {{
    std::ostringstream o;
    show(o, v);
    std::string s = o.str();
    return s.size() > {MAX_VALUE} ? s.substr(0, {MAX_VALUE}) + "..." : s;
}}
inline bool begin(int site) {{
    if (count >= {MAX_CHECKS}) return false;
    count++;
    std::fprintf(stderr, "\002wbc\037%d\037B\003\n", site);
    return true;
}}
inline void report(int site, bool ok, const std::string& e, const std::string& a, bool values) {{
    if (values)
        std::fprintf(stderr, "\002wbc\037%d\037%s\037%s\037%s\003\n", site, ok ? "P" : "F", e.c_str(), a.c_str());
    else
        std::fprintf(stderr, "\002wbc\037%d\037%s\003\n", site, ok ? "P" : "F");
}}
inline void error(int site, const std::string& what) {{
    std::fprintf(stderr, "\002wbc\037%d\037E\037\037%s\003\n", site, what.substr(0, {MAX_VALUE}).c_str());
}}
}}
"""


def emit(test: str, check: Check) -> str:
    """The block that replaces one ``assert(...)``."""
    site, split = check.site.index, check.split
    cond = test[check.cond[0] : check.cond[1]]
    if split.actual is None:
        body = f"wb::report({site}, static_cast<bool>({cond}), {{}}, {{}}, false);"
    else:
        verdict = substitute(test, check.cond, split, "wb_a", "wb_e")
        body = (
            f"auto&& wb_a = ({operand(test, split.actual)}); "
            f"auto&& wb_e = ({operand(test, split.expected)}); "
            f"wb::report({site}, static_cast<bool>({verdict}), wb::text(wb_e), wb::text(wb_a), true);"
        )
    return (
        f"do {{ if (wb::begin({site})) {{ try {{ {body} }} "
        f"catch (const std::exception& wb_x) {{ wb::error({site}, wb_x.what()); }} "
        f'catch (...) {{ wb::error({site}, "exception"); }} }} }} while (0)'
    )


def instrument(program: str, spec: CheckSpec, test: str) -> Instrumented:
    """``program`` with every ``assert`` of its test reported (docs/checks.md)."""
    return rewrite_test(program, test, spec, SYNTAX, emit, "cpp_template", before=HELPER)
