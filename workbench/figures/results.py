"""Turn a results store's ``executions`` rows into the per-task and per-language scores figures use.

Statuses that say nothing about the model (``toolchain_missing``, ``infrastructure_error``) are
left out of every denominator and counted separately, so a missing compiler never reads as a
model failure.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.analysis.passk import per_task
from workbench.errors import InputError

REQUIRED_COLUMNS: tuple[str, ...] = ("task_id", "language", "task", "model", "status")


def read_results(path: Path) -> pd.DataFrame:
    """The ``executions`` table of a results store."""
    from workbench.evaluation.store import Store

    path = Path(path)
    # Store() would create an empty store at a mistyped path; a figure run must not.
    if not path.is_file():
        raise InputError("no results store at this path", file=path)
    with Store(path) as store:
        return store.results()


def check_results(results: pd.DataFrame) -> pd.DataFrame:
    """Validate the columns and fill optional ones (subset, level, sample_index)."""
    missing = [c for c in REQUIRED_COLUMNS if c not in results.columns]
    if missing:
        raise InputError(f"results lack columns {missing}", field=missing[0])
    frame = results.copy()
    for column in ("subset", "level"):
        if column not in frame.columns:
            frame[column] = None
    if "sample_index" not in frame.columns:
        frame["sample_index"] = 0
    frame["subset"] = frame["subset"].astype(object).where(frame["subset"].notna(), None)
    return frame


def task_scores(results: pd.DataFrame) -> pd.DataFrame:
    """Per-task pass@1 (passed samples over counted samples).

    Columns: model, task, subset, language, task_id, level, n_samples, n_passed, n_excluded,
    pass_at_1 (NaN when every sample was excluded).
    """
    tasks = per_task(check_results(results)).rename(
        columns={"n": "n_samples", "c": "n_passed", "excluded": "n_excluded"}
    )
    tasks["pass_at_1"] = tasks["n_passed"] / tasks["n_samples"].where(tasks["n_samples"] > 0)
    columns = ["model", "task", "subset", "language", "task_id", "level", "n_samples", "n_passed"]
    return tasks[[*columns, "n_excluded", "pass_at_1"]]


def language_scores(results: pd.DataFrame) -> pd.DataFrame:
    """Per-language pass@1: mean over tasks of per-task pass@1, with the number of tasks.

    Columns: model, task, subset, language, pass_at_1, n_tasks, n_excluded_tasks.
    """
    tasks = task_scores(results)
    tasks["excluded_task"] = tasks["pass_at_1"].isna()
    keys = ["model", "task", "subset", "language"]
    out = (
        tasks.groupby(keys, dropna=False, sort=True)
        .agg(
            pass_at_1=("pass_at_1", "mean"),
            n_tasks=("pass_at_1", "count"),
            n_excluded_tasks=("excluded_task", "sum"),
        )
        .reset_index()
    )
    return out
