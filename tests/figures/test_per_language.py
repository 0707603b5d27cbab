"""Per-language charts: the leaderboard's, and the demo's chart drawn from ``pass_at_k_table``
and written by the one chart saver."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.analysis.passk import pass_at_k_table
from workbench.figures.per_language import leaderboard_figures, pass_at_1_chart
from workbench.figures.theme import save_figure
from workbench.inputs.paper import load_leaderboard


def _results() -> pd.DataFrame:
    rows = []
    for model, solved in (("demo/a", {"Python": 2, "C": 0}), ("demo/b", {"Python": 1, "C": 3})):
        for language, c in solved.items():
            for i in range(3):
                status = "passed" if i < c else "failed"
                rows.append((model, "generation", language, f"{language}/{i}", 0, status))
    rows.append(("demo/b", "generation", "Java", "Java/1", 0, "toolchain_missing"))
    columns = ["model", "task", "language", "task_id", "sample_index", "status"]
    return pd.DataFrame(rows, columns=columns)


def test_demo_chart_from_the_table(tmp_path: Path) -> None:
    table = pass_at_k_table(_results())
    chart = pass_at_1_chart(table, "a demo title")
    files = save_figure(chart, table, tmp_path, "demo_pass_at_1")
    assert [p.name for p in files.paths] == [
        "demo_pass_at_1.svg",
        "demo_pass_at_1.png",
        "demo_pass_at_1.csv",
    ]
    assert files.paths[1].stat().st_size > 1000
    svg = files.paths[0].read_text()
    assert svg.lstrip().startswith("<svg") and "a demo title" in svg and "AVG" in svg
    assert "serif" in svg.lower()  # the registered theme, as every figure
    assert "Java" not in svg  # no judged sample: no bar
    drawn = pd.read_csv(files.paths[2])
    assert list(drawn.columns) == list(table.columns)
    spec = chart.to_dict()
    data = pd.DataFrame(spec["datasets"][next(iter(spec["datasets"]))])
    by = data.set_index(["model", "language"])["percent"]
    assert by[("demo/a", "Python")] == pytest.approx(2 / 3 * 100) and by[("demo/b", "C")] == 100
    assert by[("demo/a", "AVG")] == pytest.approx((2 / 3 * 100 + 0) / 2)


def test_leaderboard_figures(tmp_path: Path) -> None:
    board = load_leaderboard("completion", "light")
    files = leaderboard_figures(tmp_path, formats=("csv",), leaderboard=board)
    names = sorted(p.name for f in files for p in f.paths)
    assert names == [
        "completion-light-10-40b.csv",
        "completion-light-closed-over-40b.csv",
        "completion-light-under-10b.csv",
    ]
    table = pd.read_csv(tmp_path / "completion-light-under-10b.csv")
    assert set(table["size_group"]) == {"under 10B"}
    assert table.groupby("model").size().eq(40).all()
