"""Causes the answer shows (``answer_causes``), on real McEval tasks through the real runner,
sandbox and toolchains: answers in another language, cut off, repeating the test, with their own
top-level code; and correct answers in languages easily confused, which must keep no cause.

The language identifier is trained on the McEval data (``../shared/mceval``) on first use and
cached under the workbench cache, so these tests need the data.
"""

from __future__ import annotations

import threading
from typing import Any

import pandas as pd
import pytest

from tests.conftest import require_toolchain
from workbench.evaluation.runner import evaluate
from workbench.execution.answer_causes import echo, identified_language, incomplete
from workbench.execution.causes import explain
from workbench.inputs.tasks import load_tasks
from workbench.programs.assemble import join_parts
from workbench.registry.languages import get_language

# One run of every answer below, in ten languages: beyond the demo's six (`make check` leaves it out).
pytestmark = pytest.mark.toolchains

LANGUAGES = ["Python", "C", "CPP", "C#", "Java", "Kotlin", "JavaScript", "TypeScript", "Go", "Rust"]

PYTHON_FOR_RUST = """Here is the function:
```
def separate_paren_groups(paren_string):
    groups, current, depth = [], "", 0
    for char in paren_string.replace(" ", ""):
        current += char
        depth += 1 if char == "(" else -1
        if depth == 0:
            groups.append(current)
            current = ""
    return groups
```"""

JAVA_FOR_CSHARP = """```
import java.util.ArrayList;

public class Main {
    public static String ConvertFahrenheitToCelsius(double fahrenheitTemperature) {
        double celsius = 5.0 / 9.0 * (fahrenheitTemperature - 32);
        return String.format("c=%.2f", celsius);
    }

    public static void main(String[] args) {
        ArrayList<Double> temperatures = new ArrayList<>();
        temperatures.add(212.0);
        System.out.println(ConvertFahrenheitToCelsius(temperatures.get(0)));
    }
}
```"""

CPP_FOR_C = """```
#include <iostream>
#include <cmath>
#include <vector>
using namespace std;

double calculate_distance(double xa, double ya, double xb, double yb) {
    vector<double> d = {xa - xb, ya - yb};
    return std::sqrt(d[0] * d[0] + d[1] * d[1]);
}
```"""

PRINTS_ITS_OWN_CALL = """```python
def sum_of_factorials_optimized(n):
    total, factorial = 0, 1
    for i in range(1, n + 1):
        factorial *= i
        total += factorial
    return total

print(sum_of_factorials_optimized("3"))
```"""

# (sample label, task id, answer); the answers to cut are made from the tasks in ``answers``.
WRITTEN = [
    ("python-for-rust", "Rust/2", PYTHON_FOR_RUST),
    ("java-for-csharp", "C#/2", JAVA_FOR_CSHARP),
    ("cpp-for-c", "C/5", CPP_FOR_C),
    ("extra-print", "Python/10", PRINTS_ITS_OWN_CALL),
]
CUT = {
    "Python": "Python/2",
    "C": "C/3",
    "JavaScript": "JavaScript/3",
    "Go": "Go/2",
    "Rust": "Rust/2",
}
CONFUSABLE = ["Kotlin/2", "Java/2", "TypeScript/2", "JavaScript/3", "C/3", "CPP/3"]
TAGS = {"Python": "python", "C": "c", "JavaScript": "javascript", "Go": "go", "Rust": "rust"}


@pytest.fixture(scope="module")
def tasks(mceval_dir: Any) -> pd.DataFrame:
    return load_tasks(mceval_dir, languages=LANGUAGES)


def _task(tasks: pd.DataFrame, task_id: str) -> dict[str, Any]:
    return tasks[tasks["task_id"] == task_id].iloc[0].to_dict()


def _whole(task: dict[str, Any]) -> str:
    """The canonical answer as a model writes it: the prompt's signature and the solution."""
    return join_parts(task["prompt"].strip("\n"), task["canonical_solution"].strip("\n"))


def answers(tasks: pd.DataFrame) -> list[tuple[str, str, str]]:
    """Every sample of this module: (label, task id, raw answer)."""
    found = list(WRITTEN)
    for language, task_id in CUT.items():
        whole = _whole(_task(tasks, task_id))
        # Cut in half by characters, the fence opened and never closed (a token limit).
        found.append(
            (f"cut-{language}", task_id, f"```{TAGS[language]}\n{whole[: len(whole) // 2]}")
        )
    c = _task(tasks, "C/3")  # bare, cut inside the function's body
    found.append(("cut-C-bare", "C/3", _whole(c)[: len(c["prompt"]) + 120]))
    for task_id in CONFUSABLE:
        found.append((f"correct-{task_id}", task_id, f"```\n{_whole(_task(tasks, task_id))}\n```"))
    js = _task(tasks, "JavaScript/3")
    found.append(("echo-test", "JavaScript/3", f"```javascript\n{_whole(js)}\n\n{js['test']}\n```"))
    return found


