"""Causes of failure from real toolchain output: broken programs run through the real sandbox
and toolchains (``execute``), then ``explain`` must name the right cause and raw class.

Each case is an answer plus the test appended to it, as McEval assembles programs; the answer is
the row's ``code``, so a failing assertion inside it is told apart from the test's. Cases are
grouped by language family; a language's cases run together, two at a time, when its first
test needs them.
"""

from __future__ import annotations

import re
import threading
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import pytest

from tests.conftest import require_toolchain
from workbench.errors import InputError
from workbench.execution.causes import CAUSES, Cause, explain, extraction_failure
from workbench.execution.execute import execute
from workbench.execution.records import Execution, Program
from workbench.paths import REGISTRY_DIR
from workbench.registry.languages import all_languages, cause_rules, get_language


@dataclass(frozen=True)
class Case:
    """A broken program and the cause ``explain`` must find in its real output."""

    language: str
    label: str
    answer: str
    test: str = ""
    cause: str = ""
    detail: str | None = None  # exact cause_detail
    check: str | None = None  # a substring of failing_check
    expected: str | None = None
    actual: str | None = None
    reference: str | None = None  # the task's reference answer (languages judged by comparison)

    @property
    def key(self) -> str:
        return f"{self.language}:{self.label}"

    @property
    def program(self) -> str:
        return self.answer + ("\n" + self.test if self.test else "")

    def matches(self, got: Cause) -> bool:
        return (
            got.cause == self.cause
            and (self.detail is None or got.cause_detail == self.detail)
            and (self.check is None or self.check in (got.failing_check or ""))
            and (self.expected is None or got.expected == self.expected)
            and (self.actual is None or got.actual == self.actual)
        )


def row_of(case: Case, execution: dict[str, Any]) -> dict[str, Any]:
    """The result row the runner would store for ``case``'s execution."""
    return {
        **{k: execution[k] for k in ("status", "reason", "stdout", "stderr", "exit_code")},
        "signal": execution["signal"],
        "language": case.language,
        "extraction": "fence:entry",
        "code": case.answer,
        "raw_generation": f"```\n{case.answer}\n```",
        "program": case.program,
    }


def run_case(case: Case) -> Execution:
    return execute(Program(case.language, case.program, reference=case.reference))


C = "C"
CPP = "CPP"
PY = "Python"
JAVA = "Java"
JS = "JavaScript"
SH = "Shell"

