"""The Wilson score interval and Kish's effective sample size, against hand-computed numbers
and scipy's own Wilson interval (``binomtest(...).proportion_ci(method="wilson")``)."""

from __future__ import annotations

import math

import pytest
from scipy.stats import binomtest

from workbench.analysis.intervals import (
    effective_sample_size,
    kish_effective_size,
    wilson_interval,
)


def test_known_values() -> None:
    # By hand, z = 1.959964: p = 0.5, n = 10 -> centre 0.5, half-width
    # z * sqrt(0.025 + z² / 400) / (1 + z² / 10) = 0.26340.
    low, high = wilson_interval(0.5, 10)
    assert (low, high) == (pytest.approx(0.2366, abs=1e-4), pytest.approx(0.7634, abs=1e-4))
    # p = 0, n = 20: [0, z² / (n + z²)] = [0, 0.16113].
    low, high = wilson_interval(0.0, 20)
    assert low == 0.0 and high == pytest.approx(0.1611, abs=1e-4)
    assert all(math.isnan(v) for v in wilson_interval(0.5, 0))
    assert all(math.isnan(v) for v in wilson_interval(float("nan"), 10))


@pytest.mark.parametrize(("successes", "n"), [(0, 1), (1, 1), (3, 8), (17, 50), (50, 50), (1, 53)])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_matches_scipy(successes: int, n: int, confidence: float) -> None:
    expected = binomtest(successes, n).proportion_ci(confidence_level=confidence, method="wilson")
    low, high = wilson_interval(successes / n, n, confidence)
    assert low == pytest.approx(expected.low, abs=1e-12)
    assert high == pytest.approx(expected.high, abs=1e-12)


def test_never_degenerate_at_the_ends() -> None:
    # 50 tasks all solved: a percentile bootstrap gives [1, 1]; Wilson does not.
    low, high = wilson_interval(1.0, 50)
    assert high == 1.0 and 0.9 < low < 1.0
    low, high = wilson_interval(0.0, 50)
    assert low == 0.0 and 0.0 < high < 0.1


def test_kish_effective_size() -> None:
    assert kish_effective_size([1, 1, 1, 1]) == pytest.approx(4)  # equal weights: the count
    assert kish_effective_size([1, 0, 0]) == pytest.approx(1)
    assert kish_effective_size([3, 1]) == pytest.approx(16 / 10)
    assert kish_effective_size([]) == 0.0


def test_effective_tasks_of_a_mean_of_language_means() -> None:
    # Languages of 50, 53 and 10 tasks: each task weighs 1 / (L n_l), so n_eff = L² / Σ 1/n_l.
    sizes = [50, 53, 10]
    expected = 3**2 / (1 / 50 + 1 / 53 + 1 / 10)
    assert effective_sample_size(sizes) == pytest.approx(expected)
    assert effective_sample_size(sizes) < sum(sizes)
    weights = [1 / (3 * n) for n in sizes for _ in range(n)]
    assert kish_effective_size(weights) == pytest.approx(expected)
    assert effective_sample_size([40] * 5) == pytest.approx(200)  # equal sizes: every task
    assert effective_sample_size([0, 7]) == pytest.approx(7)  # a language without tasks is out
    assert effective_sample_size([]) == 0.0
