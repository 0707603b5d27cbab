"""McEval vs MultiPL-E: do the two benchmarks rank models alike?

Three panels as in the paper: McEval Python vs MultiPL-E Python (HumanEval), McEval multilingual
average vs MultiPL-E Python, McEval multilingual average vs MultiPL-E multilingual average, each
with the y = x line and Pearson and Spearman correlations. The two leaderboards spell model names
differently: they are joined through the model alias table, and every model that could not be
paired is reported (``unmatched``), never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
from scipy import stats

from workbench.figures.paper import (
    LEADERBOARD_SOURCES,
    MULTIPLE_SOURCE,
    load_aliases,
    load_leaderboard,
    load_multiple_leaderboard,
    model_order,
    resolve_models,
)
from workbench.figures.theme import FORMATS, FigureFiles, save_figure
from workbench.figures.theme import title as chart_title

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


def declutter_labels(
    xs: pd.Series, ys: pd.Series, labels: pd.Series, *, line: float = 3.8, char: float = 1.7
) -> tuple[list[float], list[float], list[str]]:
    """Label positions (data units of a 0-100 panel) and sides that keep labels apart.

    Greedy and deterministic: points are visited from the top down, and each label takes the
    first free slot among right/left of its point at 0, ±1, ±2... lines. Units assume a ~330 px
    panel and a 10 px font (``line`` = row height, ``char`` = character width).
    """
    order = sorted(
        range(len(xs)), key=lambda i: (-_num(ys.iloc[i]), _num(xs.iloc[i]), str(labels.iloc[i]))
    )
    boxes: list[tuple[float, float, float]] = []  # (x0, x1, y) of placed labels
    out_x = [float("nan")] * len(xs)
    out_y = [float("nan")] * len(xs)
    sides = ["right"] * len(xs)
    offsets = [0.0] + [sign * k * line for k in range(1, 6) for sign in (-1, 1)]
    for i in order:
        x, y = _num(xs.iloc[i]), _num(ys.iloc[i])
        if np.isnan(x) or np.isnan(y):
            continue
        width = char * len(str(labels.iloc[i]))
        candidates = [(side, y + offset) for offset in offsets for side in ("right", "left")]
        for side, target in candidates:
            x0, x1 = (x + 1.5, x + 1.5 + width) if side == "right" else (x - 1.5 - width, x - 1.5)
            if x0 < 0 or x1 > 100:
                continue
            if not any(abs(target - by) < line and x0 < bx1 and bx0 < x1 for bx0, bx1, by in boxes):
                break
        else:  # nowhere free: keep the plain right-hand slot
            side, target = "right", y
            x0, x1 = x + 1.5, x + 1.5 + width
        boxes.append((x0, x1, target))
        out_x[i], out_y[i], sides[i] = x, target, side
    return out_x, out_y, sides


def _num(value: object) -> float:
    return float(value) if value is not None and not pd.isna(value) else float("nan")


def multiple_chart(
    points: pd.DataFrame, corr: pd.DataFrame, subtitle: str = ""
) -> alt.HConcatChart:
    """Three labelled scatter panels (percent) with the y = x line and correlations."""
    data = points.assign(
        **{
            c: points[c] * 100
            for c in (
                "mceval_python",
                "mceval_multilingual",
                "multiple_python",
                "multiple_multilingual",
            )
        },
        paired=points["match"].map(
            lambda m: "approximate pairing" if m == "approximate" else "same model"
        ),
    )
    diagonal = pd.DataFrame({"a": [0, 100], "b": [0, 100]})
    panels = []
    for (_, title, x, y, x_title, y_title), (_, c) in zip(PANELS, corr.iterrows(), strict=True):
        scale = alt.Scale(domain=[0, 100])
        line = (
            alt.Chart(diagonal)
            .mark_line(strokeDash=[8, 5], color="#8fbf6a", strokeWidth=2)
            .encode(
                x=alt.X("a:Q", scale=scale, title=x_title),
                y=alt.Y("b:Q", scale=scale, title=y_title),
            )
        )
        base = alt.Chart(data).encode(
            x=alt.X(f"{x}:Q", scale=scale, title=x_title),
            y=alt.Y(f"{y}:Q", scale=scale, title=y_title),
        )
        dots = base.mark_point(size=55, filled=True, color="#1f2a44").encode(
            shape=alt.Shape(
                "paired:N",
                title="Pairing",
                scale=alt.Scale(
                    domain=["same model", "approximate pairing"], range=["circle", "triangle"]
                ),
            ),
            tooltip=[
                "model",
                "mceval_name",
                "multiple_name",
                "match",
                alt.Tooltip(f"{x}:Q", format=".1f"),
                alt.Tooltip(f"{y}:Q", format=".1f"),
            ],
        )
        label_x, label_y, side = declutter_labels(data[x], data[y], data["model"])
        placed = data.assign(label_x=label_x, label_y=label_y, side=side)
        labels = alt.layer(
            *(
                alt.Chart(placed[placed["side"] == s])
                .mark_text(align=align, baseline="middle", dx=dx, fontSize=10)
                .encode(
                    x=alt.X("label_x:Q", scale=scale),
                    y=alt.Y("label_y:Q", scale=scale),
                    text="model:N",
                )
                for s, align, dx in (("right", "left", 5), ("left", "right", -5))
            )
        )
        stats_line = (
            f"Pearson r = {c['pearson_r']:.2f}, Spearman ρ = {c['spearman_rho']:.2f}, n = {c['n']}"
            if c["n"] >= 3
            else f"n = {c['n']}: too few models for a correlation"
        )
        # A faint leader line ties a label that had to move to its point.
        moved = placed[(placed["label_y"] - placed[y]).abs() > 0.1]
        leaders = (
            alt.Chart(moved)
            .mark_rule(color="#999999", strokeWidth=0.6)
            .encode(
                x=alt.X(f"{x}:Q", scale=scale),
                y=alt.Y(f"{y}:Q", scale=scale),
                x2="label_x:Q",
                y2="label_y:Q",
            )
        )
        panels.append(
            (line + leaders + dots + labels).properties(
                width=330, height=330, title=alt.TitleParams(title, subtitle=stats_line)
            )
        )
    return alt.hconcat(*panels).properties(
        title=chart_title("McEval vs MultiPL-E pass@1 (%)", subtitle)
    )


def multiple_figures(
    out_dir: Path,
    *,
    formats: tuple[str, ...] = FORMATS,
    mceval: pd.DataFrame | None = None,
    multiple: pd.DataFrame | None = None,
    name: str = "mceval-vs-multiple",
) -> tuple[FigureFiles, MultipleJoin]:
    """Write the three-panel figure, its points, correlations and the unmatched-models report."""
    joined = join_mceval_multiple(mceval, multiple)
    corr = correlations(joined.points)
    subtitle = (
        f"{len(joined.points)} models on both leaderboards; "
        f"{joined.unmatched['name'].nunique()} names unpaired (see {name}-unmatched.csv); "
        "MultiPL-E multilingual = mean over its non-Python languages"
    )
    chart = multiple_chart(joined.points, corr, subtitle)
    files = save_figure(
        chart,
        joined.points,
        out_dir,
        name,
        formats=formats,
        tables={"correlations": corr, "unmatched": joined.unmatched},
    )
    return files, joined
