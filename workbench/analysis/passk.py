"""pass@k: the estimator of one task, the scores of every task, and the table per group.

Every number of the workbench that is a pass rate comes from :func:`task_scores` and
:func:`pass_at_k_table`: the CLI's tables, the demo, and the figures drawn from results.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from workbench.analysis.categories import language_categories
from workbench.analysis.defects import defective_mask
from workbench.analysis.intervals import effective_sample_size, wilson_interval
from workbench.analysis.rows import of_kind
from workbench.errors import InputError
from workbench.execution.records import MACHINE_STATUSES

REQUIRED_COLUMNS: tuple[str, ...] = ("model", "task", "language", "task_id", "status")
TASK_KEYS: tuple[str, ...] = ("model", "task", "subset", "language", "task_id", "level")
COUNT_COLUMNS: tuple[str, ...] = ("n_tasks", "n_samples", "n_passed", "n_excluded")
# With defective tasks set aside (``pass_at_k_table(..., set_aside=...)``): how many judged tasks
# of the group were set aside, and the score suffix of the second score. Named apart from
# ``n_excluded`` (samples with a machine status) on purpose: one counts tasks a person judged
# defective, the other samples the machine could not judge.
DEFECTIVE_COUNT = "n_defective_tasks"
DEFECTS_ASIDE = "defects_aside"

# ``by`` values: "difficulty" and "level" are the same grouping under two column names.
GROUPINGS: tuple[str, ...] = ("language", "task", "difficulty", "level", "paradigm", "scenario")
AVG_LABEL = "AVG"
UNKNOWN = "unknown"


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k of one task with ``n`` samples of which ``c`` passed (Chen et al., 2021)."""
    if not 0 <= c <= n:
        raise ValueError(f"need 0 <= c <= n, got n={n}, c={c}")
    if k < 1 or k > n:
        raise ValueError(f"pass@{k} needs at least {k} samples per task, got n={n}")
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def k_values(k: int | Sequence[int]) -> tuple[int, ...]:
    """``k`` as a sorted tuple of distinct positive integers (``1`` or ``[1, 10]``)."""
    ks = tuple(sorted({int(v) for v in ([k] if isinstance(k, int | np.integer) else k)}))
    if not ks or ks[0] < 1:
        raise InputError(f"k must be positive integers, got {k!r}", field="k")
    return ks


def score_columns(k: int | Sequence[int], suffix: str = "") -> list[str]:
    """The score columns of ``k``: ``pass_at_{k}``, ``pass_at_{k}_low``, ``pass_at_{k}_high``;
    with ``suffix`` (``DEFECTS_ASIDE``) the same names with ``_{suffix}`` before the bound."""
    tag = f"_{suffix}" if suffix else ""
    return [
        c
        for v in k_values(k)
        for c in (f"pass_at_{v}{tag}", f"pass_at_{v}{tag}_low", f"pass_at_{v}{tag}_high")
    ]


