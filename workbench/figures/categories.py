"""Paradigm and application-scenario heatmaps with their tables (long and wide CSV, Markdown),
pooled as the paper pools them in ``analysis.categories``."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd

from workbench.analysis.categories import (
    CATEGORY_KINDS,
    CategoryKind,
    category_order,
    category_wide,
    overall_average,
    pooled_categories,
)
from workbench.figures.theme import FORMATS, FigureFiles, save_figure
from workbench.figures.theme import title as chart_title
from workbench.inputs.paper import model_order


def markdown_table(wide: pd.DataFrame, *, percent: bool = True, digits: int = 1) -> str:
    """A GitHub-flavoured Markdown table of a wide score table (percent by default)."""
    header = list(wide.columns)
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---"] + ["---:"] * (len(header) - 1)) + "|",
    ]
    for row in wide.itertuples(index=False):
        cells = [str(row[0])]
        for value in row[1:]:
            if pd.isna(value):
                cells.append("")
            else:
                cells.append(f"{value * 100:.{digits}f}" if percent else f"{value:.{digits}f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def category_chart(
    pooled: pd.DataFrame, kind: CategoryKind, title: str, subtitle: str = ""
) -> alt.Chart:
    """A heatmap of pass@1 (percent) with models as rows and categories as columns."""
    data = pooled.assign(percent=(pooled["pass_at_1"] * 100).round(1))
    models = model_order(data["model"])
    categories = [c for c in category_order(kind) if c in set(data["category"])]
    base = alt.Chart(data).encode(
        x=alt.X(
            "category:N",
            sort=categories,
            title=kind.capitalize(),
            axis=alt.Axis(labelAngle=-30, labelLimit=200),
        ),
        y=alt.Y("model:N", sort=models, title=None, axis=alt.Axis(labelLimit=320)),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            "percent:Q",
            title="pass@1 (%)",
            scale=alt.Scale(scheme="blues", domain=[0, 100]),
        ),
        tooltip=["model", "category", "percent", "n_languages", "n_tasks"],
    )
    labels = base.mark_text(fontSize=11).encode(
        text=alt.Text("percent:Q", format=".1f"),
        color=alt.condition(alt.datum.percent > 60, alt.value("white"), alt.value("#222222")),
    )
    return (cells + labels).properties(
        width=max(300, 78 * len(categories)),
        height=max(120, 22 * len(models)),
        title=chart_title(title, subtitle),
    )


def category_figures(
    scores: pd.DataFrame,
    counts: pd.DataFrame,
    out_dir: Path,
    name: str,
    title: str,
    *,
    formats: tuple[str, ...] = FORMATS,
) -> list[FigureFiles]:
    """Write the paradigm and scenario tables (CSV + Markdown) and heatmaps for one task kind."""
    files = []
    overall = overall_average(scores)
    n_languages = scores["language"].nunique()
    for kind in CATEGORY_KINDS:
        pooled = pooled_categories(scores, counts, kind)
        wide = category_wide(pooled, overall, kind)
        subtitle = (
            f"pooled: solved / tasks over each {kind}'s languages ({n_languages} languages); "
            "AVG = plain mean over languages"
        )
        chart = category_chart(pooled, kind, f"{title}: pass@1 by {kind}", subtitle)
        files.append(
            save_figure(
                chart,
                pooled,
                out_dir,
                f"{name}-{kind}",
                formats=formats,
                tables={"table": wide},
                texts={".md": markdown_table(wide)} if "csv" in formats else None,
            )
        )
    return files
