"""Paradigm and scenario figures: the Markdown table and the files written per task kind."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.analysis.categories import category_wide, overall_average, pooled_categories
from workbench.figures.categories import category_figures, markdown_table
from workbench.inputs.paper import load_leaderboard, task_counts_for

MODELS = ["GPT-4o-240513", "CodeLlama-7B-Instruct"]


@pytest.fixture(scope="module")
def generation() -> tuple[pd.DataFrame, pd.DataFrame]:
    board = load_leaderboard("generation")
    return board[board["model"].isin(MODELS)], task_counts_for("generation", None)


def test_markdown(generation: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    scores, counts = generation
    wide = category_wide(
        pooled_categories(scores, counts, "paradigm"), overall_average(scores), "paradigm"
    )
    text = markdown_table(wide)
    lines = text.strip().splitlines()
    assert lines[0].startswith("| model | Procedural |")
    assert lines[1].startswith("|---|---:|")
    assert "| GPT-4o-240513 |" in lines[2] and "79.8" in lines[2]


def test_category_figures_write_tables(
    tmp_path: Path, generation: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    scores, counts = generation
    files = category_figures(scores, counts, tmp_path, "gen", "test", formats=("csv",))
    names = sorted(p.name for f in files for p in f.paths)
    assert names == [
        "gen-paradigm-table.csv",
        "gen-paradigm.csv",
        "gen-paradigm.md",
        "gen-scenario-table.csv",
        "gen-scenario.csv",
        "gen-scenario.md",
    ]
    long = pd.read_csv(tmp_path / "gen-scenario.csv")
    assert set(long.columns) == {
        "model",
        "category",
        "n_languages",
        "n_tasks",
        "solved",
        "pass_at_1",
    }
    assert long["category"].nunique() == 11


def test_category_heatmap_renders(
    tmp_path: Path, generation: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    scores, counts = generation
    files = category_figures(scores, counts, tmp_path, "gen", "test", formats=("svg",))
    svgs = [p for f in files for p in f.paths if p.suffix == ".svg"]
    assert len(svgs) == 2
    svg = (tmp_path / "gen-paradigm.svg").read_text()
    assert "Object Oriented" in svg and "CodeLlama-7B-Instruct" in svg
    assert not (tmp_path / "gen-paradigm.csv").exists()  # only the formats asked for
