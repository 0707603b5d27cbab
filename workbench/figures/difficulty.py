"""pass@1 per language split by difficulty (easy / middle / hard), from a results store.

The paper stacks the three levels into one bar, which hides both the number of tasks behind each
level and how uncertain each value is. Here each level is its own bar, labelled with its number of
tasks, with a 95% Wilson score interval over tasks.
"""

from __future__ import annotations

import math
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd

from workbench.figures.paper import language_order, model_order
from workbench.figures.results import task_scores
from workbench.figures.theme import FORMATS, LEVEL_COLOURS, FigureFiles, colour_scale, save_figure
from workbench.figures.theme import title as chart_title

LEVELS: tuple[str, ...] = ("easy", "middle", "hard")
UNKNOWN_LEVEL = "unknown"


def wilson_interval(p: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``p`` observed over ``n`` trials.

    Used with n = number of tasks and p = mean per-task pass@1; with several samples per task
    the per-task values are fractions, for which this is conservative (tasks vary less than
    coin flips with the same mean).
    """
    if n <= 0 or p is None or math.isnan(p):
        return (float("nan"), float("nan"))
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + confidence / 2))
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def difficulty_table(
    results: pd.DataFrame,
    task: str = "generation",
    subset: str | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """pass@1 per model, language and level with task counts and a confidence interval.

    ``results``: executions rows (task_id, language, task, model, status, level, ...).
    Tasks without a level are kept as level "unknown" rather than dropped. Columns: model,
    language, level, n_tasks, n_samples, n_excluded, pass_at_1, ci_low, ci_high.
    """
    tasks = task_scores(results)
    tasks = tasks[tasks["task"] == task]
    tasks = tasks[tasks["subset"].isna()] if subset is None else tasks[tasks["subset"] == subset]
    tasks = tasks.assign(level=tasks["level"].where(tasks["level"].notna(), UNKNOWN_LEVEL))
    grouped = tasks.groupby(["model", "language", "level"], sort=False)
    table = grouped.agg(
        n_tasks=("pass_at_1", "count"),
        n_samples=("n_samples", "sum"),
        n_excluded=("n_excluded", "sum"),
        pass_at_1=("pass_at_1", "mean"),
    ).reset_index()
    intervals = [
        wilson_interval(p, int(n), confidence)
        for p, n in zip(table["pass_at_1"], table["n_tasks"], strict=True)
    ]
    table["ci_low"] = [lo for lo, _ in intervals]
    table["ci_high"] = [hi for _, hi in intervals]
    levels = [*LEVELS, UNKNOWN_LEVEL]
    languages = language_order()
    models = model_order(table["model"])
    table = table.assign(
        _m=table["model"].map({m: i for i, m in enumerate(models)}),
        _l=table["language"]
        .map({lang: i for i, lang in enumerate(languages)})
        .fillna(len(languages)),
        _v=table["level"].map({v: i for i, v in enumerate(levels)}).fillna(len(levels)),
    )
    table = table.sort_values(["_m", "_l", "language", "_v"]).drop(columns=["_m", "_l", "_v"])
    return table.reset_index(drop=True)


def difficulty_chart(table: pd.DataFrame, title: str, subtitle: str = "") -> alt.VConcatChart:
    """One panel per model: bars per language and level, CI whiskers, task counts on top."""
    levels = [v for v in (*LEVELS, UNKNOWN_LEVEL) if v in set(table["level"])]
    languages = [lang for lang in language_order() if lang in set(table["language"])]
    languages += sorted(set(table["language"]) - set(languages))
    panels = []
    for model in model_order(table["model"]):
        data = table[table["model"] == model]
        base = alt.Chart(data).encode(
            x=alt.X("language:N", sort=languages, title=None, axis=alt.Axis(labelAngle=-50)),
            xOffset=alt.XOffset("level:N", sort=levels),
        )
        bars = base.mark_bar().encode(
            y=alt.Y("pass_at_1:Q", title="pass@1", scale=alt.Scale(domain=[0, 1.08])),
            color=alt.Color(
                "level:N", sort=levels, title="Level", scale=colour_scale(levels, LEVEL_COLOURS)
            ),
            tooltip=[
                "language",
                "level",
                "n_tasks",
                "n_samples",
                alt.Tooltip("pass_at_1:Q", format=".3f"),
                alt.Tooltip("ci_low:Q", format=".3f"),
                alt.Tooltip("ci_high:Q", format=".3f"),
            ],
        )
        whiskers = base.mark_rule(color="#222222", strokeWidth=1).encode(
            y="ci_low:Q", y2="ci_high:Q"
        )
        counts = base.mark_text(fontSize=8, dy=-4, baseline="bottom", color="#444444").encode(
            y="ci_high:Q", text="n_tasks:Q"
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
