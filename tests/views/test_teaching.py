"""The exercise checks of the teaching notebooks judge real answers through the real sandbox,
accept right answers and explain wrong ones; the simulations feed the real pass@k table."""

from __future__ import annotations

import pytest

from tests.conftest import DEMO, require_toolchain
from workbench.analysis.intervals import wilson_interval
from workbench.analysis.passk import pass_at_k, pass_at_k_table, task_scores
from workbench.inputs.tasks import load_tasks
from workbench.views import teaching

RIGHT = """```python
from typing import List


def alternating_sum(numbers: List[int]) -> int:
    return sum(numbers[0::2]) - sum(numbers[1::2])
```"""
WRONG = RIGHT.replace("- sum(numbers[1::2])", "+ sum(numbers[1::2])")
ENDLESS = RIGHT.replace("return sum", "while True:\n        pass\n    return sum")


@pytest.fixture(scope="module")
def python_task() -> dict:
    require_toolchain("Python")
    tasks = load_tasks(DEMO, languages=["Python"])
    return tasks[tasks["task_id"] == "Python/1"].iloc[0].to_dict()


def test_judge_runs_an_answer_as_evaluate_does(python_task):
    right = teaching.judge(RIGHT, python_task)
    wrong = teaching.judge(WRONG, python_task)
    assert (right["status"], right["extraction"]) == ("passed", "fence:entry")
    assert (wrong["status"], wrong["cause"]) == ("failed", "wrong_answer")
    assert "def check(candidate)" in wrong["program"]  # the task's test was assembled in


def test_check_status_accepts_the_asked_status_and_explains_another(python_task, capsys):
    teaching.check_status(ENDLESS, python_task, "timeout", exercise="2", limits={"run_timeout": 1})
    assert "✓ Exercise 2: correct (judged timeout" in capsys.readouterr().out
    with pytest.raises(teaching.ExerciseFeedback) as caught:
        teaching.check_status(WRONG, python_task, "passed", exercise="3", hint="read the test")
    message = str(caught.value)
    assert message.startswith("Exercise 3: not yet. The exercise asks for an answer judged passed")
    assert (
        "It was judged failed: it ran, but a check of the test did not hold: a wrong answer"
        in message
    )
    assert "The check that failed: assert candidate(" in message
    assert "matches" not in message and "/^" not in message  # no rule text
    tail = message.split("Its output ends with:\n", 1)[1].split("\nHint:")[0]
    assert tail.startswith("Traceback (most recent call last):")  # whole lines, from the start
    assert message.endswith("Hint: read the test")
    shown = caught.value._render_traceback_()  # what a notebook shows: the message, in red
    assert [line.removeprefix(teaching.RED).removesuffix(teaching.RESET) for line in shown] == (
        message.splitlines()
    )


def test_the_hidden_solution_is_checked_and_said_to_be_used_never_ticked(python_task, capsys):
    answer = teaching.solution(..., ENDLESS, exercise="2")
    assert answer is ENDLESS
    teaching.check_status(answer, python_task, "timeout", exercise="2", limits={"run_timeout": 1})
    out = capsys.readouterr().out
    assert "✓" not in out and "correct" not in out
    assert out.startswith("Exercise 2: the hidden solution was used — your answer is still `...`")
    # The reader's own answer, given later: the solution cell keeps it, the check ticks it.
    mine = RIGHT.replace("numbers[0::2]", "numbers[::2]")
    assert teaching.solution(mine, RIGHT, exercise="4") is mine
    teaching.check_status(mine, python_task, "passed", exercise="4")
    assert capsys.readouterr().out.startswith("✓ Exercise 4: correct")
    teaching.check_value(teaching.solution(..., 3, exercise="5"), 3, exercise="5")
    assert "✓" not in capsys.readouterr().out


