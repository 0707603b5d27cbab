"""The comparison figure: files written, and the chart drawn from the shipped leaderboard."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from workbench.figures.compare import compare_figure
from workbench.inputs.paper import load_leaderboard


def test_shipped_comparison(tmp_path: Path) -> None:
    board = load_leaderboard("explanation")
    figure = compare_figure(
        board, ["CodeQwen1.5-7B-Chat", "mCoder"], tmp_path, "cmp", "t", formats=("csv",)
    )
    assert figure.paths == [tmp_path / "cmp.csv"]
    table = pd.read_csv(tmp_path / "cmp.csv")
    assert list(table.columns) == ["model", "language", "pass_at_1", "delta"]
    assert len(table) == 41 * 2


def test_comparison_renders(tmp_path: Path) -> None:
    board = load_leaderboard("explanation")
    figure = compare_figure(
        board, ["CodeQwen1.5-7B-Chat", "mCoder"], tmp_path, "cmp", "a title", formats=("svg",)
    )
    assert figure.paths == [tmp_path / "cmp.svg"]
    svg = (tmp_path / "cmp.svg").read_text()
    assert "a title" in svg and "mCoder" in svg and "Visual Basic" in svg
