"""McEval vs MultiPL-E: do the two benchmarks rank models alike?

The two leaderboards spell model names differently: they are joined through the model alias
table, and every model that could not be paired is reported (``unmatched``), never dropped
silently. Three comparisons as in the paper, each with Pearson and Spearman correlations: McEval
Python vs MultiPL-E Python (HumanEval), McEval multilingual average vs MultiPL-E Python, McEval
multilingual average vs MultiPL-E multilingual average.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from workbench.inputs.paper import (
    LEADERBOARD_SOURCES,
    MULTIPLE_SOURCE,
    load_aliases,
    load_leaderboard,
    load_multiple_leaderboard,
    model_order,
    resolve_models,
)

# (panel id, title, x column, y column, x title, y title)
PANELS: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        "python-python",
        "(1) Python-Python",
        "mceval_python",
        "multiple_python",
        "McEval (Python)",
        "MultiPL-E (Python / HumanEval)",
    ),
    (
        "multilingual-python",
        "(2) Multilingual-Python",
        "mceval_multilingual",
        "multiple_python",
        "McEval (multilingual average)",
        "MultiPL-E (Python / HumanEval)",
    ),
    (
        "multilingual-multilingual",
        "(3) Multilingual-Multilingual",
        "mceval_multilingual",
        "multiple_multilingual",
        "McEval (multilingual average)",
        "MultiPL-E (multilingual average)",
    ),
)

_MATCH_RANK = {"exact": 0, "spelling": 1, "approximate": 2, "no alias entry": 3}


@dataclass
class MultipleJoin:
    """Models scored on both benchmarks (``points``) and the ones that could not be paired."""

    points: pd.DataFrame
    unmatched: pd.DataFrame


def join_mceval_multiple(
    mceval: pd.DataFrame | None = None,
    multiple: pd.DataFrame | None = None,
    aliases: pd.DataFrame | None = None,
    *,
    multiple_source: str = MULTIPLE_SOURCE,
    include_python_in_average: bool = False,
) -> MultipleJoin:
    """Pair McEval generation scores with MultiPL-E scores per canonical model.

    ``mceval``: tidy generation scores with model (canonical), language, pass_at_1 and optionally
    source_model (default: the published leaderboard). ``multiple``: tidy MultiPL-E scores with
    model (as that source spells it), language (MultiPL-E names, ``python`` = HumanEval),
    pass_at_1 (default: the shipped BigCode table). The MultiPL-E multilingual average leaves
    Python out unless ``include_python_in_average``, so panel 3 does not reuse panel 1's y.

    ``points`` columns: model, mceval_name, multiple_name, match, mceval_python,
    mceval_multilingual, mceval_languages, multiple_python, multiple_multilingual,
    multiple_languages (scores as fractions). ``unmatched``: source, name, model, reason.
    """
    aliases = load_aliases() if aliases is None else aliases
    mceval = load_leaderboard("generation", aliases=aliases) if mceval is None else mceval
    multiple = load_multiple_leaderboard() if multiple is None else multiple
    if "source_model" not in mceval.columns:
        mceval = mceval.assign(source_model=mceval["model"])

    mceval_names = resolve_models(
        mceval["source_model"], LEADERBOARD_SOURCES["generation"], aliases
    )
    multiple_names = resolve_models(multiple["model"], multiple_source, aliases)
    multiple = multiple.rename(columns={"model": "multiple_name"}).assign(
        model=lambda f: f["multiple_name"].map(multiple_names.mapping)
    )

    left = (
        mceval.groupby("model", sort=False)
        .agg(
            mceval_name=("source_model", "first"),
            mceval_multilingual=("pass_at_1", "mean"),
            mceval_languages=("pass_at_1", "count"),
        )
        .join(
            mceval[mceval["language"] == "Python"]
            .groupby("model")["pass_at_1"]
            .mean()
            .rename("mceval_python")
        )
        .reset_index()
    )
    right_rows = []
    for model, rows in multiple.groupby("model", sort=False):
        python = rows.loc[rows["language"] == "python", "pass_at_1"]
        others = rows if include_python_in_average else rows[rows["language"] != "python"]
        right_rows.append(
            dict(
                model=model,
                multiple_name=rows["multiple_name"].iloc[0],
                multiple_python=float(python.mean()) if len(python) else np.nan,
                multiple_multilingual=float(others["pass_at_1"].mean()) if len(others) else np.nan,
                multiple_languages=int(others["language"].nunique()),
            )
        )
    right = pd.DataFrame(
        right_rows,
        columns=[
            "model",
            "multiple_name",
            "multiple_python",
            "multiple_multilingual",
            "multiple_languages",
        ],
    )
    points = left.merge(right, on="model", how="inner")
    points["match"] = [
        max(
            mceval_names.match.get(a, "no alias entry"),
            multiple_names.match.get(b, "no alias entry"),
            key=_MATCH_RANK.__getitem__,
        )
        for a, b in zip(points["mceval_name"], points["multiple_name"], strict=True)
    ]
    order = {m: i for i, m in enumerate(model_order(points["model"]))}
    points = points.sort_values("model", key=lambda s: s.map(order)).reset_index(drop=True)
    columns = [
        "model",
        "mceval_name",
        "multiple_name",
        "match",
        "mceval_python",
        "mceval_multilingual",
        "mceval_languages",
        "multiple_python",
        "multiple_multilingual",
        "multiple_languages",
    ]
    points = points[columns]

    paired = set(points["model"])
    unmatched = []
    for _, row in left[~left["model"].isin(paired)].iterrows():
        unmatched.append(
            dict(
                source=LEADERBOARD_SOURCES["generation"],
                name=row["mceval_name"],
                model=row["model"],
                reason="no MultiPL-E score for this model",
            )
        )
    for _, row in right[~right["model"].isin(paired)].iterrows():
        unmatched.append(
            dict(
                source=multiple_source,
                name=row["multiple_name"],
                model=row["model"],
                reason="not on the McEval generation leaderboard",
            )
        )
    for source, resolution in (
        (LEADERBOARD_SOURCES["generation"], mceval_names),
        (multiple_source, multiple_names),
    ):
        for name in resolution.unmatched:
            unmatched.append(
                dict(
                    source=source,
                    name=name,
                    model=name,
                    reason="no alias entry: joined by its own name",
                )
            )
    unmatched_frame = pd.DataFrame(unmatched, columns=["source", "name", "model", "reason"])
    unmatched_frame = unmatched_frame.sort_values(["source", "name", "reason"]).reset_index(
        drop=True
    )
    return MultipleJoin(points=points, unmatched=unmatched_frame)


def correlations(points: pd.DataFrame) -> pd.DataFrame:
    """Pearson and Spearman correlation per panel over the models with both scores."""
    rows = []
    for panel, title, x, y, _, _ in PANELS:
        pairs = points[[x, y]].dropna()
        n = len(pairs)
        if n >= 3:
            pearson = stats.pearsonr(pairs[x], pairs[y])
            spearman = stats.spearmanr(pairs[x], pairs[y])
            values = (
                float(pearson.statistic),
                float(pearson.pvalue),
                float(spearman.statistic),
                float(spearman.pvalue),
            )
        else:
            values = (np.nan,) * 4
        rows.append(
            dict(
                panel=panel,
                title=title,
                x=x,
                y=y,
                n=n,
                pearson_r=values[0],
                pearson_p=values[1],
                spearman_rho=values[2],
                spearman_p=values[3],
            )
        )
    return pd.DataFrame(rows)
