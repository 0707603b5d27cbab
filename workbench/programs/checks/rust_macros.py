"""Rust: the test's ``assert!``, ``assert_eq!`` and ``assert_ne!`` are shadowed by macros of the
same names defined between the answer and the test (a ``macro_rules!`` macro is in scope from
its definition on, so the answer's own asserts keep their meaning). Each judges its check inside
``catch_unwind`` — a panic is the actual value — and reports it with ``line!()``, the line the
check was written on, which the parser maps back to the site. Records are written to the
standard error directly, past the test harness's capture of ``eprintln!``."""

from __future__ import annotations

from workbench.programs.checks.base import (
    MAX_CHECKS,
    MAX_VALUE,
    Instrumented,
    join_program,
    locate_test,
    text_checks,
)
from workbench.programs.checks.scan import C_LIKE, line_of
from workbench.registry.languages import CheckSpec

HELPER = f"""
#[allow(unused_macros)]
macro_rules! assert_eq {{
    ($left:expr, $right:expr $(,)?) => {{
        crate::wb_check(line!(), || match (&$left, &$right) {{
            (l, r) => (*l == *r, Some((format!("{{:?}}", r), format!("{{:?}}", l)))),
        }})
    }};
    ($left:expr, $right:expr, $($rest:tt)+) => {{ assert_eq!($left, $right) }};
}}
#[allow(unused_macros)]
macro_rules! assert_ne {{
    ($left:expr, $right:expr $(,)?) => {{
        crate::wb_check(line!(), || match (&$left, &$right) {{
            (l, r) => (*l != *r, Some((format!("{{:?}}", r), format!("{{:?}}", l)))),
        }})
    }};
    ($left:expr, $right:expr, $($rest:tt)+) => {{ assert_ne!($left, $right) }};
}}
#[allow(unused_macros)]
macro_rules! assert {{
    ($cond:expr $(,)?) => {{ crate::wb_check(line!(), || ($cond, None)) }};
    ($cond:expr, $($rest:tt)+) => {{ assert!($cond) }};
}}
#[allow(dead_code)]
static WB_COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
#[allow(dead_code)]
fn wb_clip(s: String) -> String {{
    if s.chars().count() > {MAX_VALUE} {{ s.chars().take({MAX_VALUE}).collect::<String>() + "\\u{{2026}}" }} else {{ s }}
}}
#[allow(dead_code)]
fn wb_check<F: FnOnce() -> (bool, Option<(String, String)>)>(line: u32, body: F) {{
    use std::io::Write;
    if WB_COUNT.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= {MAX_CHECKS} {{
        return;
    }}
    let rest = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {{
        Ok((ok, None)) => (if ok {{ "P" }} else {{ "F" }}).to_string(),
        Ok((ok, Some((e, a)))) => format!("{{}}\\x1f{{}}\\x1f{{}}", if ok {{ "P" }} else {{ "F" }}, wb_clip(e), wb_clip(a)),
        Err(panic) => {{
            let text = panic.downcast_ref::<String>().cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panic".to_string());
            format!("E\\x1f\\x1fpanicked: {{}}", wb_clip(text))
        }}
    }};
    let _ = std::io::stderr().write_all(format!("\\x02wbc\\x1fL{{}}\\x1f{{}}\\x03\\n", line, rest).as_bytes());
}}
"""


def instrument(program: str, spec: CheckSpec, test: str) -> Instrumented:
    """``program`` with every assert macro of its test reported (docs/checks.md)."""
    span = locate_test(program, test)
    text = program[span[0] : span[1]]
    sites = tuple(c.site for c in text_checks(text, spec, C_LIKE))
    source = join_program(program, span, HELPER, text, "")
    first_line = line_of(source, span[0] + len(HELPER))
    return Instrumented(source, sites, "rust_macros", test_line=first_line)
