"""Result sets compared per language (the paper's cross-lingual transfer figure): horizontal
grouped bars in three panels; the table and its deltas come from ``analysis.deltas``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import altair as alt
import pandas as pd

from workbench.analysis.deltas import compare_table
from workbench.figures.theme import FORMATS, FigureFiles, colour_scale, colours_for, save_figure
from workbench.figures.theme import title as chart_title


def compare_chart(
    table: pd.DataFrame, title: str, subtitle: str = "", columns: int = 3
) -> alt.FacetChart:
    """Horizontal grouped bars per language, split into ``columns`` panels like the paper's."""
    models = list(dict.fromkeys(table["model"]))
    languages = list(dict.fromkeys(table["language"]))
    per_panel = -(-len(languages) // columns)
    panel = {lang: i // per_panel + 1 for i, lang in enumerate(languages)}
    data = table.assign(panel=table["language"].map(panel))
    # With an offset channel, a height step sizes one bar (not one language band).
    bar = max(5, 20 // len(models))
    return (
        alt.Chart(data)
        .mark_bar(strokeWidth=0)
        .encode(
            y=alt.Y("language:N", sort=languages, title=None),
            yOffset=alt.YOffset("model:N", sort=models),
            x=alt.X(
                "pass_at_1:Q",
                title="pass@1",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(grid=True),
            ),
            color=alt.Color(
                "model:N",
                sort=models,
                scale=colour_scale(models, colours_for(models)),
                legend=alt.Legend(title=None, orient="bottom", direction="horizontal"),
            ),
            tooltip=[
                "model",
                "language",
                alt.Tooltip("pass_at_1:Q", format=".3f"),
                alt.Tooltip("delta:Q", format="+.3f"),
            ],
        )
        .properties(width=260, height=alt.Step(bar))
        .facet(column=alt.Column("panel:O", title=None, header=alt.Header(labels=False)))
        .resolve_scale(y="independent")
        .properties(title=chart_title(title, subtitle))
    )


def compare_figure(
    scores: pd.DataFrame,
    models: Sequence[str],
    out_dir: Path,
    name: str,
    title: str,
    subtitle: str = "",
    *,
    formats: tuple[str, ...] = FORMATS,
) -> FigureFiles:
    """Write the comparison chart and its table (with per-language deltas to the first model)."""
    table = compare_table(scores, models)
    return save_figure(compare_chart(table, title, subtitle), table, out_dir, name, formats=formats)
