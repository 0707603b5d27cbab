"""The one confidence interval of the workbench: Wilson's score interval over tasks."""

from __future__ import annotations

import math
from collections.abc import Iterable

from scipy.stats import norm


def wilson_interval(p: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a success rate ``p`` observed over ``n`` trials; NaNs when
    ``n`` is 0 or ``p`` is NaN.

    Each task is one trial and its pass@k is its (fractional) success, so ``n`` is the number
    of judged tasks and ``p`` their mean pass@k. Why Wilson:

    - exact in the common case (one sample per task, pass@1: each task is a Bernoulli trial);
    - conservative with several samples per task: a task's pass@k in [0, 1] varies no more
      than a coin with the same mean, so the binomial variance is an upper bound;
    - never degenerate: at 0% or 100% it still has width (a percentile bootstrap over 50
      tasks all solved gives [1, 1]);
    - deterministic and closed-form: no resampling, no seed.

    For a mean of group means (the AVG over languages) pass ``n`` = Kish's effective sample
    size of the task weights (:func:`effective_sample_size`), which may be fractional.
    """
    if n <= 0 or p is None or math.isnan(p):
        return (math.nan, math.nan)
    z = float(norm.ppf(0.5 + confidence / 2))
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    # The exact bounds lie within [0, 1] and touch 0 at p = 0 and 1 at p = 1; rounding may not.
    low = 0.0 if p <= 0 else max(0.0, centre - half)
    high = 1.0 if p >= 1 else min(1.0, centre + half)
    return (low, high)


def kish_effective_size(weights: Iterable[float]) -> float:
    """Kish's effective sample size (Σw)² / Σw² of observations with weights ``weights``."""
    w = [float(x) for x in weights]
    squares = sum(x * x for x in w)
    return sum(w) ** 2 / squares if squares > 0 else 0.0


def effective_sample_size(group_sizes: Iterable[int]) -> float:
    """Effective number of tasks behind a plain mean of group means.

    With L groups (languages) of n_l tasks, each task of group l weighs 1 / (L n_l), so Kish's
    (Σw)² / Σw² is L² / Σ_l 1/n_l: the number of tasks when every group has the same size,
    less when sizes differ. Groups without tasks are left out.
    """
    sizes = [int(n) for n in group_sizes if n > 0]
    return kish_effective_size(1 / (len(sizes) * n) for n in sizes for _ in range(n))