CASES: list[Case] = [
    # --- Python ----------------------------------------------------------------------------
    Case(PY, "syntax", "def f(:\n    return 1", cause="syntax", detail="SyntaxError"),
    Case(
        PY,
        "indentation",
        "def f(x):\nreturn x",
        cause="syntax",
        detail="IndentationError",
    ),
    Case(
        PY,
        "undefined",
        "def f():\n    return helper(1)",
        "assert f() == 1",
        cause="undefined_name",
        detail="NameError",
    ),
    Case(
        PY,
        "attribute",
        "def f(xs):\n    xs.push(1)\n    return xs",
        "assert f([]) == [1]",
        cause="undefined_name",
        detail="AttributeError",
    ),
    Case(
        PY,
        "missing-import",
        "def f(x):\n    return math.sqrt(x)",
        "assert f(4) == 2",
        cause="missing_import",
        detail="math",
    ),
    Case(
        PY,
        "missing-typing",
        "def f(xs: List[int]) -> int:\n    return len(xs)",
        "assert f([1]) == 1",
        cause="missing_import",
        detail="List",
    ),
    Case(
        PY,
        "no-module",
        "import numpy_is_not_here\n\ndef f():\n    return 1",
        "assert f() == 1",
        cause="missing_import",
        detail="numpy_is_not_here",
    ),
    Case(
        PY,
        "type",
        "def f(x):\n    return x + '1'",
        "assert f(1) == 2",
        cause="type_error",
        detail="TypeError",
    ),
    Case(
        PY,
        "arity",
        "def f(a, b):\n    return a + b",
        "assert f(1) == 2",
        cause="signature_mismatch",
        detail="TypeError",
    ),
    Case(
        PY,
        "index",
        "def f(xs):\n    return xs[3]",
        "assert f([1]) == 1",
        cause="index_out_of_range",
        detail="IndexError",
    ),
    Case(
        PY,
        "none",
        "def f(d):\n    return d.get('a').upper()",
        "assert f({}) == 'A'",
        cause="null_or_none",
        detail="AttributeError",
    ),
    Case(
        PY,
        "none-subscript",
        "def f(d):\n    return d.get('a')[0]",
        "assert f({}) == 'A'",
        cause="null_or_none",
        detail="TypeError",
    ),
    Case(
        PY,
        "key",
        "def f(d):\n    return d['k']",
        "assert f({}) == 1",
        cause="key_missing",
        detail="KeyError",
    ),
    Case(
        PY,
        "division",
        "def f(n):\n    return 10 // n",
        "assert f(0) == 1",
        cause="division_by_zero",
        detail="ZeroDivisionError",
    ),
    Case(
        PY,
        "recursion",
        "def f(n):\n    return f(n + 1)",
        "assert f(0) == 1",
        cause="recursion_depth",
        detail="RecursionError",
    ),
    Case(
        PY,
        "wrong",
        "def f(x):\n    return x + 1",
        "def check(candidate):\n    assert candidate(1) == 3\n\ncheck(f)",
        cause="wrong_answer",
        detail="AssertionError",
        check="assert candidate(1) == 3",
    ),
    Case(
        PY,
        "assert-in-answer",
        "def f(x):\n    assert x > 5, 'x too small'\n    return x",
        "def check(candidate):\n    assert candidate(1) == 1\n\ncheck(f)",
        cause="assertion_in_answer",
        detail="AssertionError",
        check="assert x > 5",
    ),
    Case(
        PY,
        "value",
        "def f(s):\n    return int(s)",
        "assert f('x1') == 1",
        cause="type_error",
        detail="ValueError",
    ),
    # --- C ---------------------------------------------------------------------------------
    Case(
        C,
        "syntax",
        "int f(int x) { return x +; }",
        "int main(void) { return f(1); }",
        cause="syntax",
    ),
    Case(
        C,
        "undeclared",
        "int f(void) { return missing_value; }",
        "int main(void) { return f(); }",
        cause="undefined_name",
        detail="undeclared",
    ),
    Case(
        C,
        "link",
        "int helper(int);\nint f(void) { return helper(1); }",
        "int main(void) { return f(); }",
        cause="undefined_name",
        detail="undefined reference",
    ),
    Case(
        C,
        "missing-include",
        "int f(void) { bool b = true; return b ? 0 : 1; }",
        "int main(void) { return f(); }",
        cause="missing_import",
        detail="<stdbool.h>",
    ),
    Case(
        C,
        "type",
        "struct P { int x; };\nint f(void) { struct P p = {1}; int *q = p; return *q; }",
        "int main(void) { return f(); }",
        cause="type_error",
        detail="incompatible types",
    ),
    Case(
        C,
        "arity",
        "int f(int a) { return a; }",
        "int main(void) { return f(1, 2); }",
        cause="signature_mismatch",
        detail="too many arguments",
    ),
    Case(
        C,
        "null",
        "int f(void) { volatile int *p = 0; return *p; }",
        "int main(void) { return f(); }",
        cause="null_or_none",
        detail="SIGSEGV",
    ),
    Case(
        C,
        "division",
        "int f(void) { volatile int z = 0; return 10 / z; }",
        "int main(void) { return f(); }",
        cause="division_by_zero",
        detail="SIGFPE",
    ),
    Case(
        C,
        "double-free",
        "#include <stdlib.h>\nchar *volatile keep;\n"
        "int f(void) { keep = malloc(24); free(keep); free(keep); return 0; }",
        "int main(void) { return f(); }",
        cause="null_or_none",
        detail="double free",
    ),
    Case(
        C,
        "wrong",
        "#include <assert.h>\nint f(int x) { return x + 1; }",
        "int main(void) {\n    assert(f(1) == 3);\n    return 0;\n}",
        cause="wrong_answer",
        detail="assert",
        check="f(1) == 3",
    ),
    Case(
        C,
        "assert-in-answer",
        "#include <assert.h>\nint f(int x) {\n    assert(x > 5);\n    return x;\n}",
        "int main(void) {\n    assert(f(1) == 1);\n    return 0;\n}",
        cause="assertion_in_answer",
        detail="assert",
        check="x > 5",
    ),
    # --- C++ -------------------------------------------------------------------------------
    Case(
        CPP,
        "syntax",
        "int f() { int x = ; return x; }",
        "int main() { return f(); }",
        cause="syntax",
    ),
    Case(
        CPP,
        "undeclared",
        "int f() { return missing_value; }",
        "int main() { return f(); }",
        cause="undefined_name",
        detail="was not declared",
    ),
    Case(
        CPP,
        "no-member",
        '#include <string>\nint f() { std::string s = "ab"; s.reverse(); return 0; }',
        "int main() { return f(); }",
        cause="undefined_name",
        detail="has no member named",
    ),
    Case(
        CPP,
        "missing-include",
        "int f() { std::vector<int> v; return v.size(); }",
        "int main() { return f(); }",
        cause="missing_import",
        detail="<vector>",
    ),
    Case(
        CPP,
        "type",
        '#include <string>\nint f() { std::string s = "a"; int x = s; return x; }',
        "int main() { return f(); }",
        cause="type_error",
        detail="cannot convert",
    ),
    Case(
        CPP,
        "arity",
        "int f(int a) { return a; }",
        "int main() { return f(1, 2); }",
        cause="signature_mismatch",
        detail="too many arguments",
    ),
    Case(
        CPP,
        "at",
        "#include <vector>\nint f() { std::vector<int> v; return v.at(3); }",
        "int main() { return f(); }",
        cause="index_out_of_range",
        detail="std::out_of_range",
    ),
    Case(
        CPP,
        "map-at",
        "#include <map>\nint f() { std::map<int, int> m; return m.at(3); }",
        "int main() { return f(); }",
        cause="key_missing",
        detail="std::out_of_range",
    ),
    Case(
        CPP,
        "division",
        "int f() { volatile int z = 0; return 10 / z; }",
        "int main() { return f(); }",
        cause="division_by_zero",
        detail="SIGFPE",
    ),
    Case(
        CPP,
        "wrong",
        "#include <cassert>\nint f(int x) { return x + 1; }",
        "int main() {\n    assert(f(1) == 3);\n    return 0;\n}",
        cause="wrong_answer",
        detail="assert",
        check="f(1) == 3",
    ),
    # --- Java ------------------------------------------------------------------------------
    Case(
        JAVA,
        "syntax",
        "public class Main {\n    static int f() { int x = 1 return x; }",
        "    public static void main(String[] args) { f(); }\n}",
        cause="syntax",
    ),
    Case(
        JAVA,
        "undefined",
        "public class Main {\n    static int f() { return missingValue; }",
        "    public static void main(String[] args) { f(); }\n}",
        cause="undefined_name",
        detail="cannot find symbol",
    ),
    Case(
        JAVA,
        "missing-import",
        "public class Main {\n    static List<Integer> f() { return new ArrayList<>(); }",
        "    public static void main(String[] args) { f(); }\n}",
        cause="missing_import",
        detail="List",
    ),
    Case(
        JAVA,
        "type",
        'public class Main {\n    static int f() { int x = "a"; return x; }',
        "    public static void main(String[] args) { f(); }\n}",
        cause="type_error",
        detail="incompatible types",
    ),
    Case(
        JAVA,
        "arity",
        "public class Main {\n    static int f(int a) { return a; }",
        "    public static void main(String[] args) { f(1, 2); }\n}",
        cause="signature_mismatch",
        detail="cannot be applied to given types",
    ),
    Case(
        JAVA,
        "index",
        "public class Main {\n    static int f() { int[] a = new int[1]; return a[3]; }",
        "    public static void main(String[] args) { f(); }\n}",
        cause="index_out_of_range",
        detail="java.lang.ArrayIndexOutOfBoundsException",
    ),
    Case(
        JAVA,
        "null",
        "public class Main {\n    static int f(String s) { return s.length(); }",
        "    public static void main(String[] args) { f(null); }\n}",
        cause="null_or_none",
        detail="java.lang.NullPointerException",
    ),
    Case(
        JAVA,
        "division",
        "public class Main {\n    static int f(int z) { return 10 / z; }",
        "    public static void main(String[] args) { f(0); }\n}",
        cause="division_by_zero",
        detail="java.lang.ArithmeticException",
    ),
    Case(
        JAVA,
        "recursion",
        "public class Main {\n    static int f(int n) { return f(n + 1) + 1; }",
        "    public static void main(String[] args) { f(0); }\n}",
        cause="recursion_depth",
        detail="java.lang.StackOverflowError",
    ),
    Case(
        JAVA,
        "key",
        "import java.util.*;\npublic class Main {\n"
        "    static int f() { return new ArrayList<Integer>().iterator().next(); }",
        "    public static void main(String[] args) { f(); }\n}",
        cause="key_missing",
        detail="java.util.NoSuchElementException",
    ),
    Case(
        JAVA,
        "wrong",
        "public class Main {\n    static int f(int x) { return x + 1; }",
        "    public static void main(String[] args) {\n        assert f(1) == 3;\n    }\n}",
        cause="wrong_answer",
        detail="java.lang.AssertionError",
        check="assert f(1) == 3;",
    ),
    # --- JavaScript ------------------------------------------------------------------------
    Case(
        JS, "syntax", "function f( {\n  return 1;\n}", "f();", cause="syntax", detail="SyntaxError"
    ),
    Case(
        JS,
        "redeclared",
        "function f() {\n  let a = 1;\n  let a = 2;\n  return a;\n}",
        "f();",
        cause="syntax",
        detail="SyntaxError",
    ),
    Case(
        JS,
        "undefined",
        "function f() {\n  return helper(1);\n}",
        "f();",
        cause="undefined_name",
        detail="ReferenceError",
    ),
    Case(
        JS,
        "not-a-function",
        "function f(s) {\n  return s.push(1);\n}",
        "f('a');",
        cause="type_error",
        detail="TypeError",
    ),
    Case(
        JS,
        "undefined-property",
        "function f(o) {\n  return o.a.b;\n}",
        "f({});",
        cause="null_or_none",
        detail="TypeError",
    ),
    Case(
        JS,
        "missing-module",
        "const x = require('left-pad-not-installed');\nfunction f() {\n  return 1;\n}",
        "f();",
        cause="missing_import",
        detail="left-pad-not-installed",
    ),
    Case(
        JS,
        "recursion",
        "function f(n) {\n  return f(n + 1) + 1;\n}",
        "f(0);",
        cause="recursion_depth",
        detail="SIGSEGV",
    ),
    Case(
        JS,
        "console-assert",
        "function f(x) {\n  return x + 1;\n}",
        "(() => {\n  console.assert(f(1) === 3);\n})();",
        cause="wrong_answer",
        detail="console.assert",
    ),
    Case(
        JS,
        "console-assert-message",
        "function f(x) {\n  return x + 1;\n}",
        "(() => {\n  console.assert(f(1) === 2, 'f(1) is 2');\n"
        "  console.assert(f(2) === 4, 'f(2) is 4');\n})();",
        cause="wrong_answer",
        detail="console.assert",
        check="console.assert(f(2) === 4, 'f(2) is 4');",
    ),
    Case(
        JS,
        "assert-falsy",
        "const assert = require('assert');\nfunction f(x) {\n  return x + 1;\n}",
        "assert(f(1) === 3);",
        cause="wrong_answer",
        detail="AssertionError",
        check="assert(f(1) === 3)",
    ),
    Case(
        JS,
        "assert-module",
        "const assert = require('assert');\nfunction f(x) {\n  return x + 1;\n}",
        "assert.strictEqual(f(1), 3);",
        cause="wrong_answer",
        detail="AssertionError",
        check="assert.strictEqual(f(1), 3);",
        expected="3",
        actual="2",
    ),
    # --- Shell -----------------------------------------------------------------------------
    Case(
        SH,
        "syntax",
        "f() {\n  if [ 1 -eq 1 ]; then\n    echo 1\n}",
        "f",
        cause="syntax",
    ),
    Case(
        SH,
        "command-not-found",
        'f() {\n  frobnicate_the_input "$1"\n}',
        '[[ $(f 1) == "1" ]] || { echo "Test 1 failed"; exit 1; }',
        cause="undefined_name",
        detail="command not found",
    ),
    Case(
        SH,
        "usage",
        'f() {\n  echo "$1"\n}\nif [ $# -lt 1 ]; then\n  echo "Usage: $0 <n>" >&2\n  exit 1\nfi',
        '[[ $(f 1) == "1" ]] || { echo "Test 1 failed"; exit 1; }',
        cause="signature_mismatch",
        detail="usage message",
    ),
    Case(
        SH,
        "division",
        "f() {\n  echo $(( 10 / $1 ))\n}\nf 0",
        cause="division_by_zero",
        detail="division by 0",
    ),
    Case(
        SH,
        "wrong",
        "f() {\n  echo 2\n}",
        'test_f() {\n  [[ $(f 1) == "3" ]] || { echo "Test 1 failed"; exit 1; }\n}\n\ntest_f',
        cause="wrong_answer",
        detail="test failed",
        check='[[ $(f 1) == "3" ]] || { echo "Test 1 failed"; exit 1; }',
    ),
]

KT = "Kotlin"
SCALA = "Scala"
GROOVY = "Groovy"
CS = "C#"
TS = "TypeScript"
COFFEE = "CoffeeScript"

_SCALA_MAIN = "  def main(args: Array[String]): Unit = println(f(0))\n}"

