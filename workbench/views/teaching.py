"""Exercise checks and small simulations for the teaching notebooks (``02_text_to_verdict``,
``05_pass_at_k``).

A check compares the reader's answer with what the workbench itself computes and fails with an
``AssertionError`` whose message says what came out, what was asked and where to look — never
the answer. An answer still left as ``...`` (the notebooks' placeholder) is reported as not yet
given. The simulations give pass@k something to estimate without running a model.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import binom

from workbench.analysis.passk import pass_at_k

NOT_ANSWERED = Ellipsis  # the placeholder the exercise cells start with


def _require_answer(answer: Any, exercise: str) -> None:
    if answer is NOT_ANSWERED:
        raise AssertionError(
            f"Exercise {exercise}: no answer yet. Replace the `...` in the exercise cell with "
            "yours and run it, then run this check again (the hidden cell above shows a solution)."
        )


def _fail(exercise: str, problem: str, hint: str) -> AssertionError:
    return AssertionError(f"Exercise {exercise}: {problem}" + (f"\nHint: {hint}" if hint else ""))


def _same(got: Any, want: Any, rel_tol: float) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return got is want or got == want
    if isinstance(want, int | float | np.number) and isinstance(got, int | float | np.number):
        return math.isclose(float(got), float(want), rel_tol=rel_tol, abs_tol=1e-12)
    return bool(got == want)


def passed(exercise: str, detail: str = "") -> None:
    """Print the line that says the answer is right."""
    print(f"✓ Exercise {exercise}: correct" + (f" ({detail})" if detail else ""))


def check_value(
    answer: Any, expected: Any, *, exercise: str, hint: str = "", rel_tol: float = 1e-6
) -> None:
    """Assert ``answer`` equals ``expected`` (numbers within ``rel_tol``)."""
    _require_answer(answer, exercise)
    if not _same(answer, expected, rel_tol):
        raise _fail(exercise, f"your answer {answer!r} is not what the workbench computes.", hint)
    passed(exercise)


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
                exercise, f"your function raised {type(exc).__name__}: {exc} for {args}.", hint
            ) from exc
        if not _same(got, want, rel_tol):
            raise _fail(exercise, f"for arguments {args} your function gives {got!r}.", hint)
    passed(exercise, f"{len(cases)} cases agree")


def check_smallest(
    answer: Any, fits: Callable[[int], bool], *, exercise: str, hint: str = ""
) -> None:
    """Assert ``answer`` is the smallest positive integer ``n`` for which ``fits(n)`` holds."""
    _require_answer(answer, exercise)
    if not isinstance(answer, int | np.integer) or answer < 1:
        raise _fail(
            exercise, f"the answer should be a positive whole number, not {answer!r}.", hint
        )
    if not fits(int(answer)):
        raise _fail(exercise, f"{answer} is too small: it does not meet the condition yet.", hint)
    if answer > 1 and fits(int(answer) - 1):
        raise _fail(
            exercise,
            f"{answer - 1} already meets the condition: {answer} is not the smallest.",
            hint,
        )
    passed(exercise)


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
    """Judge ``answer`` (``judge``) and assert its status is ``expected``; the message shows the
    status it got, the reason and the end of its output."""
    _require_answer(answer, exercise)
    row = judge(answer, task, limits=limits)
    if row["status"] != expected:
        output = (row.get("stderr") or row.get("stdout") or "").strip()[-600:]
        raise _fail(
            exercise,
            f"your answer was judged {row['status']!r} ({row.get('reason') or 'no reason'}), "
            f"not {expected!r}." + (f"\nIts output ends with:\n{output}" if output else ""),
            hint,
        )
    passed(exercise, f"judged {expected}: {row.get('reason') or 'all checks passed'}")


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
