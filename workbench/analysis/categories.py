"""Paradigm (5) and application-scenario (11) scores, pooled the way the paper pools them.

A category's score is the sum of solved tasks over the sum of tasks of its languages, where a
language's solved count is its pass@1 times its number of tasks. Languages with more tasks
(Java 53, Rust 53, Dart 51) therefore weigh a little more than a plain mean would give them.
The overall AVG is the plain mean over languages, as the leaderboard's AVG is. This is the
pooling for per-language scores (the published leaderboard); from per-task results,
``pass_at_k_table(results, by="paradigm")`` gives the same numbers directly.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from workbench.errors import InputError
from workbench.inputs.paper import model_order
from workbench.registry.languages import all_languages

CategoryKind = Literal["paradigm", "scenario"]
CATEGORY_KINDS: tuple[CategoryKind, ...] = ("paradigm", "scenario")
AVG_COLUMN = "AVG"


def language_categories(kind: CategoryKind) -> dict[str, str]:
    """Each McEval language's paradigm or scenario, from the language registry."""
    return {lang.name: getattr(lang, kind) for lang in all_languages()}


def category_order(kind: CategoryKind) -> list[str]:
    """Categories in order of first appearance along the canonical language order."""
    return list(dict.fromkeys(language_categories(kind).values()))


def pooled_categories(
    scores: pd.DataFrame, counts: pd.DataFrame, kind: CategoryKind
) -> pd.DataFrame:
    """Pool per-language pass@1 into categories.

    ``scores``: model, language, pass_at_1 (fraction). ``counts``: language, n_tasks.
    Returns model, category, n_languages, n_tasks, solved, pass_at_1 (= solved / n_tasks).
    Only languages the model has a score for are pooled; ``n_languages`` says how many.
    """
    mapping = language_categories(kind)
    n_tasks = dict(zip(counts["language"], counts["n_tasks"], strict=True))
    frame = scores.dropna(subset=["pass_at_1"])[["model", "language", "pass_at_1"]].copy()
    unknown = sorted(set(frame["language"]) - set(mapping))
    if unknown:
        raise InputError(f"languages without a {kind}: {unknown}", field="language")
    uncounted = sorted(set(frame["language"]) - set(n_tasks))
    if uncounted:
        raise InputError(f"no task count for languages {uncounted}", field="n_tasks")
    frame["category"] = frame["language"].map(mapping)
    frame["n_tasks"] = frame["language"].map(n_tasks).astype(float)
    frame["solved"] = frame["pass_at_1"] * frame["n_tasks"]
    pooled = (
        frame.groupby(["model", "category"], sort=False)
        .agg(
            n_languages=("language", "count"),
            n_tasks=("n_tasks", "sum"),
            solved=("solved", "sum"),
        )
        .reset_index()
    )
    pooled["pass_at_1"] = pooled["solved"] / pooled["n_tasks"]
    pooled["n_tasks"] = pooled["n_tasks"].astype(int)
    return _sorted(pooled, kind)


def _sorted(frame: pd.DataFrame, kind: CategoryKind) -> pd.DataFrame:
    models = model_order(frame["model"])
    categories = category_order(kind)
    frame = frame.assign(
        _m=frame["model"].map({m: i for i, m in enumerate(models)}),
        _c=frame["category"].map({c: i for i, c in enumerate(categories)}),
    )
    return frame.sort_values(["_m", "_c"]).drop(columns=["_m", "_c"]).reset_index(drop=True)


def overall_average(scores: pd.DataFrame) -> pd.DataFrame:
    """Plain mean of pass@1 over languages per model: ``model, n_languages, pass_at_1``."""
    frame = scores.dropna(subset=["pass_at_1"])
    out = (
        frame.groupby("model", sort=False)
        .agg(n_languages=("language", "count"), pass_at_1=("pass_at_1", "mean"))
        .reset_index()
    )
    order = {m: i for i, m in enumerate(model_order(out["model"]))}
    return out.sort_values("model", key=lambda s: s.map(order)).reset_index(drop=True)


def category_wide(pooled: pd.DataFrame, overall: pd.DataFrame, kind: CategoryKind) -> pd.DataFrame:
    """One row per model, one column per category, plus the overall AVG (fractions)."""
    wide = pooled.pivot(index="model", columns="category", values="pass_at_1")
    columns = [c for c in category_order(kind) if c in wide.columns]
    wide = wide[columns]
    wide[AVG_COLUMN] = overall.set_index("model")["pass_at_1"]
    wide = wide.loc[model_order(wide.index)]
    wide.columns.name = None
    return wide.reset_index()