CASES += [
    # --- Kotlin (a script, as kotlinc -script runs it) -------------------------------------
    Case(KT, "syntax", "fun f(x: Int): Int {\n    return x +\n}", "println(f(1))", cause="syntax"),
    Case(
        KT,
        "undefined",
        "fun f(): Int = missingValue",
        "println(f())",
        cause="undefined_name",
        detail="unresolved reference",
    ),
    Case(
        KT,
        "missing-import",
        "fun f(): Int {\n    val q = PriorityQueue<Int>()\n    return q.size\n}",
        "println(f())",
        cause="missing_import",
        detail="PriorityQueue",
    ),
    Case(
        KT,
        "type",
        'fun f(): Int = "a"',
        "println(f())",
        cause="type_error",
        detail="type mismatch",
    ),
    Case(
        KT,
        "arity",
        "fun f(a: Int): Int = a",
        "println(f(1, 2))",
        cause="signature_mismatch",
        detail="too many arguments",
    ),
    Case(
        KT,
        "index",
        "fun f(): Int = intArrayOf(1)[3]",
        "println(f())",
        cause="index_out_of_range",
        detail="java.lang.ArrayIndexOutOfBoundsException",
    ),
    Case(
        KT,
        "null",
        "fun f(s: String?): Int = s!!.length",
        "println(f(null))",
        cause="null_or_none",
        detail="java.lang.NullPointerException",
    ),
    Case(
        KT,
        "key",
        "fun f(): Int = mapOf<Int, Int>().getValue(3)",
        "println(f())",
        cause="key_missing",
        detail="java.util.NoSuchElementException",
    ),
    Case(
        KT,
        "division",
        "fun f(z: Int): Int = 10 / z",
        "println(f(0))",
        cause="division_by_zero",
        detail="java.lang.ArithmeticException",
    ),
    Case(
        KT,
        "recursion",
        "fun f(n: Int): Int = f(n + 1) + 1",
        "println(f(0))",
        cause="recursion_depth",
        detail="java.lang.StackOverflowError",
    ),
    Case(
        KT,
        "wrong",
        "fun f(x: Int): Int = x + 1",
        "fun main() {\n    check(f(1) == 2)\n    check(f(2) == 4)\n}\nmain()",
        cause="wrong_answer",
        detail="Check failed",
        check="check(f(2) == 4)",
    ),
    # --- Scala 2.11 ------------------------------------------------------------------------
    Case(
        SCALA,
        "syntax",
        "object Main {\n  def f(x: Int): Int = { x + ) }",
        _SCALA_MAIN,
        cause="syntax",
    ),
    Case(
        SCALA,
        "undefined",
        "object Main {\n  def f(x: Int): Int = missingValue",
        _SCALA_MAIN,
        cause="undefined_name",
        detail="not found",
    ),
    Case(
        SCALA,
        "missing-import",
        "object Main {\n  def f(x: Int): Int = { val b = ListBuffer[Int](); b.size }",
        _SCALA_MAIN,
        cause="missing_import",
        detail="ListBuffer",
    ),
    Case(
        SCALA,
        "type",
        'object Main {\n  def f(x: Int): Int = "a"',
        _SCALA_MAIN,
        cause="type_error",
        detail="type mismatch",
    ),
    Case(
        SCALA,
        "arity",
        "object Main {\n  def f(x: Int): Int = x\n  def g: Int = f(1, 2)",
        _SCALA_MAIN,
        cause="signature_mismatch",
        detail="too many arguments",
    ),
    Case(
        SCALA,
        "index",
        "object Main {\n  def f(x: Int): Int = List(1)(x + 3)",
        _SCALA_MAIN,
        cause="index_out_of_range",
        detail="java.lang.IndexOutOfBoundsException",
    ),
    Case(
        SCALA,
        "key",
        "object Main {\n  def f(x: Int): Int = Map[Int, Int]()(x)",
        _SCALA_MAIN,
        cause="key_missing",
        detail="java.util.NoSuchElementException",
    ),
    Case(
        SCALA,
        "division",
        "object Main {\n  def f(x: Int): Int = 10 / x",
        _SCALA_MAIN,
        cause="division_by_zero",
        detail="java.lang.ArithmeticException",
    ),
    Case(
        SCALA,
        "wrong",
        "object Main {\n  def f(x: Int): Int = x + 1",
        "  def test(): Unit = {\n    assert(f(1) == 2)\n    assert(f(2) == 4)\n  }\n"
        "  def main(args: Array[String]): Unit = test()\n}",
        cause="wrong_answer",
        detail="java.lang.AssertionError",
        check="assert(f(2) == 4)",
    ),
    # --- Groovy 2.4 ------------------------------------------------------------------------
    Case(GROOVY, "syntax", "def f(x) {\n  return (x +\n}", "println f(1)", cause="syntax"),
    Case(
        GROOVY,
        "undefined",
        "def f() {\n  return missingValue\n}",
        "println f()",
        cause="undefined_name",
        detail="groovy.lang.MissingPropertyException",
    ),
    Case(
        GROOVY,
        "arity",
        "def f(a) {\n  return a\n}",
        "println f(1, 2)",
        cause="signature_mismatch",
        detail="groovy.lang.MissingMethodException",
    ),
    Case(
        GROOVY,
        "no-method",
        "def f(xs) {\n  return xs.pushAll(1)\n}",
        "println f([])",
        cause="undefined_name",
        detail="groovy.lang.MissingMethodException",
    ),
    Case(
        GROOVY,
        "null",
        "def f(s) {\n  return s.length()\n}",
        "println f(null)",
        cause="null_or_none",
        detail="java.lang.NullPointerException",
    ),
    Case(
        GROOVY,
        "division",
        "def f(z) {\n  return 10.intdiv(z)\n}",
        "println f(0)",
        cause="division_by_zero",
        detail="java.lang.ArithmeticException",
    ),
    Case(
        GROOVY,
        "wrong",
        "def f(x) {\n  return x + 1\n}",
        "assert f(1) == 2\nassert f(2) == 4",
        cause="wrong_answer",
        detail="Assertion failed",
        check="assert f(2) == 4",
    ),
    # --- C# (Mono) -------------------------------------------------------------------------
    Case(
        CS,
        "syntax",
        "class Program {\n    static int F(int x) { return x + ; }",
        "    static void Main() { System.Console.WriteLine(F(1)); }\n}",
        cause="syntax",
        detail="CS1525",
    ),
    Case(
        CS,
        "undefined",
        "class Program {\n    static int F(int x) { return missingValue; }",
        "    static void Main() { System.Console.WriteLine(F(1)); }\n}",
        cause="undefined_name",
        detail="CS0103",
    ),
    Case(
        CS,
        "missing-import",
        "class Program {\n    static int F(int x) { var b = new StringBuilder(); return b.Length; }",
        "    static void Main() { System.Console.WriteLine(F(1)); }\n}",
        cause="missing_import",
        detail="CS0246",
    ),
    Case(
        CS,
        "type",
        'class Program {\n    static int F(int x) { return "a"; }',
        "    static void Main() { System.Console.WriteLine(F(1)); }\n}",
        cause="type_error",
        detail="CS0029",
    ),
    Case(
        CS,
        "arity",
        "class Program {\n    static int F(int x) { return x; }",
        "    static void Main() { System.Console.WriteLine(F(1, 2)); }\n}",
        cause="signature_mismatch",
        detail="CS1501",
    ),
    Case(
        CS,
        "index",
        "class Program {\n    static int F(int x) { int[] a = new int[1]; return a[x]; }",
        "    static void Main() { System.Console.WriteLine(F(3)); }\n}",
        cause="index_out_of_range",
        detail="System.IndexOutOfRangeException",
    ),
    Case(
        CS,
        "null",
        "class Program {\n    static int F(string s) { return s.Length; }",
        "    static void Main() { System.Console.WriteLine(F(null)); }\n}",
        cause="null_or_none",
        detail="System.NullReferenceException",
    ),
    Case(
        CS,
        "key",
        "class Program {\n    static int F(int x) { return new Dictionary<int, int>()[x]; }",
        "    static void Main() { System.Console.WriteLine(F(3)); }\n}",
        cause="key_missing",
        detail="System.Collections.Generic.KeyNotFoundException",
    ),
    Case(
        CS,
        "division",
        "class Program {\n    static int F(int x) { return 10 / x; }",
        "    static void Main() { System.Console.WriteLine(F(0)); }\n}",
        cause="division_by_zero",
        detail="System.DivideByZeroException",
    ),
    Case(
        CS,
        "wrong",
        "using System.Diagnostics;\nclass Program {\n    static int F(int x) { return x + 1; }",
        "    static void Main() {\n        Debug.Assert(F(1) == 2);\n"
        "        Debug.Assert(F(2) == 4);\n    }\n}",
        cause="wrong_answer",
        detail="Debug.Assert",
    ),
    # --- TypeScript (tsc, then Node) -------------------------------------------------------
    Case(
        TS,
        "syntax",
        "function f(x: number): number {\n  return x +;\n}",
        "f(1);",
        cause="syntax",
        detail="TS1109",
    ),
    Case(
        TS,
        "undefined",
        "function f(x: number): number {\n  return missingValue;\n}",
        "f(1);",
        cause="undefined_name",
        detail="TS2304",
    ),
    Case(
        TS,
        "no-property",
        "function f(x: number[]): number {\n  return x.size;\n}",
        "f([1]);",
        cause="undefined_name",
        detail="TS2339",
    ),
    Case(
        TS,
        "type",
        "function f(x: number): number {\n  return 'a';\n}",
        "f(1);",
        cause="type_error",
        detail="TS2322",
    ),
    Case(
        TS,
        "arity",
        "function f(x: number): number {\n  return x;\n}",
        "f(1, 2);",
        cause="signature_mismatch",
        detail="TS2554",
    ),
    Case(
        TS,
        "missing-module",
        "import { chunk } from 'lodash-not-installed';\nfunction f(x: number): number {\n"
        "  return x;\n}",
        "f(1);",
        cause="missing_import",
        detail="TS2792",
    ),
    Case(
        TS,
        "null",
        "function f(o: any): number {\n  return o.a.b;\n}",
        "f({});",
        cause="null_or_none",
        detail="TypeError",
    ),
    Case(
        TS,
        "wrong",
        "function f(x: number): number {\n  return x + 1;\n}",
        "(() => {\n  console.assert(f(1) === 2, 'f(1) is 2');\n"
        "  console.assert(f(2) === 4, 'f(2) is 4');\n})();",
        cause="wrong_answer",
        detail="console.assert",
        check="console.assert(f(2) === 4, 'f(2) is 4');",
    ),
    # --- CoffeeScript 1 (coffee, then Node) ------------------------------------------------
    Case(COFFEE, "syntax", "f = (x) ->\n  return x +", "f 1", cause="syntax"),
    Case(
        COFFEE,
        "undefined",
        "f = (x) ->\n  missingValue + x",
        "f 1",
        cause="undefined_name",
        detail="ReferenceError",
    ),
    Case(
        COFFEE,
        "null",
        "f = (o) ->\n  o.a.b",
        "f {}",
        cause="null_or_none",
        detail="TypeError",
    ),
    Case(
        COFFEE,
        "wrong",
        "f = (x) ->\n  x + 1",
        "class AssertionError extends Error\n\nassertEqual = (actual, expected, message = null) ->\n"
        "  throw new AssertionError(message) unless actual is expected\n\n"
        'main = ->\n  assertEqual f(1), 2, "Test Case 1 Failed"\n'
        '  assertEqual f(2), 4, "Test Case 2 Failed"\n\nmain()',
        cause="wrong_answer",
        detail="AssertionError",
        check='assertEqual f(2), 4, "Test Case 2 Failed"',
    ),
]

RUBY = "Ruby"
PERL = "Perl"
PHP = "PHP"
LUA = "Lua"
TCL = "Tcl"
R = "R"

