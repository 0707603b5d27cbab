"""Difficulty table from executions rows: per-level pass@1, task counts and Wilson intervals."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.analysis.difficulty import difficulty_table
from workbench.analysis.intervals import wilson_interval


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


def results() -> pd.DataFrame:
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
    table = difficulty_table(results()).set_index(["language", "level"])
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
        assert row["pass_at_1_low"] <= row["pass_at_1"] <= row["pass_at_1_high"]
    # The interval is Wilson over the level's tasks.
    low, high = wilson_interval(0.75, 2)
    assert (easy["pass_at_1_low"], easy["pass_at_1_high"]) == (
        pytest.approx(low),
        pytest.approx(high),
    )


def test_other_task_kinds_are_separate() -> None:
    table = difficulty_table(results(), task="explanation")
    assert table[["language", "level", "n_tasks", "pass_at_1"]].values.tolist() == [
        ["Python", "easy", 1, 0.0]
    ]
    assert difficulty_table(results(), task="completion", subset="span").empty


def test_columns() -> None:
    assert list(difficulty_table(results()).columns) == [
        "model",
        "language",
        "level",
        "n_tasks",
        "n_samples",
        "n_passed",
        "n_excluded",
        "pass_at_1",
        "pass_at_1_low",
        "pass_at_1_high",
    ]
