"""pass@1 per language split by difficulty: one bar per level, labelled with its number of tasks,
with the 95% Wilson interval over tasks as whiskers (the table is ``analysis.difficulty``)."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from workbench.analysis.difficulty import LEVELS, UNKNOWN_LEVEL, difficulty_table
from workbench.figures.theme import FORMATS, LEVEL_COLOURS, FigureFiles, colour_scale, save_figure
from workbench.figures.theme import title as chart_title
from workbench.inputs.paper import model_order
from workbench.registry.languages import language_names


def difficulty_chart(table: pd.DataFrame, title: str, subtitle: str = "") -> alt.VConcatChart:
    """One panel per model: bars per language and level, CI whiskers, task counts on top."""
    levels = [v for v in (*LEVELS, UNKNOWN_LEVEL) if v in set(table["level"])]
    languages = [lang for lang in language_names() if lang in set(table["language"])]
    languages += sorted(set(table["language"]) - set(languages))
    panels = []
    for model in model_order(table["model"]):
        data = table[table["model"] == model]
        base = alt.Chart(data).encode(
            x=alt.X("language:N", sort=languages, title=None, axis=alt.Axis(labelAngle=-50)),
            xOffset=alt.XOffset("level:N", sort=levels),
        )
        bars = base.mark_bar().encode(
            y=alt.Y(
                "pass_at_1:Q",
                title="pass@1 (%)",
                scale=alt.Scale(domain=[0, 1.08]),
                # Shown in percent like every other pass@1 of the workbench; the data stay 0-1.
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color(
                "level:N", sort=levels, title="Level", scale=colour_scale(levels, LEVEL_COLOURS)
            ),
            tooltip=[
                "language",
                "level",
                "n_tasks",
                "n_samples",
                alt.Tooltip("pass_at_1:Q", format=".1%"),
                alt.Tooltip("pass_at_1_low:Q", format=".1%"),
                alt.Tooltip("pass_at_1_high:Q", format=".1%"),
            ],
        )
        whiskers = base.mark_rule(color="#222222", strokeWidth=1).encode(
            y="pass_at_1_low:Q", y2="pass_at_1_high:Q"
        )
        counts = base.mark_text(fontSize=8, dy=-4, baseline="bottom", color="#444444").encode(
            y="pass_at_1_high:Q", text="n_tasks:Q"
        )
        step = 6 * len(levels) + 6
        panels.append(
            (bars + whiskers + counts).properties(
                width=max(240, step * len(languages)),
                height=220,
                title=alt.TitleParams(model, fontSize=13),
            )
        )
    return alt.vconcat(*panels).properties(title=chart_title(title, subtitle))


def difficulty_figure(
    results: pd.DataFrame,
    out_dir: Path,
    *,
    task: str = "generation",
    subset: str | None = None,
    name: str | None = None,
    formats: tuple[str, ...] = FORMATS,
    source: str = "results store",
) -> FigureFiles | None:
    """Write the difficulty breakdown for one task kind; None when there are no such results."""
    table = difficulty_table(results, task=task, subset=subset)
    if table.empty:
        return None
    label = task if subset is None else f"completion ({subset})"
    subtitle = (
        f"source: {source}; bars = mean per-task pass@1, whiskers = 95% Wilson interval over tasks, "
        "numbers = tasks per bar"
    )
    excluded = int(np.nansum(table["n_excluded"]))
    if excluded:
        subtitle += f"; {excluded} samples without a verdict (toolchain/infrastructure) left out"
    chart = difficulty_chart(table, f"{label}: pass@1 by difficulty", subtitle)
    slug = task if subset is None else f"{task}-{subset}"
    return save_figure(chart, table, out_dir, name or f"difficulty-{slug}", formats=formats)