CASES += [
    # --- Ruby ------------------------------------------------------------------------------
    Case(RUBY, "syntax", "def f(x)\n  x +\nend", "puts f(1)", cause="syntax"),
    Case(
        RUBY,
        "undefined",
        "def f(x)\n  missing_value + x\nend",
        "puts f(1)",
        cause="undefined_name",
        detail="NameError",
    ),
    Case(
        RUBY,
        "no-method",
        "def f(xs)\n  xs.push_all(1)\nend",
        "puts f([])",
        cause="undefined_name",
        detail="NoMethodError",
    ),
    Case(
        RUBY,
        "missing-require",
        "def f(n)\n  Prime.prime?(n)\nend",
        "puts f(7)",
        cause="missing_import",
        detail="Prime",
    ),
    Case(
        RUBY,
        "nil",
        "def f(h)\n  h[:a].upcase\nend",
        "puts f({})",
        cause="null_or_none",
        detail="NoMethodError",
    ),
    Case(
        RUBY,
        "type",
        "def f(x)\n  x + 'a'\nend",
        "puts f(1)",
        cause="type_error",
        detail="TypeError",
    ),
    Case(
        RUBY,
        "arity",
        "def f(a, b)\n  a + b\nend",
        "puts f(1)",
        cause="signature_mismatch",
        detail="ArgumentError",
    ),
    Case(
        RUBY,
        "index",
        "def f(xs)\n  xs.fetch(3)\nend",
        "puts f([1])",
        cause="index_out_of_range",
        detail="IndexError",
    ),
    Case(
        RUBY,
        "key",
        "def f(h)\n  h.fetch(:a)\nend",
        "puts f({})",
        cause="key_missing",
        detail="KeyError",
    ),
    Case(
        RUBY,
        "division",
        "def f(z)\n  10 / z\nend",
        "puts f(0)",
        cause="division_by_zero",
        detail="ZeroDivisionError",
    ),
    Case(
        RUBY,
        "recursion",
        "def f(n)\n  f(n + 1) + 1\nend",
        "puts f(0)",
        cause="recursion_depth",
        detail="SystemStackError",
    ),
    Case(
        RUBY,
        "wrong",
        "def f(x)\n  x + 1\nend",
        "raise 'Test failed' unless f(1) == 2\nraise 'Test failed' unless f(2) == 4",
        cause="wrong_answer",
        detail="RuntimeError",
        check="raise 'Test failed' unless f(2) == 4",
    ),
    # --- Perl ------------------------------------------------------------------------------
    Case(PERL, "syntax", "sub f {\n  my $x = (1;\n  return $x;\n}", "print f(1);", cause="syntax"),
    Case(
        PERL,
        "undefined-sub",
        "sub f {\n  return missing_sub(1);\n}",
        "print f();",
        cause="undefined_name",
        detail="Undefined subroutine",
    ),
    Case(
        PERL,
        "strict",
        "use strict;\nsub f {\n  return $missing;\n}",
        "print f();",
        cause="undefined_name",
        detail="Global symbol requires explicit package name",
    ),
    Case(
        PERL,
        "missing-module",
        "use List::NotInstalledUtils qw(uniq);\nsub f {\n  return 1;\n}",
        "print f();",
        cause="missing_import",
        detail="List/NotInstalledUtils.pm",
    ),
    Case(
        PERL,
        "undef-method",
        "sub f {\n  my $o;\n  return $o->size();\n}",
        "print f();",
        cause="null_or_none",
        detail="Can't call method on an undefined value",
    ),
    Case(
        PERL,
        "division",
        "sub f {\n  my $z = shift;\n  return 10 / $z;\n}",
        "print f(0);",
        cause="division_by_zero",
        detail="Illegal division by zero",
    ),
    Case(
        PERL,
        "wrong",
        "sub f {\n  my $x = shift;\n  return $x + 1;\n}",
        'die "Test failed!" unless f(1) == 2;\ndie "Test failed!" unless f(2) == 4;',
        cause="wrong_answer",
        detail="die",
        check='die "Test failed!" unless f(2) == 4;',
    ),
    # --- PHP -------------------------------------------------------------------------------
    Case(PHP, "syntax", "<?php\nfunction f($x) {\n  return $x +;\n}", "echo f(1);", cause="syntax"),
    Case(
        PHP,
        "undefined",
        "<?php\nfunction f($x) {\n  return missing_fn($x);\n}",
        "echo f(1);",
        cause="undefined_name",
        detail="Call to undefined function",
    ),
    Case(
        PHP,
        "arity",
        "<?php\nfunction f($a, $b) {\n  return $a + $b;\n}",
        "echo f(1);",
        cause="signature_mismatch",
        detail="ArgumentCountError",
    ),
    Case(
        PHP,
        "type",
        "<?php\nfunction f(int $x) {\n  return $x;\n}",
        "echo f('a');",
        cause="type_error",
        detail="TypeError",
    ),
    Case(
        PHP,
        "null",
        "<?php\nfunction f($o) {\n  return $o->size();\n}",
        "echo f(null);",
        cause="null_or_none",
        detail="Call to a member function on null",
    ),
    Case(
        PHP,
        "division",
        "<?php\nfunction f($z) {\n  return intdiv(10, $z);\n}",
        "echo f(0);",
        cause="division_by_zero",
        detail="DivisionByZeroError",
    ),
    Case(
        PHP,
        "recursion",
        "<?php\nfunction f($n) {\n  return f($n + 1) + 1;\n}",
        "echo f(0);",
        cause="memory_limit",
    ),
    Case(
        PHP,
        "wrong",
        "<?php\nfunction f($x) {\n  return $x + 1;\n}",
        "function main() {\n  assert(f(1) === 2);\n  assert(f(2) === 4);\n}\nmain();",
        cause="wrong_answer",
        detail="AssertionError",
        check="assert(f(2) === 4)",
    ),
    # --- Lua -------------------------------------------------------------------------------
    Case(LUA, "syntax", "function f(x)\n  return x +\nend", "print(f(1))", cause="syntax"),
    Case(
        LUA,
        "undefined",
        "function f(x)\n  return missing_fn(x)\nend",
        "print(f(1))",
        cause="undefined_name",
        detail="attempt to call a nil value",
    ),
    Case(
        LUA,
        "nil",
        "function f(t)\n  return t.a.b\nend",
        "print(f({}))",
        cause="null_or_none",
        detail="attempt to index a nil value",
    ),
    Case(
        LUA,
        "type",
        "function f(x)\n  return x + {}\nend",
        "print(f(1))",
        cause="type_error",
        detail="attempt to perform arithmetic on a table value",
    ),
    Case(
        LUA,
        "missing-module",
        "local lfs = require('lfs_not_installed')\nfunction f(x)\n  return x\nend",
        "print(f(1))",
        cause="missing_import",
        detail="lfs_not_installed",
    ),
    Case(
        LUA,
        "division",
        "function f(z)\n  return 10 // z\nend",
        "print(f(0))",
        cause="division_by_zero",
        detail="attempt to divide by zero",
    ),
    Case(
        LUA,
        "recursion",
        "function f(n)\n  return f(n + 1) + 1\nend",
        "print(f(0))",
        cause="recursion_depth",
        detail="stack overflow",
    ),
    Case(
        LUA,
        "wrong",
        "function f(x)\n  return x + 1\nend",
        "local function test()\n  assert(f(1) == 2)\n  assert(f(2) == 4)\nend\ntest()",
        cause="wrong_answer",
        detail="assertion failed!",
        check="assert(f(2) == 4)",
    ),
    # --- Tcl -------------------------------------------------------------------------------
    Case(TCL, "syntax", "proc f {x} {\n  return [expr {$x + 1}]\n", "puts [f 1]", cause="syntax"),
    Case(
        TCL,
        "undefined",
        "proc f {x} {\n  return [missing_cmd $x]\n}",
        "puts [f 1]",
        cause="undefined_name",
        detail="invalid command name",
    ),
    Case(
        TCL,
        "no-variable",
        "proc f {x} {\n  return [expr {$y + 1}]\n}",
        "puts [f 1]",
        cause="undefined_name",
        detail="no such variable",
    ),
    Case(
        TCL,
        "arity",
        "proc f {x} {\n  return $x\n}",
        "puts [f 1 2]",
        cause="signature_mismatch",
        detail="wrong # args",
    ),
    Case(
        TCL,
        "type",
        "proc f {x} {\n  return [expr {$x + 1}]\n}",
        "puts [f abc]",
        cause="type_error",
        detail="can't use non-numeric string as operand",
    ),
    Case(
        TCL,
        "key",
        "proc f {d} {\n  return [dict get $d k]\n}",
        "puts [f {}]",
        cause="key_missing",
        detail="not known in dictionary",
    ),
    Case(
        TCL,
        "division",
        "proc f {z} {\n  return [expr {10 / $z}]\n}",
        "puts [f 0]",
        cause="division_by_zero",
        detail="divide by zero",
    ),
    Case(
        TCL,
        "recursion",
        "proc f {n} {\n  return [expr {[f [expr {$n + 1}]] + 1}]\n}",
        "puts [f 0]",
        cause="recursion_depth",
        detail="too many nested evaluations",
    ),
    Case(
        TCL,
        "wrong",
        "proc f {x} {\n  return [expr {$x + 1}]\n}",
        'proc check {f} {\nif {[f 1] == 2} {\nputs "Test case 1 Passed"\n} else {\n'
        'error "Test case 1 Failed"\n}\nif {[f 2] == 4} {\nputs "Test case 2 Passed"\n'
        '} else {\nerror "Test case 2 Failed"\n}\n}\ncheck f',
        cause="wrong_answer",
        detail="error",
        check='error "Test case 2 Failed"',
    ),
    # --- R ---------------------------------------------------------------------------------
    Case(R, "syntax", "f <- function(x) {\n  x +\n}", "print(f(1))", cause="syntax"),
    Case(
        R,
        "undefined-function",
        "f <- function(x) {\n  missing_fn(x)\n}",
        "print(f(1))",
        cause="undefined_name",
        detail="could not find function",
    ),
    Case(
        R,
        "undefined-object",
        "f <- function(x) {\n  x + y\n}",
        "print(f(1))",
        cause="undefined_name",
        detail="object not found",
    ),
    Case(
        R,
        "missing-package",
        "library(notinstalledpkg)\nf <- function(x) {\n  x\n}",
        "print(f(1))",
        cause="missing_import",
        detail="notinstalledpkg",
    ),
    Case(
        R,
        "type",
        "f <- function(x) {\n  x + 'a'\n}",
        "print(f(1))",
        cause="type_error",
        detail="non-numeric argument to binary operator",
    ),
    Case(
        R,
        "arity",
        "f <- function(x) {\n  x\n}",
        "print(f(1, 2))",
        cause="signature_mismatch",
        detail="unused argument",
    ),
    Case(
        R,
        "index",
        "f <- function(x) {\n  m <- matrix(1:4, 2)\n  m[x, 1]\n}",
        "print(f(5))",
        cause="index_out_of_range",
        detail="subscript out of bounds",
    ),
    Case(
        R,
        "null",
        "f <- function(x) {\n  if (x$a > 1) 1 else 0\n}",
        "print(f(list()))",
        cause="null_or_none",
        detail="argument is of length zero",
    ),
    Case(
        R,
        "recursion",
        "f <- function(n) {\n  f(n + 1) + 1\n}",
        "print(f(0))",
        cause="recursion_depth",
    ),
    Case(
        R,
        "wrong",
        "f <- function(x) {\n  x + 1\n}",
        "test_f <- function() {\n  stopifnot(f(1) == 2)\n  stopifnot(f(2) == 4)\n}\ntest_f()",
        cause="wrong_answer",
        detail="stopifnot",
        check="f(2) == 4",
    ),
]