def test_the_output_tail_is_cut_at_whole_lines():
    output = "".join(f"line {i:03d} " + "x" * 50 + "\n" for i in range(100))
    tail = teaching.output_tail(output, lines=12, chars=800)
    rows = tail.splitlines()
    assert rows[0] == "[… 88 earlier lines …]" and rows[-1].startswith("line 099 ")
    assert all(row.startswith("line ") for row in rows[1:])  # no line begins mid-token
    short = teaching.output_tail(output, lines=50, chars=300)
    assert all(row.startswith(("line ", "[…")) for row in short.splitlines())
    assert len(short) < 400
    one = teaching.output_tail("y" * 5000, chars=100)
    assert one == "[…] " + "y" * 100
    assert teaching.output_tail("a\nb\n") == "a\nb"


def test_an_answer_left_as_the_placeholder_is_not_judged(python_task):
    with pytest.raises(AssertionError, match="Exercise 1: no answer yet"):
        teaching.check_status(..., python_task, "passed", exercise="1")
    with pytest.raises(AssertionError, match="no answer yet"):
        teaching.check_value(..., 3, exercise="1")


def test_check_function_names_the_first_case_that_differs(capsys):
    cases = [(10, 3, 1), (10, 3, 5), (5, 4, 2)]
    teaching.check_function(pass_at_k, pass_at_k, cases, exercise="1")
    assert "3 cases agree" in capsys.readouterr().out
    with pytest.raises(AssertionError, match=r"For arguments \(10, 3, 5\) your function gives"):
        teaching.check_function(teaching.plug_in_pass_at_k, pass_at_k, cases, exercise="1")
    with pytest.raises(AssertionError, match="raised ZeroDivisionError"):
        teaching.check_function(lambda n, c, k: 1 / 0, pass_at_k, cases, exercise="1")


def test_check_smallest_wants_the_smallest_whole_number():
    def narrow(n: int) -> bool:
        low, high = wilson_interval(0.5, n)
        return high - low <= 0.10

    smallest = next(n for n in range(1, 2000) if narrow(n))
    teaching.check_smallest(smallest, narrow, exercise="2")
    with pytest.raises(AssertionError, match="too small"):
        teaching.check_smallest(smallest - 1, narrow, exercise="2")
    with pytest.raises(AssertionError, match="not the smallest"):
        teaching.check_smallest(smallest + 1, narrow, exercise="2")
    with pytest.raises(AssertionError, match="positive whole number"):
        teaching.check_smallest(0.5, narrow, exercise="2")


def test_check_value_compares_numbers_within_a_tolerance():
    teaching.check_value(0.1 + 0.2, 0.3, exercise="3")
    with pytest.raises(AssertionError, match="Your answer 0.31 is not"):
        teaching.check_value(0.31, 0.3, exercise="3")


def test_simulated_results_feed_the_pass_at_k_table():
    rates = [0.0, 0.3, 1.0]
    results = teaching.simulate_results(rates, 2000, seed=1)
    assert len(results) == 6000
    assert results.equals(teaching.simulate_results(rates, 2000, seed=1))  # seeded
    scores = task_scores(results).set_index("task_id")["pass_at_1"]
    assert scores["Python/1"] == 0.0 and scores["Python/3"] == 1.0
    assert abs(scores["Python/2"] - 0.3) < 0.04
    table = pass_at_k_table(results, k=[1, 10])
    python = table[table["language"] == "Python"].iloc[0]
    assert python["n_tasks"] == 3 and python["n_samples"] == 6000
    assert python["pass_at_10"] > python["pass_at_1"]
    with pytest.raises(ValueError, match="probabilities"):
        teaching.simulate_results([1.5], 10)


def test_the_unbiased_estimator_is_unbiased_and_the_plug_in_is_not():
    for rate in (0.05, 0.3, 0.7):
        at_5 = teaching.expected_estimates(rate, n=10, k=5)
        assert at_5["unbiased"] == pytest.approx(at_5["true"], abs=1e-12)
        assert at_5["plug_in"] < at_5["true"] - 1e-3  # concave in c/n: too low on average
        at_1 = teaching.expected_estimates(rate, n=10, k=1)
        assert at_1["plug_in"] == pytest.approx(at_1["true"], abs=1e-12)
