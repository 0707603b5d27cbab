"""Exercise checks and small simulations for the teaching notebooks (``02_text_to_verdict``,
``05_pass_at_k``).

A check compares the reader's answer with what the workbench itself computes. A right answer
prints a ✓ line; a wrong one raises ``ExerciseFeedback`` (an ``AssertionError``), which a notebook
shows as a red message in words — what came out, what was asked, the end of the program's output
cut at whole lines, a hint — with no traceback; never the answer. An answer still left as ``...``
(the notebooks' placeholder) is reported as not yet given. A hidden solution cell fills the
answer in through :func:`solution`; its check then says plainly that the solution was used and
prints no ✓. The simulations give pass@k something to estimate without running a model.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binom

from workbench.analysis.passk import pass_at_k
from workbench.execution.records import STATUS_IN_WORDS

NOT_ANSWERED = Ellipsis  # the placeholder the exercise cells start with
TAIL_LINES = 12  # lines of a program's output a failed check shows, at most
TAIL_CHARS = 800  # and characters
RED, RESET = "\x1b[31m", "\x1b[0m"  # how a notebook colours the text of an error output

# The hidden solutions standing in for answers still left as ``...``: exercise -> the value.
_SOLUTIONS: dict[str, Any] = {}


class ExerciseFeedback(AssertionError):
    """A check's verdict on a wrong or missing answer. Raised, so that Run All stops at it and a
    test sees it; shown by IPython as its red message alone (``_render_traceback_``), since the
    check's own code is no part of what a student needs to read."""

    def _render_traceback_(self) -> list[str]:
        return [f"{RED}{line}{RESET}" for line in str(self).splitlines()]


def solution(answer: Any, value: Any, *, exercise: str) -> Any:
    """What a hidden solution cell assigns: ``value`` while the reader's ``answer`` is still
    ``...`` (remembered, so the check says the solution was used), else the reader's answer."""
    if answer is NOT_ANSWERED:
        _SOLUTIONS[exercise] = value
        return value
    _SOLUTIONS.pop(exercise, None)
    return answer


def _require_answer(answer: Any, exercise: str) -> None:
    if answer is NOT_ANSWERED:
        raise ExerciseFeedback(
            f"Exercise {exercise}: no answer yet. Replace the `...` in the exercise cell with "
            "yours and run it, then run this check again (the hidden cell above shows a solution)."
        )


def _fail(exercise: str, problem: str, hint: str) -> ExerciseFeedback:
    return ExerciseFeedback(
        f"Exercise {exercise}: not yet. {problem}" + (f"\nHint: {hint}" if hint else "")
    )


def output_tail(output: str, lines: int = TAIL_LINES, chars: int = TAIL_CHARS) -> str:
    """The end of ``output`` in whole lines: at most ``lines`` lines and about ``chars``
    characters, the cut said; a single last line longer than that keeps its end, marked."""
    rows = output.rstrip().splitlines()
    kept: list[str] = []
    used = 0
    for row in reversed(rows):
        if kept and (len(kept) >= lines or used + len(row) > chars):
            break
        kept.append(row if len(row) <= chars else "[…] " + row[-chars:])
        used += len(row) + 1
    kept.reverse()
    dropped = len(rows) - len(kept)
    return (f"[… {dropped} earlier lines …]\n" if dropped else "") + "\n".join(kept)


def verdict_in_words(row: Mapping[str, Any]) -> str:
    """What a judged answer's result row says, in sentences: its status in words, its cause,
    and the error or the failing check it points at."""
    status = str(row.get("status"))
    words = [f"It was judged {status}: {STATUS_IN_WORDS.get(status, status)}."]
    cause = row.get("cause")
    if isinstance(cause, str) and cause and cause != "wrong_answer":
        words.append(f"Cause: {cause.replace('_', ' ')}.")
    check, error = row.get("failing_check"), row.get("error_line")
    if isinstance(check, str) and check:
        words.append(f"The check that failed: {check}")
    elif isinstance(error, str) and error:
        words.append(f"The error: {error}")
    return "\n".join(words)


def _same(got: Any, want: Any, rel_tol: float) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want or got == want
    if isinstance(want, int | float | np.number) and isinstance(got, int | float | np.number):
        return math.isclose(float(got), float(want), rel_tol=rel_tol, abs_tol=1e-12)
    return bool(got == want)


def passed(exercise: str, detail: str = "", answer: Any = NOT_ANSWERED) -> None:
    """Print the line that says the answer is right; when ``answer`` is the hidden solution
    standing in for the reader's (``solution``), say that instead, with no ✓."""
    if exercise in _SOLUTIONS and _SOLUTIONS[exercise] is answer:
        print(
            f"Exercise {exercise}: the hidden solution was used — your answer is still `...`"
            + (f" (the solution: {detail})" if detail else "")
            + ". Replace the `...` with your own answer and run the cells again to check it."
        )
        return
    print(f"✓ Exercise {exercise}: correct" + (f" ({detail})" if detail else ""))


def check_value(
    answer: Any, expected: Any, *, exercise: str, hint: str = "", rel_tol: float = 1e-6
) -> None:
    """Assert ``answer`` equals ``expected`` (numbers within ``rel_tol``)."""
    _require_answer(answer, exercise)
    if not _same(answer, expected, rel_tol):
        raise _fail(exercise, f"Your answer {answer!r} is not what the workbench computes.", hint)
    passed(exercise, answer=answer)


