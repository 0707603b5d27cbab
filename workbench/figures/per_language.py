"""Per-language pass@1 bar charts: the paper's appendix charts (one per task kind and size
group), the same chart of a results store, and the demo's chart.

Every chart uses the canonical language order on x and each model's fixed colour, so a model
looks the same in every figure.
"""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd

from workbench.analysis.passk import AVG_LABEL
from workbench.analysis.per_language import per_language_table
from workbench.figures.theme import FORMATS, FigureFiles, colour_scale, colours_for, save_figure
from workbench.figures.theme import title as chart_title
from workbench.inputs.paper import (
    LEADERBOARD_KINDS,
    SIZE_GROUPS,
    load_leaderboard,
    model_order,
    size_group_of,
)
from workbench.registry.languages import language_names


def task_label(task: str, subset: str | None) -> str:
    """A human title for a task kind: "generation", "completion (span)"."""
    return task if subset is None else f"completion ({subset})"


def task_slug(task: str, subset: str | None) -> str:
    """A file-name part for a task kind: "generation", "completion-span"."""
    return task if subset is None else f"{task}-{subset}"


def per_language_chart(table: pd.DataFrame, title: str, subtitle: str = "") -> alt.Chart:
    """Grouped bars: languages on x, one bar per model, pass@1 on y (0-1)."""
    models = list(dict.fromkeys(table["model"]))
    languages = [lang for lang in language_names() if lang in set(table["language"])]
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
    for task, subset in LEADERBOARD_KINDS:
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


def results_figure(
    scores: pd.DataFrame,
    out_dir: Path,
    task: str,
    subset: str | None,
    *,
    formats: tuple[str, ...] = FORMATS,
    source: str = "results store",
) -> FigureFiles:
    """The per-language chart of one task kind of a results store; ``scores`` are the language
    rows of ``pass_at_k_table`` (the AVG row is not drawn)."""
    table = per_language_table(scores[scores["language"] != AVG_LABEL])
    title = f"{task_label(task, subset)}: pass@1 per language"
    chart = per_language_chart(table, title, f"source: {source}")
    name = f"results-{task_slug(task, subset)}"
    return save_figure(chart, table, out_dir, name, formats=formats)


def pass_at_1_chart(
    table: pd.DataFrame, title: str = "pass@1 per language", subtitle: str = ""
) -> alt.LayerChart:
    """Grouped bars with their values: pass@1 (%) per language (x) and model (colour), AVG last.

    ``table``: ``pass_at_k_table(results)`` (model, language, n_tasks, n_samples, n_passed,
    pass_at_1 and its interval); languages without a score are left out. The plot is only as
    wide as its bars, so a long title would be cut: keep it short and put the rest in
    ``subtitle``.
    """
    data = table.dropna(subset=["pass_at_1"]).assign(
        percent=lambda d: d["pass_at_1"] * 100,
        interval=lambda d: [
            f"{low * 100:.1f}–{high * 100:.1f}"
            for low, high in zip(d["pass_at_1_low"], d["pass_at_1_high"], strict=True)
        ],
    )
    languages = [lang for lang in dict.fromkeys(data["language"]) if lang != AVG_LABEL]
    models = model_order(data["model"])
    base = alt.Chart(data, title=chart_title(title, subtitle)).encode(
        x=alt.X(
            "language:N", sort=[*languages, AVG_LABEL], title=None, axis=alt.Axis(labelAngle=-40)
        ),
        xOffset=alt.XOffset("model:N", sort=models),
        y=alt.Y("percent:Q", title="pass@1 (%)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color(
            "model:N",
            sort=models,
            scale=colour_scale(models, colours_for(models)),
            title="model",
            legend=alt.Legend(orient="bottom"),
        ),
        tooltip=[
            "model",
            "language",
            "n_tasks",
            "n_samples",
            "n_passed",
            alt.Tooltip("percent:Q", title="pass@1 (%)", format=".1f"),
            alt.Tooltip("interval:N", title="95% Wilson interval (%)"),
        ],
    )
    bars = base.mark_bar()
    labels = base.mark_text(dy=-6, fontSize=9).encode(text=alt.Text("percent:Q", format=".0f"))
    return (bars + labels).properties(width=alt.Step(18), height=260)


def _subset_is(series: pd.Series, subset: str | None) -> pd.Series:
    return series.isna() if subset is None else series == subset
