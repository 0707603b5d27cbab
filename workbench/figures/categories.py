"""Paradigm (5) and application-scenario (11) tables, pooled the way the paper pools them.

A category's score is the sum of solved tasks over the sum of tasks of its languages, where a
language's solved count is its pass@1 times its number of tasks. Languages with more tasks
(Java 53, Rust 53, Dart 51) therefore weigh a little more than a plain mean would give them.
The overall AVG column is the plain mean over languages, as the leaderboard's AVG is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import altair as alt
import pandas as pd

from workbench.errors import InputError
from workbench.figures.paper import model_order
from workbench.figures.theme import FORMATS, FigureFiles, save_figure
from workbench.figures.theme import title as chart_title
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