_RESULTS: dict[str, pd.DataFrame] = {}
_LOCK = threading.Lock()


def _results(tasks: pd.DataFrame) -> pd.DataFrame:
    """Every sample of ``answers`` evaluated once, by label."""
    with _LOCK:
        if "all" not in _RESULTS:
            rows = answers(tasks)
            samples = pd.DataFrame(
                {
                    "task": "generation",
                    "task_id": [task_id for _, task_id, _ in rows],
                    "model": [label for label, _, _ in rows],
                    "sample_index": 0,
                    "raw_generation": [raw for _, _, raw in rows],
                    "completion": None,
                }
            )
            results = evaluate(samples, tasks, jobs=2, progress=False, cache=False)
            _RESULTS["all"] = results.set_index("model", drop=False)
        return _RESULTS["all"]


def _row(tasks: pd.DataFrame, label: str) -> dict[str, Any]:
    row = _results(tasks).loc[label].to_dict()
    require_toolchain(row["language"])
    return row


@pytest.mark.parametrize(
    ("label", "written"),
    [("python-for-rust", "Python"), ("java-for-csharp", "Java"), ("cpp-for-c", "CPP")],
)
def test_an_untagged_answer_in_another_language_is_wrong_language(tasks, label, written):
    for language in ("Python", "C", "CPP", "C#", "Java", "Rust"):
        require_toolchain(language)
    row = _row(tasks, label)
    assert row["status"] in ("compile_error", "runtime_error"), row["stderr"][:500]
    assert (row["cause"], row["cause_detail"]) == ("wrong_language", written)
    # The toolchain's own complaint stays as evidence.
    assert row["error_line"]


@pytest.mark.parametrize("task_id", CONFUSABLE)
def test_correct_answers_in_confusable_languages_pass_with_no_cause(tasks, task_id):
    row = _row(tasks, f"correct-{task_id}")
    assert row["status"] == "passed", (row["reason"], row["stderr"][:500])
    assert pd.isna(row["cause"])
    # Had they failed, the identifier would not call them another language either.
    assert identified_language(row["code"], get_language(row["language"])) is None


@pytest.mark.parametrize("language", sorted(CUT))
def test_an_answer_cut_in_half_is_incomplete(tasks, language):
    row = _row(tasks, f"cut-{language}")
    assert row["status"] in ("compile_error", "runtime_error", "failed"), row["reason"]
    assert (row["cause"], row["cause_detail"]) == ("incomplete", "fence never closed")


def test_a_bare_answer_ending_inside_its_code_is_incomplete(tasks):
    row = _row(tasks, "cut-C-bare")
    assert row["extraction"] == "bare" and row["status"] == "compile_error"
    assert (row["cause"], row["cause_detail"]) == ("incomplete", "unclosed bracket")


def test_the_token_limit_makes_a_cut_answer_incomplete(tasks):
    row = _row(tasks, "cut-C-bare")
    assert incomplete({**row, "token_limit_reached": True}, get_language("C")) == "token limit"
    # A closed fence after the code: the answer did not stop inside it, whatever the limit.
    closed = {
        **row,
        "raw_generation": f"```c\n{row['code']}\n```\nDone.",
        "extraction": "fence:entry",
    }
    assert incomplete({**closed, "token_limit_reached": True}, get_language("C")) is None


def test_an_answer_repeating_the_test_that_breaks_the_program_is_prompt_echo(tasks):
    row = _row(tasks, "echo-test")
    assert row["status"] in ("compile_error", "runtime_error"), row["stderr"][:500]
    assert "already been declared" in row["stderr"]
    assert (row["cause"], row["cause_detail"]) == ("prompt_echo", "test")


def test_a_body_answer_repeating_the_prompt_is_an_echo_of_the_prompt(tasks):
    js = _task(tasks, "JavaScript/3")
    python = get_language("Python")
    prompt = "def f(x):\n    '''Twice x, as in f(2) == 4.'''"
    code = "    '''Twice x, as in f(2) == 4.'''\n    if x < 0:\n        return 'negative input'\n    return 2 * x"
    program = join_parts(prompt, code, "assert f(2) == 4")
    assert echo(code, program, python) is None  # one repeated line is not an echo
    body = "def f(x):\n    '''Twice x, as in f(2) == 4.'''\n    return x * 2"
    assert echo(body, join_parts(prompt, body, "assert f(2) == 4"), python) == "prompt"
    # The canonical answer alone repeats nothing.
    whole = _whole(js)
    javascript = get_language("JavaScript")
    assert echo(whole, join_parts(whole, js["test"]), javascript) is None


def test_a_failing_top_level_print_of_the_answer_is_extra_code(tasks):
    row = _row(tasks, "extra-print")
    assert row["status"] == "runtime_error"
    assert (row["cause"], row["cause_detail"]) == ("extra_code", "printed output")


def test_causes_recomputed_from_the_row_are_the_same(tasks):
    results = _results(tasks)
    for row in results.to_dict("records"):
        assert explain(row).cause == (None if pd.isna(row["cause"]) else row["cause"])
