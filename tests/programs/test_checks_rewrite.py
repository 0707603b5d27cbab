"""The check rewrite on text: which checks of a test each technique finds, how a condition is
read as a comparison, what the rewritten program holds, how reports are read back, and how a
check's source is normalised for clustering. Runs of the rewritten programs are in
tests/evaluation/test_checks_toolchains.py; C# is also rewritten here, on text, so its rewrite is
checked on a machine without Mono."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import InputError
from workbench.programs.checks import (
    MAX_CHECKS,
    TECHNIQUES,
    instrument,
    normalise_check,
    read_checks,
)
from workbench.programs.checks.scan import C_LIKE, split_condition
from workbench.registry.languages import all_languages, check_spec, get_language

COVERED = "Python C CPP Java JavaScript TypeScript Go Rust C# PHP Kotlin Ruby".split()


def test_every_covered_language_names_a_known_technique():
    named = {lang.name: lang.checks.technique for lang in all_languages() if lang.checks}
    assert set(named) == set(COVERED)
    assert set(named.values()) <= set(TECHNIQUES)
    assert instrument("echo hi\n", "echo hi", "Shell") is None  # not covered: first check only


def _split(cond: str, language: str = "C"):
    split = split_condition(cond, get_language(language).checks, C_LIKE)

    def side(span):
        return cond[span[0] : span[1]] if span else None

    return split.form, split.op, side(split.actual), side(split.expected)


@pytest.mark.parametrize(
    "cond, language, expected",
    [
        ("f(x) == 4", "C", ("compare", "==", "f(x)", "4")),
        ("4 == f(x)", "C", ("compare", "==", "f(x)", "4")),
        ('strcmp(f(), "abc") == 0', "C", ("compare", "strcmp", "f()", '"abc"')),
        ("fabs(f(2.0) - 1.5) < 1e-6", "C", ("close", "-", "f(2.0)", "1.5")),
        ("f(x) == 1 && g(x) == 2", "C", ("condition", None, None, None)),
        ("!f(x)", "C", ("condition", None, None, None)),
        ("f(x) <= 3", "C", ("condition", None, None, None)),
        ("(f(x) == 4)", "C", ("compare", "==", "f(x)", "4")),
        ("f(a) === 'x'", "JavaScript", ("compare", "===", "f(a)", "'x'")),
        ('f(a).equals("GB")', "Java", ("compare", "equals", "f(a)", '"GB"')),
        (
            "Arrays.equals(f(a), new int[]{1, 2})",
            "Java",
            ("compare", "Arrays.equals", "f(a)", "new int[]{1, 2}"),
        ),
        ("Math.abs(f(a) - 2.5) < 0.01", "Java", ("close", "-", "f(a)", "2.5")),
    ],
)
def test_a_condition_is_read_as_a_comparison(cond, language, expected):
    assert _split(cond, language) == expected


def test_c_rewrite_keeps_everything_but_the_asserts():
    test = "int main() {\n    int a = 2; // assert(a == 3);\n    assert(f(a) == 4);\n    assert(g(\"x, y\") == 'c');\n    return 0;\n}"
    program = "#include <assert.h>\nint f(int x) { assert(x > 0); return x; }\n" + test + "\n"
    out = instrument(program, test, "C")
    assert [s.line for s in out.sites] == [3, 4]
    assert [s.source for s in out.sites] == ["assert(f(a) == 4)", "assert(g(\"x, y\") == 'c')"]
    assert "int f(int x) { assert(x > 0); return x; }" in out.source  # the answer's own assert
    assert "// assert(a == 3);" in out.source  # a comment is no check
    assert "__auto_type wb_e = (char)('c');" in out.source
    assert out.source.count("wb_begin(") == 3  # two checks and the helper's definition


def test_java_statement_assert_with_message_and_a_null():
    test = '    public static void main(String[] a) {\n        assert f(1) == 2 : "one";\n        assert g() == null;\n        assert ok();\n    }\n}'
    out = instrument("public class Main {\n" + test + "\n", test, "Java")
    assert [s.form for s in out.sites] == ["compare", "compare", "condition"]
    assert (
        "var wbA = (f(1)); WbChecks.report(0, (wbA == 2), WbChecks.show(2), WbChecks.show(wbA));"
        in out.source
    )
    assert "(wbA == null)" in out.source  # a literal null is never bound to a var
    assert out.source.rstrip().endswith("}") and "class WbChecks" in out.source


def test_csharp_debug_assert_is_rewritten_on_text():
    test = '    static void Main()\n    {\n        Debug.Assert(F(new List<int> { 3, 1 }).SequenceEqual(new List<int> { 1, 3 }));\n        Debug.Assert(G("a") == "b");\n    }\n}'
    out = instrument("class Solution {\n" + test + "\n", test, "C#")
    assert [(s.form, s.op) for s in out.sites] == [("compare", "SequenceEqual"), ("compare", "==")]
    # A literal list stays in place; the answer's value is bound once to a var.
    assert "var wbA = (F(new List<int> { 3, 1 })); WbChecks.Report(0, " in out.source
    assert "(wbA.SequenceEqual(new List<int> { 1, 3 }))" in out.source
    assert "static class WbChecks" in out.source and "Debug.Assert" not in out.source


def test_go_testify_calls_keep_their_function_and_skip_t():
    test = 'func TestF(t *testing.T) {\n\tassert := assert.New(t)\n\tassert.Equal(6, F(3))\n\tassert.Equal(t, "a", G(), "msg")\n\tassert.True(H())\n}'
    program = (
        'package main\n\nimport (\n\t"testing"\n\t"github.com/stretchr/testify/assert"\n)\n\n'
        + test
        + "\n"
    )
    out = instrument(program, test, "Go")
    assert [(s.form, s.op, s.call) for s in out.sites] == [
        ("compare", "assert.Equal", "F(3)"),
        ("compare", "assert.Equal", "G()"),
        ("condition", "true", None),
    ]
    assert 'wbE, wbA := any("a"), any(G()); return assert.Equal(t, wbE, wbA, "msg")' in out.source
    assert out.source.startswith('package main\nimport wbfmt "fmt"')


def test_ruby_and_php_guards_are_negated_where_they_fire_on_the_condition():
    ruby = "raise 'no' unless f(1) == 2 # comment\nraise 'no' if f(2) != 3\n"
    out = instrument(ruby, ruby, "Ruby")
    assert [s.op for s in out.sites] == ["==", "=="]  # `if f != 3` checks f == 3
    assert "[!(_wb_a != _wb_e), _wb_e, _wb_a]" in out.source and "# comment" in out.source
    php = "<?php\nfunction t() {\n    if (f(1) != true) { exit(1); }\n    assert(g() === 'x');\n}\nt();\n?>"
    out = instrument(php, php[6:], "PHP")
    assert [s.form for s in out.sites] == ["compare", "compare"]
    assert "exit(1)" not in out.source.split("function t()")[1]


def test_python_asserts_and_unittest_methods():
    test = "def check(c):\n    assert c([1]) == 1, 'msg'\n    for x in range(3):\n        assert c([x]) == x\n\nclass T(unittest.TestCase):\n    def test(self):\n        self.assertEqual(c([2]), 2)\n"
    out = instrument("def c(xs):\n    return xs[0]\n" + test, test, "Python")
    assert [(s.line, s.op, s.call) for s in out.sites] == [
        (2, "==", "c([1])"),
        (4, "==", "c([x])"),
        (8, "self.assertEqual", "c([2])"),
    ]
    compile(out.source, "main.py", "exec")


def test_rust_macros_shadow_after_the_answer():
    test = "#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn main() {\n        assert_eq!(f(1), 2);\n    }\n}"
    answer = "fn f(x: i32) -> i32 { assert!(x > 0); x + 1 }\n"
    out = instrument(answer + test, test, "Rust")
    assert out.source.startswith(answer)  # the answer's assert! is the standard one
    assert out.source.index("macro_rules! assert_eq") > len(answer)
    assert out.source.splitlines()[out.test_line - 1] == "#[cfg(test)]"


def test_reports_are_read_back_in_order_and_a_crash_is_a_failed_check():
    test = "int main() {\n    assert(f(1) == 2);\n    assert(f(2) == 3);\n    assert(f(3) == 4);\n}"
    out = instrument(test, test, "C")
    output = (
        "\x02wbc\x1f0\x1fB\x03\n\x02wbc\x1f0\x1fP\x1f2\x1f2\x03\nnoise\n"
        "\x02wbc\x1f1\x1fB\x03\n\x02wbc\x1f1\x1fF\x1f3\x1f4\x03\n\x02wbc\x1f2\x1fB\x03\n"
    )
    checks = read_checks(output, out, crash="killed by SIGSEGV")
    assert [(c.passed, c.raised, c.expected, c.actual) for c in checks] == [
        (True, False, "2", "2"),
        (False, False, "3", "4"),
        (False, True, None, "killed by SIGSEGV"),
    ]
    assert [c.check_line for c in checks] == [2, 3, 4]
    assert MAX_CHECKS == 200


@pytest.mark.parametrize(
    "source, normalised",
    [
        ("assert(f(new int[]{1, 2}) == 3);", "assert(f(<list>) == <N>);"),
        ("assert f([4, 5, 6]) == 7", "assert f(<list>) == <N>"),
        ('assert_eq!(g(vec![1, -2], "x"), Ok(20));', "assert_eq!(g(<list>, <S>), Ok(<N>));"),
        ("check(h(10) == listOf(1, 2, 5))", "check(h(<N>) == <list>)"),
        ("assert.Equal(t, []int{1, 2}, f(3.5e-3))", "assert.Equal(t, <list>, f(<N>))"),
        ("a[0] == true", "a[<N>] == <B>"),
    ],
)
def test_normalised_check_source(source, normalised):
    assert normalise_check(source) == normalised


def test_registry_rejects_a_bad_checks_table(tmp_path):
    source = tmp_path / "x.toml"
    with pytest.raises(InputError, match="forms"):
        check_spec({"technique": "c_generic"}, source)
    with pytest.raises(InputError, match=r"checks\.forms\[0\]\.args"):
        check_spec({"technique": "c_generic", "forms": [{"call": "assert", "args": "x"}]}, source)
    with pytest.raises(InputError, match=r"checks\.forms\[0\]"):
        check_spec({"technique": "c_generic", "forms": [{"call": "a", "guard": "b"}]}, source)


def test_docs_name_the_languages_that_keep_their_first_check():
    causes = (Path(__file__).resolve().parents[2] / "docs" / "causes.md").read_text()
    flat = " ".join(causes.split("### Every check, for twelve languages", 1)[1].split())

    def names(text: str) -> set[str]:
        return {n.strip() for n in text.replace(" and ", ", ").split(",")}

    covered = names(flat.split("For ", 1)[1].split(", an opt-in", 1)[0])
    others = names(flat.split("The other languages — ", 1)[1].split(" — keep", 1)[0])
    spelled = {lang.name: "C++" if lang.name == "CPP" else lang.name for lang in all_languages()}
    assert covered == {spelled[n] for n in COVERED}
    assert others == {spelled[lang.name] for lang in all_languages() if lang.checks is None}
