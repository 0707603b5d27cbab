"""Every check judged, with real toolchains (issue 26's acceptance): in seven languages, a small
task's canonical answer passes every check under instrumentation; the answer plus one fails
every check and is ``off_by_one``; a greeting upper-cased is ``formatting``; an answer wrong
only on the empty input fails exactly that check and is ``edge_case``. Then one real McEval task
per covered language: its canonical solution passes every check of its instrumented test."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from tests.conftest import require_toolchain, toolchains
from workbench.evaluation.checks import check_sample
from workbench.execution.miss import miss_kind
from workbench.inputs.tasks import load_tasks
from workbench.programs.assemble import canonical_program

NUM_CHECKS = ("[1, 2, 3]", "[4, 5, 6, 7]", "[]")  # expected 6, 22, 0; the empty one is the edge

# language -> (prelude, sum answers {canonical, plus_one, edge}, greeting answers
# {canonical, upper}, test of the sum, test of the greeting, closing text)
CASES: dict[str, dict[str, Any]] = {
    "Python": {
        "sum": {
            "canonical": "def f(xs):\n    return sum(xs)\n",
            "plus_one": "def f(xs):\n    return sum(xs) + 1\n",
            "edge": "def f(xs):\n    return sum(xs) if xs else -1\n",
        },
        "greet": {
            "canonical": 'def greet(name):\n    return "hello, " + name\n',
            "upper": 'def greet(name):\n    return ("hello, " + name).upper()\n',
        },
        "sum_test": "assert f([1, 2, 3]) == 6\nassert f([4, 5, 6, 7]) == 22\nassert f([]) == 0\n",
        "greet_test": 'assert greet("bob") == "hello, bob"\nassert greet("amy") == "hello, amy"\n',
    },
    "C": {
        "prelude": "#include <assert.h>\n#include <ctype.h>\n#include <stddef.h>\n#include <string.h>\n",
        "sum": {
            "canonical": "int f(const int *xs, int n) { int s = 0; for (int i = 0; i < n; i++) s += xs[i]; return s; }\n",
            "plus_one": "int f(const int *xs, int n) { int s = 1; for (int i = 0; i < n; i++) s += xs[i]; return s; }\n",
            "edge": "int f(const int *xs, int n) { if (n == 0) return -1; int s = 0; for (int i = 0; i < n; i++) s += xs[i]; return s; }\n",
        },
        "greet": {
            "canonical": 'char *greet(const char *n) { static char b[64]; strcpy(b, "hello, "); strcat(b, n); return b; }\n',
            "upper": 'char *greet(const char *n) { static char b[64]; strcpy(b, "hello, "); strcat(b, n); for (char *p = b; *p; p++) *p = toupper(*p); return b; }\n',
        },
        "sum_test": "int main(void) {\n    assert(f((int[]){1, 2, 3}, 3) == 6);\n    assert(f((int[]){4, 5, 6, 7}, 4) == 22);\n    assert(f(NULL, 0) == 0);\n    return 0;\n}\n",
        "greet_test": 'int main(void) {\n    assert(strcmp(greet("bob"), "hello, bob") == 0);\n    assert(strcmp(greet("amy"), "hello, amy") == 0);\n    return 0;\n}\n',
    },
    "CPP": {
        "prelude": "#include <bits/stdc++.h>\nusing namespace std;\n",
        "sum": {
            "canonical": "int f(const vector<int>& xs) { int s = 0; for (int x : xs) s += x; return s; }\n",
            "plus_one": "int f(const vector<int>& xs) { int s = 1; for (int x : xs) s += x; return s; }\n",
            "edge": "int f(const vector<int>& xs) { if (xs.empty()) return -1; int s = 0; for (int x : xs) s += x; return s; }\n",
        },
        "greet": {
            "canonical": 'string greet(const string& n) { return "hello, " + n; }\n',
            "upper": 'string greet(const string& n) { string s = "hello, " + n; for (auto& c : s) c = toupper(c); return s; }\n',
        },
        "sum_test": "int main() {\n    assert(f(vector<int>({1, 2, 3})) == 6);\n    assert(f(vector<int>({4, 5, 6, 7})) == 22);\n    assert(f(vector<int>()) == 0);\n    return 0;\n}\n",
        "greet_test": 'int main() {\n    assert(greet("bob") == "hello, bob");\n    assert(greet("amy") == "hello, amy");\n    return 0;\n}\n',
    },
    "JavaScript": {
        "sum": {
            "canonical": "function f(xs) { return xs.reduce((a, b) => a + b, 0); }\n",
            "plus_one": "function f(xs) { return xs.reduce((a, b) => a + b, 1); }\n",
            "edge": "function f(xs) { return xs.length ? xs.reduce((a, b) => a + b, 0) : -1; }\n",
        },
        "greet": {
            "canonical": 'function greet(n) { return "hello, " + n; }\n',
            "upper": 'function greet(n) { return ("hello, " + n).toUpperCase(); }\n',
        },
        "sum_test": "console.assert(f([1, 2, 3]) === 6);\nconsole.assert(f([4, 5, 6, 7]) === 22);\nconsole.assert(f([]) === 0);\n",
        "greet_test": 'console.assert(greet("bob") === "hello, bob");\nconsole.assert(greet("amy") === "hello, amy");\n',
    },
    "Java": {
        "prelude": "public class Main {\n",
        "sum": {
            "canonical": "    static int f(int[] xs) { int s = 0; for (int x : xs) s += x; return s; }\n",
            "plus_one": "    static int f(int[] xs) { int s = 1; for (int x : xs) s += x; return s; }\n",
            "edge": "    static int f(int[] xs) { if (xs.length == 0) return -1; int s = 0; for (int x : xs) s += x; return s; }\n",
        },
        "greet": {
            "canonical": '    static String greet(String n) { return "hello, " + n; }\n',
            "upper": '    static String greet(String n) { return ("hello, " + n).toUpperCase(); }\n',
        },
        "sum_test": "    public static void main(String[] args) {\n        assert f(new int[]{1, 2, 3}) == 6;\n        assert f(new int[]{4, 5, 6, 7}) == 22;\n        assert f(new int[]{}) == 0;\n    }\n}\n",
        "greet_test": '    public static void main(String[] args) {\n        assert greet("bob").equals("hello, bob");\n        assert greet("amy").equals("hello, amy");\n    }\n}\n',
    },
    "Ruby": {
        "sum": {
            "canonical": "def f(xs)\n  xs.sum\nend\n",
            "plus_one": "def f(xs)\n  xs.sum + 1\nend\n",
            "edge": "def f(xs)\n  xs.empty? ? -1 : xs.sum\nend\n",
        },
        "greet": {
            "canonical": 'def greet(n)\n  "hello, " + n\nend\n',
            "upper": 'def greet(n)\n  ("hello, " + n).upcase\nend\n',
        },
        "sum_test": "raise 'Test failed' unless f([1, 2, 3]) == 6\nraise 'Test failed' unless f([4, 5, 6, 7]) == 22\nraise 'Test failed' unless f([]) == 0\n",
        "greet_test": 'raise \'Test failed\' unless greet("bob") == "hello, bob"\nraise \'Test failed\' unless greet("amy") == "hello, amy"\n',
    },
    "PHP": {
        "prelude": "<?php\n",
        "sum": {
            "canonical": "function f($xs) { return array_sum($xs); }\n",
            "plus_one": "function f($xs) { return array_sum($xs) + 1; }\n",
            "edge": "function f($xs) { return count($xs) ? array_sum($xs) : -1; }\n",
        },
        "greet": {
            "canonical": 'function greet($n) { return "hello, " . $n; }\n',
            "upper": 'function greet($n) { return strtoupper("hello, " . $n); }\n',
        },
        "sum_test": "assert(f([1, 2, 3]) === 6);\nassert(f([4, 5, 6, 7]) === 22);\nassert(f([]) === 0);\n?>\n",
        "greet_test": 'assert(greet("bob") === "hello, bob");\nassert(greet("amy") === "hello, amy");\n?>\n',
    },
}


# Each language a parameter of its own, marked ``toolchains`` beyond the demo's six languages.
LANGUAGES = [pytest.param(name, marks=toolchains(name)) for name in sorted(CASES)]


def _run(language: str, task: str, answer: str) -> tuple[Any, list[dict]]:
    require_toolchain(language)
    case = CASES[language]
    test = case[f"{task}_test"]
    program = case.get("prelude", "") + case[task][answer] + test
    row = {
        "task": "generation",
        "task_id": f"{language}/0",
        "model": "hand",
        "sample_index": 0,
        "language": language,
        "program": program,
    }
    out = check_sample(row, {"test": test, "support_dir": None})
    return out, [c.as_dict() for c in out.checks]


@pytest.mark.parametrize("language", LANGUAGES)
def test_canonical_passes_every_check(language):
    for task in ("sum", "greet"):
        out, checks = _run(language, task, "canonical")
        assert len(checks) == (3 if task == "sum" else 2), (out.status, out.note)
        assert all(c["passed"] for c in checks), checks
        assert miss_kind(checks) is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_plus_one_is_off_by_one_on_every_check(language):
    out, checks = _run(language, "sum", "plus_one")
    assert [c["passed"] for c in checks] == [False, False, False], (out.status, out.note, checks)
    assert [(c["expected"], c["actual"]) for c in checks] == [("6", "7"), ("22", "23"), ("0", "1")]
    assert miss_kind(checks) == "off_by_one"


@pytest.mark.parametrize("language", LANGUAGES)
def test_upper_cased_greeting_is_formatting(language):
    out, checks = _run(language, "greet", "upper")
    assert len(checks) == 2 and not any(c["passed"] for c in checks), (out.note, checks)
    assert "HELLO, BOB" in checks[0]["actual"]
    assert miss_kind(checks) == "formatting"


@pytest.mark.parametrize("language", LANGUAGES)
def test_wrong_only_on_the_empty_input_is_edge_case(language):
    out, checks = _run(language, "sum", "edge")
    assert [c["passed"] for c in checks] == [True, True, False], (out.note, checks)
    lines = CASES[language]["sum_test"].split("\n")
    empty_line = [i for i, line in enumerate(lines, 1) if "f(" in line][2]
    assert (checks[2]["site"], checks[2]["check_line"]) == (2, empty_line)
    assert (checks[2]["expected"], checks[2]["actual"]) == ("0", "-1")
    assert miss_kind(checks) == "edge_case"


# One real McEval task per covered language, chosen for a quick toolchain run and several checks.
REAL = {
    "Python": "Python/1",
    "C": "C/14",
    "CPP": "CPP/14",
    "Java": "Java/14",
    "JavaScript": "JavaScript/14",
    "TypeScript": "TypeScript/14",
    "Go": "Go/14",
    "Rust": "Rust/40",
    "C#": "C#/14",
    "PHP": "PHP/27",
    "Kotlin": "Kotlin/14",
    "Ruby": "Ruby/27",
}


REAL_LANGUAGES = [pytest.param(name, marks=toolchains(name)) for name in sorted(REAL)]


@pytest.mark.parametrize("language", REAL_LANGUAGES)
def test_real_canonical_passes_every_check(language, mceval_dir):
    require_toolchain(language)
    tasks = load_tasks(mceval_dir, languages=[language])
    task = tasks[tasks["task_id"] == REAL[language]].iloc[0].to_dict()
    row = {
        "task": "generation",
        "task_id": task["task_id"],
        "model": "canonical",
        "sample_index": 0,
        "language": language,
        "program": canonical_program(task),
    }
    out = check_sample(row, task)
    frame = pd.DataFrame([c.as_dict() for c in out.checks])
    assert len(frame) >= 2, (out.status, out.note)
    assert frame["passed"].all(), frame.to_string()
    assert frame["check_source"].notna().all()
