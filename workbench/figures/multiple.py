"""McEval vs MultiPL-E drawn as the paper's three scatter panels, each with the y = x line and
its correlations; the join and the correlations are computed in ``analysis.multiple``.
"""

from __future__ import annotations

from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from workbench.analysis.multiple import PANELS, MultipleJoin, correlations, join_mceval_multiple
from workbench.figures.theme import FORMATS, FigureFiles, save_figure
from workbench.figures.theme import title as chart_title


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
