"""Per-language pass@1 bar charts (the paper's appendix charts), one per task kind and size group.

Every chart uses the canonical language order on x and each model's fixed colour, so a model
looks the same in every figure.
"""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd

from workbench.figures.paper import (
    SIZE_GROUPS,
    TASK_KINDS,
    colours_for,
    language_order,
    load_leaderboard,
    model_order,
    size_group_of,
)
from workbench.figures.theme import FORMATS, FigureFiles, colour_scale, save_figure
from workbench.figures.theme import title as chart_title


def task_label(task: str, subset: str | None) -> str:
    """A human title for a task kind: "generation", "completion (span)"."""
    return task if subset is None else f"completion ({subset})"


def task_slug(task: str, subset: str | None) -> str:
    """A file-name part for a task kind: "generation", "completion-span"."""
    return task if subset is None else f"{task}-{subset}"


def per_language_table(scores: pd.DataFrame, models: list[str] | None = None) -> pd.DataFrame:
    """``model, size_group, language, pass_at_1`` sorted by model order then language order.

    ``scores`` needs model, language and pass_at_1; ``models`` restricts (and orders) models.
    """
    frame = scores[["model", "language", "pass_at_1"]].copy()
    if models is not None:
        frame = frame[frame["model"].isin(models)]
    order = models or model_order(frame["model"])
    languages = language_order()
    frame["size_group"] = frame["model"].map(size_group_of(order))
    frame = frame.assign(
        _m=frame["model"].map({m: i for i, m in enumerate(order)}),
        _l=frame["language"].map({lang: i for i, lang in enumerate(languages)}),
    )
    frame = frame.sort_values(["_m", "_l"]).drop(columns=["_m", "_l"])
    return frame[["model", "size_group", "language", "pass_at_1"]].reset_index(drop=True)


def per_language_chart(table: pd.DataFrame, title: str, subtitle: str = "") -> alt.Chart:
    """Grouped bars: languages on x, one bar per model, pass@1 on y (0-1)."""
    models = list(dict.fromkeys(table["model"]))
    languages = [lang for lang in language_order() if lang in set(table["language"])]
    step = max(24, 4 * len(models) + 6)  # px per language: room for its label
    return (
        alt.Chart(table)
        .mark_bar(strokeWidth=0.2)
        .encode(
            x=alt.X("language:N", sort=languages, title=None, axis=alt.Axis(labelAngle=-50)),
            xOffset=alt.XOffset("model:N", sort=models),
            y=alt.Y("pass_at_1:Q", title="pass@1", scale=alt.Scale(domain=[0, 1])),
            color=alt.Color(
                "model:N",
                sort=models,
                scale=colour_scale(models, colours_for(models)),
                legend=alt.Legend(title="Model", orient="top", columns=min(len(models), 5)),
            ),
            tooltip=["model", "language", alt.Tooltip("pass_at_1:Q", format=".3f")],
        )
        .properties(
            width=step * len(languages),
            height=260,
            title=chart_title(title, subtitle),
        )
    )


def leaderboard_figures(
    out_dir: Path, *, formats: tuple[str, ...] = FORMATS, leaderboard: pd.DataFrame | None = None
) -> list[FigureFiles]:
    """Write per-language charts for every leaderboard task kind and size group."""
    board = load_leaderboard() if leaderboard is None else leaderboard
    files = []
    for task, subset in TASK_KINDS:
        rows = board[(board["task"] == task) & _subset_is(board["subset"], subset)]
        if rows.empty:
            continue
        groups = size_group_of(rows["model"].unique())
        for group in [*SIZE_GROUPS, "other"]:
            models = model_order([m for m, g in groups.items() if g == group])
            if not models:
                continue
            table = per_language_table(rows, models)
            slug = (
                group.lower()
                .replace("/", "")
                .replace(">", "over-")
                .replace(" ", "-")
                .replace("--", "-")
            )
            title = f"McEval {task_label(task, subset)}: pass@1 per language, {group} models"
            chart = per_language_chart(
                table, title, "source: McEval leaderboard (published pass@1)"
            )
            name = f"{task_slug(task, subset)}-{slug}"
            files.append(save_figure(chart, table, out_dir, name, formats=formats))
    return files


def results_figures(
    scores: pd.DataFrame,
    out_dir: Path,
    *,
    formats: tuple[str, ...] = FORMATS,
    source: str = "results store",
) -> list[FigureFiles]:
    """Per-language charts from a results store's per-language scores (one per task kind)."""
    files = []
    for (task, subset), rows in scores.groupby(["task", "subset"], dropna=False, sort=True):
        subset_value = None if pd.isna(subset) else str(subset)
        table = per_language_table(rows)
        title = f"{task_label(str(task), subset_value)}: pass@1 per language"
        chart = per_language_chart(table, title, f"source: {source}")
        name = f"results-{task_slug(str(task), subset_value)}"
        files.append(save_figure(chart, table, out_dir, name, formats=formats))
    return files


def _subset_is(series: pd.Series, subset: str | None) -> pd.Series:
    return series.isna() if subset is None else series == subset
