"""Difficulty breakdown from executions rows: per-level pass@1, task counts and intervals."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from workbench.figures.difficulty import difficulty_figure, difficulty_table, wilson_interval


def _rows(
    model: str, task_id: str, level: str | None, statuses: list[str], task: str = "generation"
) -> list[dict]:
    language = task_id.split("/")[0]
    return [
        dict(
            task_id=task_id,
            language=language,
            task=task,
            subset=None,
            model=model,
            sample_index=i,
            status=s,
            level=level,
        )
        for i, s in enumerate(statuses)
    ]


def _results() -> pd.DataFrame:
    rows = []
    rows += _rows("m", "Python/1", "easy", ["passed", "passed"])
    rows += _rows("m", "Python/2", "easy", ["passed", "failed"])
    rows += _rows("m", "Python/3", "hard", ["timeout", "failed"])
    rows += _rows("m", "Python/4", "hard", ["passed", "toolchain_missing"])
    rows += _rows("m", "Python/5", None, ["passed", "passed"])
    rows += _rows("m", "Rust/1", "middle", ["toolchain_missing", "infrastructure_error"])
    rows += _rows("m", "Rust/2", "middle", ["compile_error", "passed"])
    rows += _rows("m", "Python/1", "easy", ["failed"], task="explanation")
    return pd.DataFrame(rows)


def test_levels_counts_and_exclusions() -> None:
    table = difficulty_table(_results()).set_index(["language", "level"])
    easy = table.loc[("Python", "easy")]
    assert (easy["n_tasks"], easy["pass_at_1"]) == (2, pytest.approx((1.0 + 0.5) / 2))
    hard = table.loc[("Python", "hard")]
    # Python/4's toolchain_missing sample is not a failure: that task scores 1/1.
    assert (hard["n_tasks"], hard["n_samples"], hard["n_excluded"]) == (2, 3, 1)
    assert hard["pass_at_1"] == pytest.approx((0.0 + 1.0) / 2)
    # A task whose samples were all excluded has no score and is not counted.
    middle = table.loc[("Rust", "middle")]
    assert (middle["n_tasks"], middle["pass_at_1"], middle["n_excluded"]) == (1, 0.5, 2)
    # Tasks without a level are kept apart, not dropped.
    assert table.loc[("Python", "unknown"), "n_tasks"] == 1
    assert list(table.index.get_level_values("level")[:3]) == ["easy", "hard", "unknown"]
    for _, row in table.iterrows():
        assert row["ci_low"] <= row["pass_at_1"] <= row["ci_high"]


def test_other_task_kinds_are_separate() -> None:
    table = difficulty_table(_results(), task="explanation")
    assert table[["language", "level", "n_tasks", "pass_at_1"]].values.tolist() == [
        ["Python", "easy", 1, 0.0]
    ]


def test_wilson_interval_known_values() -> None:
    low, high = wilson_interval(0.5, 10)
    assert (low, high) == (pytest.approx(0.2366, abs=1e-4), pytest.approx(0.7634, abs=1e-4))
    low, high = wilson_interval(0.0, 20)
    assert low == 0.0 and high == pytest.approx(0.1611, abs=1e-4)
    assert all(math.isnan(v) for v in wilson_interval(0.5, 0))


def test_difficulty_figure(tmp_path: Path) -> None:
    figure = difficulty_figure(_results(), tmp_path)
    assert figure is not None
    assert sorted(p.suffix for p in figure.paths) == [".csv", ".png", ".svg"]
    svg = (tmp_path / "difficulty-generation.svg").read_text()
    assert "toolchain/infrastructure" in svg  # the subtitle says samples were left out
    assert difficulty_figure(_results(), tmp_path, task="completion", subset="span") is None