def check_function(
    candidate: Callable[..., Any],
    reference: Callable[..., Any],
    cases: Iterable[Sequence[Any]],
    *,
    exercise: str,
    hint: str = "",
    rel_tol: float = 1e-9,
) -> None:
    """Call ``candidate`` and ``reference`` on every case (a tuple of arguments) and assert they
    agree; the message names the first case where they do not."""
    _require_answer(candidate, exercise)
    cases = [tuple(c) for c in cases]
    for args in cases:
        want = reference(*args)
        try:
            got = candidate(*args)
        except Exception as exc:  # the reader's code: any error is part of the feedback
            raise _fail(
                exercise, f"Your function raised {type(exc).__name__}: {exc} for {args}.", hint
            ) from exc
        if not _same(got, want, rel_tol):
            raise _fail(exercise, f"For arguments {args} your function gives {got!r}.", hint)
    passed(exercise, f"{len(cases)} cases agree", answer=candidate)


def check_smallest(
    answer: Any, fits: Callable[[int], bool], *, exercise: str, hint: str = ""
) -> None:
    """Assert ``answer`` is the smallest positive integer ``n`` for which ``fits(n)`` holds."""
    _require_answer(answer, exercise)
    if not isinstance(answer, int | np.integer) or answer < 1:
        raise _fail(
            exercise, f"The answer should be a positive whole number, not {answer!r}.", hint
        )
    if not fits(int(answer)):
        raise _fail(exercise, f"{answer} is too small: it does not meet the condition.", hint)
    if answer > 1 and fits(int(answer) - 1):
        raise _fail(
            exercise,
            f"{answer - 1} already meets the condition: {answer} is not the smallest.",
            hint,
        )
    passed(exercise, answer=answer)


def judge(
    answer: str,
    task: Mapping[str, Any],
    *,
    limits: Mapping[str, float] | None = None,
    model: str = "you",
) -> dict[str, Any]:
    """Judge one raw answer to ``task`` (a row of ``load_tasks``) exactly as ``evaluate`` judges a
    sample — extraction, assembly, the sandbox, the status and its cause — and return its result
    row. Nothing is stored or cached."""
    from workbench.evaluation.runner import evaluate

    sample = {
        "task": task["task"],
        "task_id": task["task_id"],
        "model": model,
        "sample_index": 0,
        "raw_generation": answer,
        "completion": None,
    }
    results = evaluate(
        pd.DataFrame([sample]),
        pd.DataFrame([dict(task)]),
        progress=False,
        cache=False,
        limits=dict(limits or {}),
    )
    return results.iloc[0].to_dict()


def check_status(
    answer: Any,
    task: Mapping[str, Any],
    expected: str,
    *,
    exercise: str,
    hint: str = "",
    limits: Mapping[str, float] | None = None,
) -> None:
    """Judge ``answer`` (``judge``) and assert its status is ``expected``; the message says in
    words what it got and what was asked, and shows the end of its output in whole lines."""
    _require_answer(answer, exercise)
    row = judge(answer, task, limits=limits)
    if row["status"] != expected:
        output = output_tail(str(row.get("stderr") or row.get("stdout") or ""))
        asked = STATUS_IN_WORDS.get(expected, expected)
        raise _fail(
            exercise,
            f"The exercise asks for an answer judged {expected} ({asked}).\n"
            + verdict_in_words(row)
            + (f"\nIts output ends with:\n{output}" if output else ""),
            hint,
        )
    passed(exercise, f"judged {expected}: {STATUS_IN_WORDS.get(expected, expected)}", answer)


def simulate_results(
    rates: Sequence[float],
    n_samples: int,
    *,
    model: str = "simulated",
    language: str = "Python",
    seed: int = 0,
) -> pd.DataFrame:
    """Result rows as ``evaluate`` returns them for a made-up model: one task per entry of
    ``rates``, whose ``n_samples`` samples each pass with that probability. Enough columns for
    ``pass_at_k_table`` and ``task_scores``."""
    rng = np.random.default_rng(seed)
    rates_array = np.asarray(rates, dtype=float)
    if rates_array.size == 0 or ((rates_array < 0) | (rates_array > 1)).any():
        raise ValueError("rates must be probabilities in [0, 1]")
    if n_samples < 1:
        raise ValueError("n_samples must be at least 1")
    passes = rng.random((rates_array.size, n_samples)) < rates_array[:, None]
    task_index, sample_index = np.indices(passes.shape)
    return pd.DataFrame(
        {
            "model": model,
            "task": "generation",
            "subset": None,
            "language": language,
            "task_id": [f"{language}/{i + 1}" for i in task_index.ravel()],
            "level": None,
            "sample_index": sample_index.ravel(),
            "status": np.where(passes.ravel(), "passed", "failed"),
        }
    )


def plug_in_pass_at_k(n: int, c: int, k: int) -> float:
    """The tempting estimate 1 - (1 - c/n)^k: as if each of k draws passed with rate c/n."""
    return 1.0 - (1.0 - c / n) ** k


def expected_estimates(rate: float, n: int, k: int) -> dict[str, float]:
    """For a task whose samples pass with probability ``rate``: the true pass@k, and the exact
    expectation over the binomial number of passing samples (of ``n``) of the unbiased estimator
    and of the plug-in estimate — the bias of each without simulation noise."""
    counts = range(n + 1)
    weights = binom.pmf(list(counts), n, rate)
    unbiased = [pass_at_k(n, c, k) for c in counts]
    plug_in = [plug_in_pass_at_k(n, c, k) for c in counts]
    return {
        "rate": rate,
        "true": 1.0 - (1.0 - rate) ** k,
        "unbiased": float(np.dot(weights, unbiased)),
        "plug_in": float(np.dot(weights, plug_in)),
    }