HS = "Haskell"
ERL = "Erlang"
EX = "Elixir"
RKT = "Racket"
SCM = "Scheme"
CL = "Common Lisp"
EL = "Emacs Lisp"

_HS_MAIN = "main :: IO ()\nmain = print (f 1)"
_ERL_HEAD = "-module(main).\n-export([test/0]).\n"
_RKT = "#lang racket\n(require rackunit)\n"

CASES += [
    # --- Haskell (GHC 9.0) -----------------------------------------------------------------
    Case(
        HS, "syntax", "f :: Int -> Int\nf x = (x +", _HS_MAIN, cause="syntax", detail="parse error"
    ),
    Case(
        HS,
        "undefined",
        "f :: Int -> Int\nf x = missingValue x",
        _HS_MAIN,
        cause="undefined_name",
        detail="Variable not in scope",
    ),
    Case(
        HS,
        "missing-import",
        "f :: Int -> [Int]\nf x = sort [x, 0]",
        _HS_MAIN,
        cause="missing_import",
        detail="sort",
    ),
    Case(
        HS,
        "type",
        'f :: Int -> Int\nf x = "a"',
        _HS_MAIN,
        cause="type_error",
        detail="Couldn't match type",
    ),
    Case(
        HS,
        "arity",
        "f :: Int -> Int\nf x = x",
        "main :: IO ()\nmain = print (f 1 2)",
        cause="signature_mismatch",
        detail="applied to too many arguments",
    ),
    Case(
        HS,
        "head",
        "f :: Int -> Int\nf x = head (filter (> x) [])",
        _HS_MAIN,
        cause="index_out_of_range",
        detail="Prelude.head: empty list",
    ),
    Case(
        HS,
        "key",
        "import qualified Data.Map as Map\nf :: Int -> Int\nf x = Map.fromList [(0, 0)] Map.! x",
        _HS_MAIN,
        cause="key_missing",
        detail="Map.!: given key is not an element in the map",
    ),
    Case(
        HS,
        "nothing",
        "import Data.Maybe (fromJust)\nf :: Int -> Int\nf x = fromJust (lookup x [])",
        _HS_MAIN,
        cause="null_or_none",
        detail="Maybe.fromJust: Nothing",
    ),
    Case(
        HS,
        "division",
        "f :: Int -> Int\nf x = 10 `div` (x - 1)",
        _HS_MAIN,
        cause="division_by_zero",
        detail="divide by zero",
    ),
    Case(
        HS,
        "non-exhaustive",
        "f :: Int -> Int\nf 0 = 0",
        _HS_MAIN,
        cause="other_runtime",
        detail="Non-exhaustive patterns",
    ),
    Case(
        HS,
        "wrong",
        "f :: Int -> Int\nf x = x + 1",
        "check :: (Int -> Int) -> IO ()\ncheck g = mapM_ t [(1, 2), (2, 4)]\n  where\n"
        "    t (x, expected) = do\n      let result = g x\n      putStrLn $\n"
        '        "Input: " ++ show x ++ ", Expected: " ++ show expected ++ ", Result: " ++ '
        'show result ++\n        if result == expected then " (Pass)" else error '
        '"Test failed. Exiting..."\n\nmain :: IO ()\nmain = check f',
        cause="wrong_answer",
        detail="Test failed",
        check='if result == expected then " (Pass)" else error',
    ),
    # --- Erlang ----------------------------------------------------------------------------
    Case(
        ERL,
        "syntax",
        _ERL_HEAD + "f(X) -> X +.",
        "test() -> f(1).",
        cause="syntax",
        detail="syntax error before",
    ),
    Case(
        ERL,
        "undefined",
        _ERL_HEAD + "f(X) -> missing_fn(X).",
        "test() -> f(1).",
        cause="undefined_name",
        detail="function undefined",
    ),
    Case(
        ERL,
        "unbound",
        _ERL_HEAD + "f(X) -> X + Y.",
        "test() -> f(1).",
        cause="undefined_name",
        detail="variable is unbound",
    ),
    Case(
        ERL,
        "undef",
        _ERL_HEAD + "f(X) -> lists:no_such_function(X).",
        "test() -> f(1).",
        cause="undefined_name",
        detail="undef",
    ),
    Case(
        ERL,
        "type",
        _ERL_HEAD + "f(X) -> X + a.",
        "test() -> f(1).",
        cause="type_error",
        detail="badarith",
    ),
    Case(
        ERL,
        "division",
        _ERL_HEAD + "f(X) -> 10 div X.",
        "test() -> f(0).",
        cause="division_by_zero",
        detail="badarith",
    ),
    Case(
        ERL,
        "index",
        _ERL_HEAD + "f(X) -> lists:nth(X, [1]).",
        "test() -> f(3).",
        cause="index_out_of_range",
        detail="function_clause",
    ),
    Case(
        ERL,
        "key",
        _ERL_HEAD + "f(X) -> maps:get(X, #{}).",
        "test() -> f(3).",
        cause="key_missing",
        detail="badkey",
    ),
    Case(
        ERL,
        "wrong",
        _ERL_HEAD + "f(X) -> X + 1.",
        "test() ->\n    2 = f(1),\n    4 = f(2),\n    ok.",
        cause="wrong_answer",
        detail="badmatch",
        check="4 = f(2),",
        actual="3",
    ),
    # --- Elixir ----------------------------------------------------------------------------
    Case(
        EX,
        "syntax",
        "defmodule M do\n  def f(x) do\n    x +\n  end\nend",
        "IO.puts M.f(1)",
        cause="syntax",
    ),
    Case(
        EX,
        "undefined",
        "defmodule M do\n  def f(x) do\n    missing_fn(x)\n  end\nend",
        "IO.puts M.f(1)",
        cause="undefined_name",
        detail="undefined function",
    ),
    Case(
        EX,
        "undefined-remote",
        "defmodule M do\n  def f(x) do\n    Enum.no_such_function(x)\n  end\nend",
        "IO.puts M.f(1)",
        cause="undefined_name",
        detail="UndefinedFunctionError",
    ),
    Case(
        EX,
        "type",
        'defmodule M do\n  def f(x) do\n    x + "a"\n  end\nend',
        "IO.puts M.f(1)",
        cause="type_error",
        detail="ArithmeticError",
    ),
    Case(
        EX,
        "division",
        "defmodule M do\n  def f(x) do\n    div(10, x)\n  end\nend",
        "IO.puts M.f(0)",
        cause="division_by_zero",
        detail="ArithmeticError",
    ),
    Case(
        EX,
        "key",
        "defmodule M do\n  def f(x) do\n    Map.fetch!(%{}, x)\n  end\nend",
        "IO.puts M.f(0)",
        cause="key_missing",
        detail="KeyError",
    ),
    Case(
        EX,
        "nil",
        "defmodule M do\n  def f(x) do\n    Enum.count(x)\n  end\nend",
        "IO.puts M.f(nil)",
        cause="null_or_none",
        detail="Protocol.UndefinedError",
    ),
    Case(
        EX,
        "wrong",
        "defmodule M do\n  def f(x) do\n    x + 1\n  end\nend",
        'ExUnit.start()\ndefmodule MTest do\nuse ExUnit.Case\n\ntest "f" do\n'
        "assert M.f(1) == 2\nassert M.f(2) == 4\nend\nend",
        cause="wrong_answer",
        detail="Assertion with == failed",
        check="assert M.f(2) == 4",
        expected="4",
        actual="3",
    ),
    # --- Racket ----------------------------------------------------------------------------
    Case(RKT, "syntax", _RKT + "(define (f x)\n  (+ x 1)", "(f 1)", cause="syntax"),
    Case(
        RKT,
        "undefined",
        _RKT + "(define (f x)\n  (missing-fn x))",
        "(f 1)",
        cause="undefined_name",
        detail="unbound identifier",
    ),
    Case(
        RKT,
        "arity",
        _RKT + "(define (f x)\n  x)",
        "(f 1 2)",
        cause="signature_mismatch",
        detail="arity mismatch",
    ),
    Case(
        RKT,
        "type",
        _RKT + '(define (f x)\n  (+ x "a"))',
        "(f 1)",
        cause="type_error",
        detail="contract violation",
    ),
    Case(
        RKT,
        "index",
        _RKT + "(define (f x)\n  (list-ref (list 1) x))",
        "(f 3)",
        cause="index_out_of_range",
        detail="index too large for list",
    ),
    Case(
        RKT,
        "empty",
        _RKT + "(define (f x)\n  (car (filter (lambda (y) (> y x)) (list 1))))",
        "(f 3)",
        cause="index_out_of_range",
        detail="contract violation",
    ),
    Case(
        RKT,
        "key",
        _RKT + "(define (f x)\n  (hash-ref (hash) x))",
        "(f 3)",
        cause="key_missing",
        detail="no value found for key",
    ),
    Case(
        RKT,
        "division",
        _RKT + "(define (f x)\n  (quotient 10 x))",
        "(f 0)",
        cause="division_by_zero",
        detail="division by zero",
    ),
    Case(
        RKT,
        "wrong",
        _RKT + "(define (f x)\n  (+ x 1))",
        "(define (check f)\n(define tests\n(list (check-equal? (f 1) 2)\n"
        "(check-equal? (f 2) 4)))\n(andmap identity tests))\n\n(check f)",
        cause="wrong_answer",
        detail="check-equal?",
        check="(check-equal? (f 2) 4)))",
        expected="4",
        actual="3",
    ),
    # --- Scheme (McEval's are #lang racket modules) ----------------------------------------
    Case(
        SCM,
        "undefined",
        _RKT + "(define (f x)\n  (missing-fn x))",
        "(f 1)",
        cause="undefined_name",
        detail="unbound identifier",
    ),
    Case(
        SCM,
        "wrong",
        _RKT + "(define (f x)\n  (+ x 1))",
        "(define (check f)\n(check-equal? (f 1) 2)\n(check-equal? (f 2) 4))\n\n(check f)",
        cause="wrong_answer",
        detail="check-equal?",
        check="(check-equal? (f 2) 4))",
        expected="4",
        actual="3",
    ),
    # --- Common Lisp (SBCL) ----------------------------------------------------------------
    Case(CL, "syntax", "(defun f (x)\n  (+ x 1)", "(print (f 1))", cause="syntax"),
    Case(
        CL,
        "undefined",
        "(defun f (x)\n  (missing-fn x))",
        "(print (f 1))",
        cause="undefined_name",
        detail="UNDEFINED-FUNCTION",
    ),
    Case(
        CL,
        "unbound",
        "(defun f (x)\n  (+ x missing-var))",
        "(print (f 1))",
        cause="undefined_name",
        detail="UNBOUND-VARIABLE",
    ),
    Case(
        CL,
        "type",
        '(defun f (x)\n  (+ x "a"))',
        "(print (f 1))",
        cause="type_error",
        detail="SIMPLE-TYPE-ERROR",
    ),
    Case(
        CL,
        "nil",
        "(defun f (x)\n  (+ x (car nil)))",
        "(print (f 1))",
        cause="null_or_none",
        detail="SIMPLE-TYPE-ERROR",
    ),
    Case(
        CL,
        "arity",
        "(defun f (x)\n  x)",
        "(print (f 1 2))",
        cause="signature_mismatch",
    ),
    Case(
        CL,
        "index",
        "(defun f (x)\n  (aref (vector 1) x))",
        "(print (f 3))",
        cause="index_out_of_range",
    ),
    Case(
        CL,
        "division",
        "(defun f (x)\n  (floor 10 x))",
        "(print (f 0))",
        cause="division_by_zero",
        detail="DIVISION-BY-ZERO",
    ),
    Case(
        CL,
        "recursion",
        "(defun f (x)\n  (+ 1 (f (+ x 1))))",
        "(print (f 0))",
        cause="recursion_depth",
    ),
    Case(
        CL,
        "wrong",
        "(defun f (x)\n  (+ x 1))",
        "(defun check-f ()\n(assert (equal (f 1) 2))\n(assert (equal (f 2) 4)))\n\n(check-f)",
        cause="wrong_answer",
        detail="assert",
        check="(EQUAL (F 2) 4)",
    ),
    # --- Emacs Lisp ------------------------------------------------------------------------
    Case(EL, "syntax", "(defun f (x)\n  (+ x 1)", "(f 1)", cause="syntax"),
    Case(
        EL,
        "undefined",
        "(defun f (x)\n  (missing-fn x))",
        "(f 1)",
        cause="undefined_name",
        detail="void-function",
    ),
    Case(
        EL,
        "unbound",
        "(defun f (x)\n  (+ x missing-var))",
        "(f 1)",
        cause="undefined_name",
        detail="void-variable",
    ),
    Case(
        EL,
        "type",
        '(defun f (x)\n  (+ x "a"))',
        "(f 1)",
        cause="type_error",
        detail="wrong-type-argument",
    ),
    Case(
        EL,
        "nil",
        "(defun f (x)\n  (+ x (car nil)))",
        "(f 1)",
        cause="null_or_none",
        detail="wrong-type-argument",
    ),
    Case(
        EL,
        "arity",
        "(defun f (x)\n  x)",
        "(f 1 2)",
        cause="signature_mismatch",
        detail="wrong-number-of-arguments",
    ),
    Case(
        EL,
        "index",
        "(defun f (x)\n  (aref (vector 1) x))",
        "(f 3)",
        cause="index_out_of_range",
        detail="args-out-of-range",
    ),
    Case(
        EL,
        "division",
        "(defun f (x)\n  (/ 10 x))",
        "(f 0)",
        cause="division_by_zero",
        detail="arith-error",
    ),
    Case(
        EL,
        "recursion",
        "(defun f (x)\n  (+ 1 (f (+ x 1))))",
        "(f 0)",
        cause="recursion_depth",
    ),
    Case(
        EL,
        "wrong",
        "(defun f (x)\n  (+ x 1))",
        "(require 'cl-lib)\n(defun check-f ()\n(cl-assert (equal (f 1) 2))\n"
        "(cl-assert (equal (f 2) 4)))\n\n(check-f)",
        cause="wrong_answer",
        detail="cl-assertion-failed",
        check="(equal (f 2) 4)",
    ),
]