def task_scores(
    results: pd.DataFrame,
    k: int | Sequence[int] = 1,
    *,
    set_aside: Iterable[str] | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per (model, task, subset, language, task_id, level) with its pass@k.

    ``results``: executions rows (model, task, language, task_id, status; subset and level when
    known). Columns: the keys, ``n_samples`` (judged samples), ``n_passed``, ``n_excluded``
    (samples with a machine status), and ``pass_at_{k}`` per k (NaN when no sample was judged);
    with ``set_aside`` (as ``analysis.defects.defective_mask`` reads it), ``defective``: whether
    the task is one of them. Raises ``InputError`` when a column is missing or a judged task has
    fewer than k samples.
    """
    missing = [c for c in REQUIRED_COLUMNS if c not in results.columns]
    if missing:
        raise InputError(f"results lack columns {missing}", field=missing[0])
    ks = k_values(k)
    results = of_kind(results)  # the scored verdicts: other runs of a sample never count
    excluded = results["status"].isin(MACHINE_STATUSES)
    frame = results.assign(
        judged=~excluded, passed=results["status"].eq("passed"), excluded=excluded
    )
    flags = {}
    if set_aside is not None:
        frame["defective"] = defective_mask(results, set_aside)
        flags["defective"] = ("defective", "any")
    for column in ("subset", "level"):
        if column not in frame.columns:
            frame[column] = None
    tasks = (
        frame.groupby(list(TASK_KEYS), dropna=False, sort=True)
        .agg(
            n_samples=("judged", "sum"),
            n_passed=("passed", "sum"),
            n_excluded=("excluded", "sum"),
            **flags,
        )
        .reset_index()
    )
    for column in ("subset", "level"):  # one spelling of "none": None, never NaN
        tasks[column] = tasks[column].astype(object).where(tasks[column].notna(), None)
    for column in ("n_samples", "n_passed", "n_excluded"):
        tasks[column] = tasks[column].astype(int)
    judged = tasks[tasks["n_samples"] > 0]
    for v in ks:
        short = judged[judged["n_samples"] < v]
        if not short.empty:
            worst = short.loc[short["n_samples"].idxmin()]
            raise InputError(
                f"pass@{v} needs at least {v} judged samples per task, but the smallest task "
                f"({worst['model']}, {worst['task']} {worst['task_id']}) has "
                f"n={int(worst['n_samples'])}",
                field="sample_index",
            )
    for v in ks:
        tasks[f"pass_at_{v}"] = [
            pass_at_k(n, c, v) if n > 0 else np.nan
            for n, c in zip(tasks["n_samples"], tasks["n_passed"], strict=True)
        ]
    return tasks


def select_task_kind(results: pd.DataFrame, task: str, subset: str | None = None) -> pd.DataFrame:
    """The rows of one task kind: ``task`` and, for completion, ``subset`` (None: no subset)."""
    missing = [c for c in ("task", "status") if c not in results.columns]
    if missing:
        raise InputError(f"results lack columns {missing}", field=missing[0])
    subsets = results["subset"] if "subset" in results.columns else pd.Series(None, results.index)
    same = subsets.isna() if subset is None else subsets.eq(subset)
    return results[results["task"].eq(task) & same]


def group_labels(tasks: pd.DataFrame, by: str) -> pd.Series:
    """The label of each task under grouping ``by`` (one of ``GROUPINGS``)."""
    if by == "language":
        return tasks["language"]
    if by == "task":
        subset = tasks["subset"].astype("string")
        return tasks["task"].where(subset.isna(), tasks["task"] + "/" + subset.fillna(""))
    if by in ("difficulty", "level"):
        return tasks["level"].astype(object).where(tasks["level"].notna(), UNKNOWN)
    if by in ("paradigm", "scenario"):
        return tasks["language"].map(language_categories(by)).fillna(UNKNOWN)
    raise ValueError(f"by must be one of {', '.join(GROUPINGS)}; got {by!r}")


def pass_at_k_table(
    results: pd.DataFrame,
    k: int | Sequence[int] = 1,
    by: str | Sequence[str] = "language",
    confidence: float = 0.95,
    set_aside: Iterable[str] | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """pass@k per (model, group) with a Wilson interval over tasks.

    ``by``: one of ``GROUPINGS`` or a list of them (``["language", "level"]``). A group's
    pass@k is the mean over its judged tasks, so ``paradigm`` and ``scenario`` pool tasks
    (solved over total, the paper's pooling). ``by="language"`` adds an ``AVG`` row per model:
    the plain mean over the languages that have a score (the paper's macro average), its
    interval at Kish's effective number of tasks. Samples with a machine status are left out
    of every denominator and counted in ``n_excluded``; ``n_tasks`` counts judged tasks.

    Columns: model, the ``by`` columns, n_tasks, n_samples, n_passed, n_excluded, then
    ``pass_at_{k}``, ``pass_at_{k}_low``, ``pass_at_{k}_high`` per k (fractions; NaN without
    a judged task). Raises ``InputError`` when a judged task has fewer than k samples.

    ``set_aside`` (task ids, or a frame as ``analysis.defects.defective_mask`` reads it, such as
    ``defective_tasks(store)``) adds a second score beside the first, never in its
    place: ``n_defective_tasks`` (judged tasks of the group that are set aside) and
    ``pass_at_{k}_defects_aside`` with its bounds, computed as above over the other tasks. The
    first score stays the benchmark's: every task counts.
    """
    ks = k_values(k)
    dims = [by] if isinstance(by, str) else list(by)
    unknown = [d for d in dims if d not in GROUPINGS]
    if not dims or unknown or len(set(dims)) != len(dims):
        raise ValueError(f"by must be one of {', '.join(GROUPINGS)} or a list of them; got {by!r}")
    columns = ["model", *dims, *COUNT_COLUMNS, *score_columns(ks)]
    if set_aside is not None:
        columns += [DEFECTIVE_COUNT, *score_columns(ks, DEFECTS_ASIDE)]
    if results.empty:
        return pd.DataFrame(columns=columns)

    tasks = task_scores(results, ks, set_aside=set_aside)
    defective = None if set_aside is None else tasks.pop("defective").astype(bool)
    for dim in dims:
        tasks[dim] = group_labels(tasks, dim)
    tasks["n_tasks"] = (tasks["n_samples"] > 0).astype(int)
    if defective is None:
        return _grouped(tasks, dims, ks, COUNT_COLUMNS, confidence)[columns]
    tasks[DEFECTIVE_COUNT] = tasks["n_tasks"].where(defective, 0)
    table = _grouped(tasks, dims, ks, (*COUNT_COLUMNS, DEFECTIVE_COUNT), confidence)
    keys = ["model", *dims]
    kept = _grouped(tasks[~defective], dims, ks, COUNT_COLUMNS, confidence)
    kept = kept[keys + score_columns(ks)].rename(
        columns=dict(zip(score_columns(ks), score_columns(ks, DEFECTS_ASIDE), strict=True))
    )
    return table.merge(kept, on=keys, how="left")[columns]


def _grouped(
    tasks: pd.DataFrame,
    dims: list[str],
    ks: tuple[int, ...],
    counts: Sequence[str],
    confidence: float,
) -> pd.DataFrame:
    """Per-task scores summed (``counts``) and averaged per (model, group), the AVG rows when
    grouping by language, and each score's interval."""
    scores = [f"pass_at_{v}" for v in ks]
    table = (
        tasks.groupby(["model", *dims], sort=True, dropna=False)
        .agg(
            **{c: (c, "sum") for c in counts},
            **{c: (c, "mean") for c in scores},
        )
        .reset_index()
    )
    # The number of trials behind each value: tasks, or their effective number for AVG.
    table["_trials"] = table["n_tasks"].astype(float)
    if dims == ["language"]:
        table = pd.concat([table, _averages(table, scores, counts)], ignore_index=True)
        table = table.sort_values("model", kind="stable", ignore_index=True)
    for score in scores:
        bounds = [
            wilson_interval(p, n, confidence)
            for p, n in zip(table[score], table["_trials"], strict=True)
        ]
        table[f"{score}_low"] = [low for low, _ in bounds]
        table[f"{score}_high"] = [high for _, high in bounds]
    for column in counts:
        table[column] = table[column].astype(int)
    return table


def _averages(table: pd.DataFrame, scores: list[str], counts: Sequence[str]) -> pd.DataFrame:
    """The AVG row of each model: counts summed, scores the plain mean over scored languages."""
    rows = []
    for model, langs in table.groupby("model", sort=True):
        scored = langs[langs["n_tasks"] > 0]
        row = {"model": model, "language": AVG_LABEL}
        row.update({c: int(langs[c].sum()) for c in counts})
        row.update({c: float(scored[c].mean()) if len(scored) else np.nan for c in scores})
        row["_trials"] = effective_sample_size(scored["n_tasks"])
        rows.append(row)
    return pd.DataFrame(rows)


def status_counts(results: pd.DataFrame, by: Sequence[str] = ("model", "language")) -> pd.DataFrame:
    """Scored samples per status (a column each) for each group of ``by`` columns."""
    return (
        of_kind(results)
        .groupby(list(by))["status"]
        .value_counts()
        .unstack("status", fill_value=0)
        .reset_index()
    )
