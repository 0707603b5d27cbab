"""Dataset statistics drawn: tasks per kind and difficulty, and per-language prompt and solution
lengths and test cases (computed in ``analysis.dataset``, which names the tokenizer used)."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd

from workbench.analysis.dataset import Tokenizer, dataset_counts, get_tokenizer, language_stats
from workbench.figures.theme import FORMATS, LEVEL_COLOURS, FigureFiles, colour_scale, save_figure


def counts_chart(counts: pd.DataFrame, title: str) -> alt.LayerChart:
    """Stacked bars of tasks per task kind, coloured by difficulty, with the totals on top."""
    kinds = list(dict.fromkeys(counts["kind"]))
    levels = list(dict.fromkeys(counts["level"]))
    totals = counts.groupby("kind", sort=False)["n"].sum().reset_index()
    bars = (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("kind:N", sort=kinds, title=None, axis=alt.Axis(labelAngle=-20)),
            y=alt.Y("n:Q", title="tasks"),
            color=alt.Color(
                "level:N", sort=levels, title="Level", scale=colour_scale(levels, LEVEL_COLOURS)
            ),
            order=alt.Order("level_rank:Q"),
            tooltip=["kind", "level", "n"],
        )
        .transform_calculate(level_rank=f"indexof({levels!r}, datum.level)")
    )
    labels = (
        alt.Chart(totals)
        .mark_text(dy=-6, fontSize=11)
        .encode(x=alt.X("kind:N", sort=kinds), y="n:Q", text="n:Q")
    )
    return (bars + labels).properties(width=60 * len(kinds), height=260, title=title)


def language_stats_chart(stats: pd.DataFrame, title: str, subtitle: str) -> alt.VConcatChart:
    """Three aligned bar panels per language: prompt tokens, solution tokens, test cases."""
    languages = list(stats["language"])
    panels = []
    for column, label, colour in (
        ("prompt_tokens", "prompt (tokens, mean)", "#b7b4d8"),
        ("solution_tokens", "solution (tokens, mean)", "#8dd3c7"),
        ("test_cases", "test cases (mean)", "#c27fb7"),
    ):
        panels.append(
            alt.Chart(stats)
            .mark_bar(color=colour)
            .encode(
                x=alt.X("language:N", sort=languages, title=None, axis=alt.Axis(labelAngle=-50)),
                y=alt.Y(f"{column}:Q", title=label),
                tooltip=["language", "n_tasks", alt.Tooltip(f"{column}:Q", format=".1f")],
            )
            .properties(width=24 * len(languages), height=150)
        )
    return alt.vconcat(*panels).properties(title=alt.TitleParams(title, subtitle=subtitle))


def stats_figures(
    out_dir: Path,
    tasks: pd.DataFrame,
    tokenizer: Tokenizer | None = None,
    *,
    formats: tuple[str, ...] = FORMATS,
) -> list[FigureFiles]:
    """Write the counts figure and the per-language length/test-case figure."""
    tokenizer = tokenizer or get_tokenizer()
    counts = dataset_counts(tasks)
    files = [
        save_figure(
            counts_chart(counts, "McEval tasks per task kind and difficulty"),
            counts,
            out_dir,
            "dataset-counts",
            formats=formats,
        )
    ]
    generation = tasks[tasks["task"] == "generation"]
    stats = language_stats(generation, tokenizer)
    subtitle = (
        f"generation tasks; tokenizer: {tokenizer.name}; "
        "test cases = asserting lines of the test code (at least 1)"
    )
    chart = language_stats_chart(stats, "McEval per-language statistics", subtitle)
    files.append(save_figure(chart, stats, out_dir, "dataset-languages", formats=formats))
    return files