RUST = "Rust"
GO = "Go"
F90 = "Fortran"
PAS = "Pascal"
VIM = "VimScript"
AWK = "AWK"

_RUST_TEST = "#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n    fn main() {\n"
_GO_HEAD = 'package main\n\nimport (\n\t"testing"\n\n\t"github.com/stretchr/testify/assert"\n)\n'
_GO_TEST = "func TestF(t *testing.T) {\n\tassert := assert.New(t)\n"
_F90_TEST = "program main\n  implicit none\n  print *, f(1)\ncontains\n"
_PAS_HEAD = "program main;\n"


def _rust(body: str, test: str = "        f(1);") -> tuple[str, str]:
    return body, _RUST_TEST + test + "\n    }\n}"


def _go(body: str, test: str = "\tassert.Equal(1, f(1))") -> tuple[str, str]:
    return _GO_HEAD + body, _GO_TEST + test + "\n}"


CASES += [
    # --- Rust (cargo test) -----------------------------------------------------------------
    Case(RUST, "syntax", *_rust("fn f(x: i32) -> i32 {\n    x +\n}"), cause="syntax"),
    Case(
        RUST,
        "undefined",
        *_rust("fn f(x: i32) -> i32 {\n    missing_value + x\n}"),
        cause="undefined_name",
        detail="E0425",
    ),
    Case(
        RUST,
        "missing-import",
        *_rust(
            "fn f(x: i32) -> usize {\n    let m: HashMap<i32, i32> = HashMap::new();\n"
            "    m.len() + x as usize\n}"
        ),
        cause="missing_import",
        detail="E0412",
    ),
    Case(
        RUST,
        "type",
        *_rust('fn f(x: i32) -> i32 {\n    "a"\n}'),
        cause="type_error",
        detail="E0308",
    ),
    Case(
        RUST,
        "arity",
        *_rust("fn f(x: i32) -> i32 {\n    x\n}", "        f(1, 2);"),
        cause="signature_mismatch",
        detail="E0061",
    ),
    Case(
        RUST,
        "borrow",
        *_rust("fn f(x: i32) -> i32 {\n    let v = vec![x];\n    let w = v;\n    v[0] + w[0]\n}"),
        cause="type_error",
        detail="E0382",
    ),
    Case(
        RUST,
        "index",
        *_rust("fn f(x: usize) -> i32 {\n    let v = vec![1];\n    v[x]\n}", "        f(3);"),
        cause="index_out_of_range",
        detail="index out of bounds",
    ),
    Case(
        RUST,
        "none",
        *_rust(
            "fn f(x: i32) -> i32 {\n    let v: Vec<i32> = vec![];\n    *v.first().unwrap() + x\n}"
        ),
        cause="null_or_none",
        detail="called `Option::unwrap()` on a `None` value",
    ),
    Case(
        RUST,
        "division",
        *_rust("fn f(x: i32) -> i32 {\n    10 / (x - 1)\n}"),
        cause="division_by_zero",
        detail="attempt to divide by zero",
    ),
    Case(
        RUST,
        "overflow",
        *_rust("fn f(x: i32) -> i32 {\n    x + i32::MAX\n}"),
        cause="type_error",
        detail="attempt to add with overflow",
    ),
    Case(
        RUST,
        "recursion",
        *_rust("fn f(x: i32) -> i32 {\n    let a = [x; 64];\n    f(a[1] + 1) + a[0]\n}"),
        cause="recursion_depth",
    ),
    Case(
        RUST,
        "wrong",
        *_rust(
            "fn f(x: i32) -> i32 {\n    x + 1\n}",
            "        assert_eq!(f(1), 2);\n        assert_eq!(f(2), 4);",
        ),
        cause="wrong_answer",
        detail="assert_eq!",
        check="assert_eq!(f(2), 4);",
        expected="4",
        actual="3",
    ),
    # --- Go (go test with testify) ---------------------------------------------------------
    Case(GO, "syntax", *_go("func f(x int) int {\n\treturn x +\n}\n"), cause="syntax"),
    Case(
        GO,
        "undefined",
        *_go("func f(x int) int {\n\treturn missingValue + x\n}\n"),
        cause="undefined_name",
        detail="undefined",
    ),
    Case(
        GO,
        "missing-import",
        *_go('func f(x int) int {\n\treturn len(strings.Repeat("a", x))\n}\n'),
        cause="missing_import",
        detail="strings",
    ),
    Case(
        GO,
        "type",
        *_go('func f(x int) int {\n\treturn "a"\n}\n'),
        cause="type_error",
        detail="cannot use",
    ),
    Case(
        GO,
        "arity",
        *_go("func f(x int) int {\n\treturn x\n}\n", "\tassert.Equal(1, f(1, 2))"),
        cause="signature_mismatch",
        detail="too many arguments",
    ),
    Case(
        GO,
        "index",
        *_go("func f(x int) int {\n\tv := []int{1}\n\treturn v[x]\n}\n", "\tassert.Equal(1, f(3))"),
        cause="index_out_of_range",
        detail="index out of range",
    ),
    Case(
        GO,
        "nil",
        *_go("func f(x int) int {\n\tvar p *int\n\treturn *p + x\n}\n"),
        cause="null_or_none",
        detail="invalid memory address or nil pointer dereference",
    ),
    Case(
        GO,
        "division",
        *_go("func f(x int) int {\n\treturn 10 / (x - 1)\n}\n"),
        cause="division_by_zero",
        detail="integer divide by zero",
    ),
    Case(
        GO,
        "wrong",
        *_go(
            "func f(x int) int {\n\treturn x + 1\n}\n",
            "\tassert.Equal(2, f(1))\n\tassert.Equal(4, f(2))",
        ),
        cause="wrong_answer",
        detail="Not equal",
        check="assert.Equal(4, f(2))",
        expected="4",
        actual="3",
    ),
    # --- Fortran (gfortran) ----------------------------------------------------------------
    Case(
        F90,
        "syntax",
        "  function f(x) result(y)\n    integer :: x, y\n    y = x +\n  end function f\n"
        "end program main",
        _F90_TEST,
        cause="syntax",
    ),
    Case(
        F90,
        "undefined",
        "  function f(x) result(y)\n    integer :: x, y\n    y = x + z\n  end function f\n"
        "end program main",
        _F90_TEST,
        cause="undefined_name",
        detail="has no IMPLICIT type",
    ),
    Case(
        F90,
        "type",
        "  function f(x) result(y)\n    integer :: x, y\n    y = 'a'\n  end function f\n"
        "end program main",
        _F90_TEST,
        cause="type_error",
        detail="Cannot convert",
    ),
    Case(
        F90,
        "arity",
        "  function f(x) result(y)\n    integer :: x, y\n    y = x + g(1, 2)\n  end function f\n"
        "  function g(a) result(b)\n    integer :: a, b\n    b = a\n  end function g\n"
        "end program main",
        _F90_TEST,
        cause="signature_mismatch",
        detail="More actual than formal arguments",
    ),
    Case(
        F90,
        "division",
        "  function f(x) result(y)\n    integer :: x, y\n    y = 10 / (x - 1)\n  end function f\n"
        "end program main",
        _F90_TEST,
        cause="division_by_zero",
        detail="SIGFPE",
    ),
    Case(
        F90,
        "wrong",
        "  function f(x) result(y)\n    integer :: x, y\n    y = x + 1\n  end function f\n"
        "  subroutine assert(condition)\n    logical, intent(in) :: condition\n"
        "    if (.not. condition) then\n      write(*, *) 'Assertion failed!'\n      stop\n"
        "    end if\n  end subroutine assert\nend program main",
        "program main\n  implicit none\n  call assert(f(1) == 2)\n  call assert(f(2) == 4)\n"
        "contains\n",
        cause="wrong_answer",
        detail="Assertion failed!",
    ),
    # --- Pascal (Free Pascal) --------------------------------------------------------------
    Case(
        PAS,
        "syntax",
        _PAS_HEAD + "function f(x: integer): integer;\nbegin\n  f := x +;\nend;",
        "begin\n  writeln(f(1));\nend.",
        cause="syntax",
    ),
    Case(
        PAS,
        "undefined",
        _PAS_HEAD + "function f(x: integer): integer;\nbegin\n  f := x + missingValue;\nend;",
        "begin\n  writeln(f(1));\nend.",
        cause="undefined_name",
        detail="Identifier not found",
    ),
    Case(
        PAS,
        "missing-unit",
        _PAS_HEAD + "function f(x: integer): string;\nbegin\n  f := IntToStr(x);\nend;",
        "begin\n  writeln(f(1));\nend.",
        cause="missing_import",
        detail="IntToStr",
    ),
    Case(
        PAS,
        "type",
        _PAS_HEAD + "function f(x: integer): integer;\nbegin\n  f := 'a';\nend;",
        "begin\n  writeln(f(1));\nend.",
        cause="type_error",
        detail="Incompatible types",
    ),
    Case(
        PAS,
        "arity",
        _PAS_HEAD + "function f(x: integer): integer;\nbegin\n  f := x;\nend;",
        "begin\n  writeln(f(1, 2));\nend.",
        cause="signature_mismatch",
        detail="Wrong number of parameters specified",
    ),
    Case(
        PAS,
        "division",
        _PAS_HEAD + "function f(x: integer): integer;\nbegin\n  f := 10 div (x - 1);\nend;",
        "begin\n  writeln(f(1));\nend.",
        cause="division_by_zero",
        detail="Runtime error 200",
    ),
    Case(
        PAS,
        "wrong",
        "program main;\n{$ASSERTIONS ON}\nuses SysUtils;\nfunction f(x: integer): integer;\nbegin\n"
        "  f := x + 1;\nend;",
        "begin\n  Assert(f(1) = 2, 'Test for 1 failed');\n  Assert(f(2) = 4, 'Test for 2 failed');\nend.",
        cause="wrong_answer",
        detail="EAssertionFailed",
        check="Assert(f(2) = 4, 'Test for 2 failed');",
    ),
    # --- VimScript -------------------------------------------------------------------------
    Case(
        VIM,
        "undefined",
        "function! F(x)\n  return MissingFn(a:x)\nendfunction",
        "call F(1)\nexit(0)",
        cause="undefined_name",
        detail="E117",
    ),
    Case(
        VIM,
        "arity",
        "function! F(x)\n  return a:x\nendfunction",
        "call F(1, 2)\nexit(0)",
        cause="signature_mismatch",
        detail="E118",
    ),
    Case(
        VIM,
        "index",
        "function! F(x)\n  return [1][a:x]\nendfunction",
        "call F(3)\nexit(0)",
        cause="index_out_of_range",
        detail="E684",
    ),
    Case(
        VIM,
        "key",
        "function! F(x)\n  return {}[a:x]\nendfunction",
        "call F('k')\nexit(0)",
        cause="key_missing",
        detail="E716",
    ),
    Case(
        VIM,
        "recursion",
        "function! F(x)\n  return F(a:x + 1)\nendfunction",
        "call F(1)\nexit(0)",
        cause="recursion_depth",
        detail="E132",
    ),
    Case(
        VIM,
        "wrong",
        "function! F(x)\n  return a:x + 1\nendfunction",
        "function! TestF()\n  if assert_equal(2, F(1)) | cq | endif\n"
        "  if assert_equal(4, F(2)) | cq | endif\nendfunction\n\ncall TestF()\nexit(0)",
        cause="wrong_answer",
        detail="assert_equal",
        expected="4",
        actual="3",
    ),
    # --- AWK (the answer's command line against the canonical one's output) ----------------
    Case(
        AWK,
        "syntax",
        "echo '1 2' | awk '{print $1 + }'",
        cause="syntax",
        reference="echo '1 2' | awk '{print $1 + $2}'",
    ),
    Case(
        AWK,
        "undefined",
        "echo '1 2' | awk '{print plus($1, $2)}'",
        cause="undefined_name",
        detail="function not defined",
        reference="echo '1 2' | awk '{print $1 + $2}'",
    ),
    Case(
        AWK,
        "division",
        "echo '1 0' | awk '{print $1 / $2}'",
        cause="division_by_zero",
        detail="division by zero attempted",
        reference="echo '1 0' | awk '{print $1 + $2}'",
    ),
    Case(
        AWK,
        "wrong",
        "echo '1 2' | awk '{print $1 - $2}'",
        cause="wrong_answer",
        expected="3",
        actual="-1",
        reference="echo '1 2' | awk '{print $1 + $2}'",
    ),
    # --- HTML, JSON, Markdown (compared with the reference) --------------------------------
    Case(
        "HTML",
        "wrong",
        "<ul><li>one</li></ul>",
        cause="wrong_answer",
        reference="<ul><li>one</li><li>two</li></ul>",
    ),
    Case(
        "JSON",
        "syntax",
        '{"a": 1,}',
        cause="syntax",
        detail="invalid JSON",
        reference='{"a": 1}',
    ),
    Case(
        "JSON",
        "wrong",
        '{"a": 2}',
        cause="wrong_answer",
        check="$.a",
        expected="1",
        actual="2",
        reference='{"a": 1}',
    ),
    Case(
        "Markdown",
        "wrong",
        "# Title\n\nSome text.",
        cause="wrong_answer",
        expected="Other text.",
        actual="Some text.",
        reference="# Title\n\nOther text.",
    ),
]

