"""pass@1 as scored and after repair, and which repairs recovered how many samples
(``workbench.analysis.repairs``), on result rows as the store keeps them: a failing sample's
verdict after repair is its repaired run's, every other sample keeps its scored verdict, a
repaired run the machine could not judge changes nothing, and the scored rows are never read
through a repaired one."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.analysis.passk import AVG_LABEL, pass_at_k_table
from workbench.analysis.repairs import (
    after_repair,
    effect,
    recovered,
    repair_scores,
    with_repairs,
)
from workbench.execution.records import REPAIRED, ROW_KIND, SCORED


def _row(task: int, model: str, status: str, kind: str = SCORED, **extra: object) -> dict:
    return {
        "task": "generation",
        "task_id": f"Python/{task}",
        "model": model,
        "sample_index": 0,
        ROW_KIND: kind,
        "language": "Python",
        "level": "easy",
        "status": status,
        "cause": None if status == "passed" else "missing_import",
        **extra,
    }


def _repaired(task: int, model: str, status: str, names: list[str]) -> dict:
    # As the store returns a list column: a numpy array.
    return _row(task, model, status, REPAIRED, repairs=np.array(names, dtype=object))


ROWS = pd.DataFrame(
    [
        _row(1, "a", "passed"),
        _row(2, "a", "runtime_error"),
        _row(3, "a", "compile_error"),
        _row(4, "a", "failed"),
        _row(5, "a", "runtime_error"),
        _row(1, "b", "passed"),
        _row(2, "b", "compile_error"),
        _repaired(2, "a", "passed", ["add_import"]),
        _repaired(3, "a", "passed", ["drop_prose", "add_import"]),
        _repaired(4, "a", "runtime_error", ["drop_top_level"]),
        # The machine could not judge it: no evidence either way.
        _repaired(5, "a", "infrastructure_error", ["add_import"]),
        # A repaired row of a sample that passes as scored (a stale one) counts for nothing.
        _repaired(1, "b", "failed", ["drop_prose"]),
        _repaired(2, "b", "passed", ["add_import"]),
    ]
)


def test_after_repair_takes_the_repaired_verdict_of_failing_samples_only():
    after = after_repair(ROWS).set_index(["model", "task_id"])
    assert after["status"].to_dict() == {
        ("a", "Python/1"): "passed",
        ("a", "Python/2"): "passed",
        ("a", "Python/3"): "passed",
        ("a", "Python/4"): "runtime_error",
        ("a", "Python/5"): "runtime_error",  # the machine's verdict changes nothing
        ("b", "Python/1"): "passed",  # passed as scored: its repaired row is not read
        ("b", "Python/2"): "passed",
    }
    assert after.loc[("a", "Python/3"), "repairs"] == ["drop_prose", "add_import"]
    assert after.loc[("a", "Python/3"), "scored_status"] == "compile_error"
    assert pd.isna(after.loc[("a", "Python/3"), "cause"])
    assert after.loc[("a", "Python/5"), "repairs"] is None
    assert after.loc[("b", "Python/1"), "repairs"] is None


def test_the_scored_rows_stay_as_scored():
    shown = with_repairs(ROWS)
    scored = ROWS[ROWS[ROW_KIND] == SCORED]
    assert shown["status"].tolist() == scored["status"].tolist()
    assert shown.loc[shown["repaired_status"].notna(), "task_id"].tolist() == [
        "Python/2",
        "Python/3",
        "Python/4",
        "Python/2",
    ]
    pd.testing.assert_frame_equal(pass_at_k_table(ROWS, k=1), pass_at_k_table(scored, k=1))


def test_repair_scores_put_pass_at_1_after_repair_beside_the_scored_one():
    table = repair_scores(ROWS).set_index(["model", "language"])
    assert table.loc[("a", "Python"), "pass_at_1"] == 1 / 5
    assert table.loc[("a", "Python"), "pass_at_1_after_repair"] == 3 / 5
    assert table.loc[("a", "Python"), ["n_repaired", "n_recovered"]].tolist() == [3, 2]
    assert table.loc[("b", "Python"), ["pass_at_1", "pass_at_1_after_repair"]].tolist() == [
        0.5,
        1.0,
    ]
    assert table.loc[("a", AVG_LABEL), ["n_repaired", "n_recovered"]].tolist() == [3, 2]
    low, high = table.loc[
        ("a", "Python"), ["pass_at_1_low_after_repair", "pass_at_1_high_after_repair"]
    ]
    assert low < 3 / 5 < high


def test_recovered_counts_each_combination_of_repairs():
    table = recovered(ROWS)
    assert table.to_dict("records") == [
        {"model": "a", "repairs": "add_import", "tried": 1, "recovered": 1},
        {"model": "a", "repairs": "drop_prose+add_import", "tried": 1, "recovered": 1},
        {"model": "a", "repairs": "drop_top_level", "tried": 1, "recovered": 0},
        {"model": "b", "repairs": "add_import", "tried": 1, "recovered": 1},
    ]
    assert recovered(ROWS[ROWS[ROW_KIND] == SCORED]).empty


def test_effect_is_one_line_of_the_whole():
    line = effect(ROWS)
    assert (line["samples"], line["passed"], line["after repair"]) == (7, 2, 5)
    assert line["repaired runs"] == 6 and line["failing"] == 5
