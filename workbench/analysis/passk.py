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
    """One row per (model, task kind, task): samples n, passed c, excluded samples, and the
    task's subset and level (None when the results do not carry them)."""
    frame = results.assign(
        counted=~results["status"].isin(EXCLUDED),
        ok=results["status"].eq("passed"),
    )
    for col in ("subset", "level"):
        if col not in frame.columns:
            frame[col] = None
    keys = ["model", "task", "language", "task_id"]
    return (
        frame.groupby(keys, dropna=False, sort=True)
        .agg(
            n=("counted", "sum"),
            c=("ok", "sum"),
            excluded=("counted", lambda s: int((~s).sum())),
            subset=("subset", "first"),
            level=("level", "first"),
        )
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


# --- Aggregation with bootstrap confidence intervals -----------------------------------------

GROUPINGS = ("language", "task", "difficulty", "paradigm", "scenario")


def _category(language: str, attribute: str) -> str:
    from workbench.errors import UnknownLanguageError
    from workbench.registry.languages import get_language

    try:
        return str(getattr(get_language(language), attribute))
    except UnknownLanguageError:
        return "unknown"


def _task_scores(results: pd.DataFrame, ks: tuple[int, ...]) -> pd.DataFrame:
    """One row per (model, task kind, task): n, c, excluded, subset, level, pass@k per k."""
    tasks = per_task(results)
    judged = tasks[tasks["n"] > 0]
    for k in ks:
        short = judged[judged["n"] < k]
        if not short.empty:
            worst = short.loc[short["n"].idxmin()]
            from workbench.errors import InputError

            raise InputError(
                f"pass@{k} needs at least {k} judged samples per task, but the smallest task "
                f"({worst['model']}, {worst['task']} {worst['task_id']}) has n={int(worst['n'])}"
            )
    for k in ks:
        tasks[f"pass@{k}"] = [
            pass_at_k(int(n), int(c), k) if n > 0 else np.nan
            for n, c in zip(tasks["n"], tasks["c"], strict=True)
        ]
    return tasks


def _group_labels(tasks: pd.DataFrame, by: str) -> pd.Series:
    if by == "language":
        return tasks["language"]
    if by == "task":
        subset = tasks["subset"].astype("string")
        return tasks["task"].where(subset.isna(), tasks["task"] + "/" + subset.fillna(""))
    if by == "difficulty":
        return tasks["level"].astype("string").fillna("unknown")
    attribute = {"paradigm": "paradigm", "scenario": "scenario"}[by]
    labels = {lang: _category(lang, attribute) for lang in tasks["language"].unique()}
    return tasks["language"].map(labels)


def _bootstrap_means(scores: np.ndarray, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """``n_boot`` x len(ks) means of tasks resampled with replacement (NaN when no tasks)."""
    if len(scores) == 0:
        return np.full((n_boot, scores.shape[1]), np.nan)
    idx = rng.integers(0, len(scores), size=(n_boot, len(scores)))
    return scores[idx].mean(axis=1)


def pass_at_k_table(
    results: pd.DataFrame,
    ks: int | tuple[int, ...] | list[int] = (1,),
    by: str = "language",
    n_boot: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """pass@k per (model, group) with a bootstrap 95% confidence interval.

    ``by`` is one of ``GROUPINGS``: ``language`` (mean over the language's tasks, plus an ``AVG``
    row per model: the plain mean over languages, the paper's macro average), ``task`` (task kind
    and subset), ``difficulty`` (level), ``paradigm`` or ``scenario`` (the paper's pooling: all
    tasks of the category's languages together, i.e. solved over total, not a mean of language
    means). Samples with a status in ``EXCLUDED`` are left out of every denominator and counted in
    ``excluded``; ``tasks`` counts the tasks with at least one judged sample.

    Columns: model, <by>, tasks, samples, excluded, then ``pass@k``, ``pass@k_low`` and
    ``pass@k_high`` (fractions) for each k. The interval resamples tasks within the group
    (within each language, independently, for ``AVG``) ``n_boot`` times with a fixed ``seed``.
    Raises ``InputError`` (a ``ValueError``) when some judged task has fewer than k samples.
    """
    if by not in GROUPINGS:
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)}; got {by!r}")
    ks = tuple(sorted({int(k) for k in ([ks] if isinstance(ks, int) else ks)}))
    if not ks or ks[0] < 1:
        raise ValueError(f"k must be positive integers, got {ks}")
    score_cols = [f"pass@{k}" for k in ks]
    ci_cols = [c for k in ks for c in (f"pass@{k}", f"pass@{k}_low", f"pass@{k}_high")]
    columns = ["model", by, "tasks", "samples", "excluded", *ci_cols]
    if results.empty:
        return pd.DataFrame(columns=columns)

    tasks = _task_scores(results, ks)
    tasks["group"] = _group_labels(tasks, by)
    rows = []
    for model, model_tasks in tasks.groupby("model", sort=True):
        rng = np.random.default_rng(seed)
        boots = []
        for group, g in model_tasks.groupby("group", sort=True):
            judged = g[g["n"] > 0]
            scores = judged[score_cols].to_numpy(dtype=float).reshape(len(judged), len(ks))
            boot = _bootstrap_means(scores, n_boot, rng)
            row = {
                "model": model,
                by: group,
                "tasks": len(judged),
                "samples": int(g["n"].sum()),
                "excluded": int(g["excluded"].sum()),
            }
            for i, col in enumerate(score_cols):
                row[col] = float(scores[:, i].mean()) if len(scores) else np.nan
            rows.append((row, boot))
            boots.append(boot)
        if by == "language":
            judged_langs = [(r, b) for r, b in rows[-len(boots) :] if r["tasks"] > 0]
            avg = {
                "model": model,
                by: "AVG",
                "tasks": sum(r["tasks"] for r, _ in rows[-len(boots) :]),
                "samples": sum(r["samples"] for r, _ in rows[-len(boots) :]),
                "excluded": sum(r["excluded"] for r, _ in rows[-len(boots) :]),
            }
            for col in score_cols:
                avg[col] = (
                    float(np.mean([r[col] for r, _ in judged_langs])) if judged_langs else np.nan
                )
            avg_boot = (
                np.mean([b for _, b in judged_langs], axis=0)
                if judged_langs
                else np.full((n_boot, len(ks)), np.nan)
            )
            rows.append((avg, avg_boot))

    out = []
    for row, boot in rows:
        for i, col in enumerate(score_cols):
            if np.isnan(boot[:, i]).all():
                row[f"{col}_low"] = row[f"{col}_high"] = np.nan
            else:
                low, high = np.percentile(boot[:, i], [2.5, 97.5])
                row[f"{col}_low"], row[f"{col}_high"] = float(low), float(high)
        out.append(row)
    return pd.DataFrame(out, columns=columns)