_RUNS: dict[str, dict[str, dict[str, Any]]] = {}
_LOCK = threading.Lock()


def _outputs(language: str) -> dict[str, dict[str, Any]]:
    """Every case of ``language`` run once (two at a time), by case key."""
    with _LOCK:
        if language not in _RUNS:
            cases = [c for c in CASES if c.language == language]
            with ThreadPoolExecutor(2) as pool:
                runs = list(pool.map(run_case, cases))
            _RUNS[language] = {c.key: r.to_dict() for c, r in zip(cases, runs, strict=True)}
        return _RUNS[language]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.key)
def test_real_output_gets_its_cause(case: Case) -> None:
    require_toolchain(case.language)
    execution = _outputs(case.language)[case.key]
    assert execution["status"] not in ("passed", "toolchain_missing", "infrastructure_error"), (
        execution
    )
    got = explain(row_of(case, execution))
    assert case.matches(got), (
        f"expected {case.cause} / {case.detail} / {case.check} / {case.expected} / "
        f"{case.actual}, got {got}\nstatus {execution['status']}: {execution['reason']}\n"
        f"stderr: {execution['stderr'][:1500]}\nstdout: {execution['stdout'][:500]}"
    )
    assert got.cause in CAUSES


# --- explain without a toolchain: statuses, extraction failures, the answer's own asserts -----


