"""pass@k and the paper's aggregation: per language, then the plain mean over languages."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Verdicts about the machine, not the model: left out of every denominator, reported apart.
EXCLUDED = ("toolchain_missing", "infrastructure_error")


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k of one task with ``n`` samples of which ``c`` passed (Chen et al., 2021)."""
    if not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got n={n}, c={c}")
    if k < 1 or k > n:
        raise ValueError(f"pass@{k} needs at least {k} samples per task, got n={n}")
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def per_task(results: pd.DataFrame) -> pd.DataFrame:
    """One row per (model, task kind, task): samples n, passed c, excluded samples."""
    frame = results.assign(
        counted=~results["status"].isin(EXCLUDED),
        ok=results["status"].eq("passed"),
    )
    keys = ["model", "task", "language", "task_id"]
    return (
        frame.groupby(keys, dropna=False, sort=True)
        .agg(n=("counted", "sum"), c=("ok", "sum"), excluded=("counted", lambda s: int((~s).sum())))
        .reset_index()
    )


def pass_at_1_by_language(results: pd.DataFrame, k: int = 1) -> pd.DataFrame:
    """pass@k per (model, language) plus an ``AVG`` row per model (mean over languages).

    Columns: model, language, tasks, samples, passed, excluded, pass_at_k (fraction; NaN when no
    task of that language could be judged, e.g. its toolchain is missing).
    """
    tasks = per_task(results)
    judged = tasks[tasks["n"] > 0]
    scores = judged.assign(
        score=[pass_at_k(int(n), int(c), k) for n, c in zip(judged["n"], judged["c"], strict=True)]
    )
    by_lang = (
        tasks.groupby(["model", "language"], sort=True)
        .agg(
            tasks=("task_id", "nunique"),
            samples=("n", "sum"),
            passed=("c", "sum"),
            excluded=("excluded", "sum"),
        )
        .reset_index()
    )
    mean_score = scores.groupby(["model", "language"])["score"].mean().rename("pass_at_k")
    by_lang = by_lang.merge(mean_score, on=["model", "language"], how="left")
    avg = (
        by_lang.groupby("model")
        .agg(
            tasks=("tasks", "sum"),
            samples=("samples", "sum"),
            passed=("passed", "sum"),
            excluded=("excluded", "sum"),
            pass_at_k=("pass_at_k", "mean"),
        )
        .reset_index()
        .assign(language="AVG")
    )
    return pd.concat([by_lang, avg[by_lang.columns]], ignore_index=True)


def status_counts(results: pd.DataFrame) -> pd.DataFrame:
    """Samples per status for each (model, language)."""
    return (
        results.groupby(["model", "language", "status"])
        .size()
        .unstack("status", fill_value=0)
        .reset_index()
    )
