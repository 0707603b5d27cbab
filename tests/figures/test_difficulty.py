"""The difficulty figure: one bar per level with its interval and task count."""

from __future__ import annotations

from pathlib import Path

from tests.analysis.test_difficulty import results
from workbench.figures.difficulty import difficulty_figure


def test_difficulty_figure(tmp_path: Path) -> None:
    figure = difficulty_figure(results(), tmp_path)
    assert figure is not None
    assert sorted(p.suffix for p in figure.paths) == [".csv", ".png", ".svg"]
    svg = (tmp_path / "difficulty-generation.svg").read_text()
    assert "toolchain/infrastructure" in svg  # the subtitle says samples were left out
    assert "Wilson" in svg
    assert difficulty_figure(results(), tmp_path, task="completion", subset="span") is None