def _row(**fields: Any) -> dict[str, Any]:
    row = {
        "language": "Python",
        "status": "runtime_error",
        "reason": "run step ended with exit code 1",
        "stdout": "",
        "stderr": "",
        "exit_code": 1,
        "signal": None,
        "extraction": "fence:entry",
        "code": "def f(x):\n    return x",
        "raw_generation": "```python\ndef f(x):\n    return x\n```",
        "program": "def f(x):\n    return x\nassert f(1) == 2",
    }
    return {**row, **fields}


def test_passing_rows_have_no_cause() -> None:
    assert explain(_row(status="passed", reason="all steps succeeded")) == Cause()
    assert explain(_row(status="passed")).cause is None


@pytest.mark.parametrize("status", ["toolchain_missing", "infrastructure_error"])
def test_machine_verdicts_keep_their_status(status: str) -> None:
    got = explain(_row(status=status, reason="julia not found (Debian packages: none)"))
    assert got.cause == status
    assert got.error_line == "julia not found (Debian packages: none)"


def test_limits_are_the_cause_and_the_kill_signal_is_not_a_detail() -> None:
    got = explain(_row(status="timeout", reason="run step exceeded 5.0 s", signal=9))
    assert (got.cause, got.cause_detail) == ("timeout", "run step")
    memory = explain(
        _row(
            status="memory_limit",
            reason="run step output matches /MemoryError/",
            stderr="Traceback (most recent call last):\nMemoryError",
        )
    )
    assert (memory.cause, memory.cause_detail) == ("memory_limit", "MemoryError")


def test_output_no_rule_names_is_other_and_nothing_printed_is_unknown() -> None:
    other = explain(_row(stderr="something strange happened\nError: giving up"))
    assert (other.cause, other.error_line) == ("other_runtime", "Error: giving up")
    compile_other = explain(
        _row(
            status="compile_error",
            reason="compile step ended with exit code 1",
            language="C",
            stderr="main.c:1: weird: the compiler said something new",
        )
    )
    assert compile_other.cause == "other_compile"
    silent = explain(_row(stderr="", stdout="", exit_code=3))
    assert (silent.cause, silent.cause_detail) == ("unknown", "exit code 3")
    # A failed test that printed nothing a rule knows is still a wrong answer.
    assert explain(_row(status="failed", stdout="no")).cause == "wrong_answer"


def test_pandas_missing_values_are_read_as_missing() -> None:
    got = explain(
        _row(
            signal=float("nan"),
            exit_code=float("nan"),
            stderr=None,
            status="runtime_error",
            stdout="IndexError: list index out of range",
        )
    )
    assert got.cause == "index_out_of_range"
    # A missing answer (NaN in a table) is an empty one.
    assert extraction_failure(_row(code=float("nan"), status="compile_error")) == (
        "no code in the answer"
    )


def test_values_are_cut_to_a_readable_length() -> None:
    long = "x" * 5000
    got = explain(_row(stderr=f"IndexError: {long}"))
    assert got.error_line is not None and len(got.error_line) <= 500


def test_empty_answers_and_prose_are_extraction_failures() -> None:
    empty = _row(raw_generation="   ", code="", extraction="bare", status="compile_error")
    assert extraction_failure(empty) == "empty answer"
    assert explain(empty).cause == "extraction_failed"
    prose = (
        "I am sorry, but I cannot write this function without more details.\n"
        "Could you tell me what the input looks like and what it should return?"
    )
    row = _row(raw_generation=prose, code=prose, extraction="bare", status="compile_error")
    assert (explain(row).cause, explain(row).cause_detail) == (
        "extraction_failed",
        "prose without code",
    )
    blank_fence = _row(raw_generation="Here:\n```python\n```", code="", status="runtime_error")
    assert extraction_failure(blank_fence) == "no code in the answer"
    assert extraction_failure(_row(extraction="completion", code="")) == "empty completion"


def test_bare_code_is_not_prose() -> None:
    code = "def alternating_sum(numbers):\n    total = 0\n    return total"
    assert extraction_failure(_row(raw_generation=code, code=code, extraction="bare")) is None


def test_a_block_of_another_language_taken_first_is_an_extraction_failure() -> None:
    from workbench.programs.extract import extract_code

    raw = "Here is a solution:\n```python\ndef can_win(n):\n    return n % 4 != 0\n```"
    found = extract_code(raw, get_language("C"), "canWinNim")
    assert found.method == "fence:first"
    row = _row(language="C", raw_generation=raw, code=found.code, extraction=found.method)
    failed_to_build = {**row, "status": "compile_error", "stderr": "error: unknown type name"}
    assert explain(failed_to_build).cause == "extraction_failed"
    assert explain(failed_to_build).cause_detail == "a python block, not C"
    # A block that compiled and ran to a wrong result was code for the language after all.
    assert extraction_failure({**row, "status": "failed"}) is None
    # A block tagged with no language's name (text, output) is not another language.
    text = raw.replace("```python", "```text")
    assert extraction_failure({**failed_to_build, "raw_generation": text}) is None


def test_an_assertion_is_the_answers_only_where_the_answer_has_it() -> None:
    program = "def f(x):\n    assert x > 5\n    return x\n\nassert f(1) == 1"
    stderr = (
        'Traceback (most recent call last):\n  File "main.py", line 5, in <module>\n'
        '    assert f(1) == 1\n  File "main.py", line 2, in f\n    assert x > 5\n'
        "AssertionError"
    )
    row = _row(
        status="failed",
        stderr=stderr,
        program=program,
        code="def f(x):\n    assert x > 5\n    return x",
    )
    assert explain(row).cause == "assertion_in_answer"
    # The same assertion written by the test (the answer does not contain it).
    assert explain({**row, "code": "def f(x):\n    return x"}).cause == "wrong_answer"


# --- the rules as data ------------------------------------------------------------------------

LOCAL = [lang for lang in all_languages() if lang.has_recipe and not lang.docker_only]


def test_34_languages_run_locally() -> None:
    assert len(LOCAL) == 34


@pytest.mark.parametrize("language", LOCAL, ids=lambda lang: lang.name)
def test_every_local_language_has_rules_of_its_own_with_a_wrong_answer_rule(language) -> None:
    defaults = get_language("Dart").causes  # a Docker-only language: the shared rules alone
    own = language.causes[: len(language.causes) - len(defaults)]
    assert own, f"{language.name} has no [[causes]] of its own"
    assert language.causes[len(own) :] == defaults
    assert any(rule.cause == "wrong_answer" for rule in own)
    assert {rule.cause for rule in language.causes} <= set(CAUSES)


def test_every_local_language_has_tested_cases() -> None:
    assert {c.language for c in CASES} == {lang.name for lang in LOCAL}


def _load(text: str) -> Any:
    return cause_rules(tomllib.loads(text)["causes"], REGISTRY_DIR / "example.toml")


def test_a_valid_rule_becomes_a_typed_record() -> None:
    (rule,) = _load(
        "[[causes]]\npattern = '^(?P<detail>KeyError)'\ncause = 'key_missing'\n"
        "step = 'run'\nstatus = ['runtime_error', 'failed']\n"
    )
    assert rule.cause == "key_missing" and rule.step == "run"
    assert rule.status == ("runtime_error", "failed")
    assert rule.pattern is not None and rule.pattern.flags & re.MULTILINE


@pytest.mark.parametrize(
    "table,complaint,field",
    [
        ("pattern = 'x'\ncause = 'exploded'", "unknown cause 'exploded'", "causes[0].cause"),
        ("pattern = 'x'\ncause = 'syntax'\ncolour = 'red'", "unknown keys ['colour']", "causes[0]"),
        ("pattern = '(?P<why>x)'\ncause = 'syntax'", "unknown named groups ['why']", "pattern"),
        ("pattern = '(x'\ncause = 'syntax'", "invalid pattern", "causes[0].pattern"),
        ("pattern = 'x'\ncause = 'syntax'\nstatus = 'broken'", "unknown status", "status"),
        ("pattern = 'x'\ncause = 'syntax'\nstep = 'link'", "step is compile or run", "step"),
        ("cause = 'syntax'", "a rule needs a pattern or a signal", "causes[0]"),
    ],
)
def test_a_bad_rule_is_an_input_error_naming_the_file(table: str, complaint: str, field: str):
    with pytest.raises(InputError) as raised:
        _load("[[causes]]\n" + table + "\n")
    assert complaint in str(raised.value)
    assert raised.value.file is not None and raised.value.file.endswith("example.toml")
    assert field in (raised.value.field or "")


def test_cause_rules_do_not_change_the_cache_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from workbench.evaluation import cache

    python = get_language("Python")
    digest = cache.recipe_digest.__wrapped__("Python")
    monkeypatch.setattr(cache, "get_language", lambda name: replace(python, causes=()))
    assert cache.recipe_digest.__wrapped__("Python") == digest
