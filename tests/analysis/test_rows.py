"""Which rows a table counts: the scored runs of the samples (other kinds of runs beside them never
count), the failing ones among them, and the task kinds they cover."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.analysis.compare_models import compare_models, paired_frame
from workbench.analysis.failure_modes import cause_table, failure_modes, row_clusters
from workbench.analysis.passk import pass_at_k_table, status_counts
from workbench.analysis.rows import failing, is_failing, of_kind, task_kinds
from workbench.execution.records import ROW_KIND, SCORED


def _rows(model: str, statuses: list[str], kind: str = SCORED) -> list[dict]:
    return [
        {
            "task": "generation",
            "task_id": f"Python/{i}",
            "model": model,
            "sample_index": 0,
            ROW_KIND: kind,
            "language": "Python",
            "status": status,
            "cause": None if status == "passed" else "wrong_answer",
            "stderr": "" if status == "passed" else f"AssertionError: case {i}",
        }
        for i, status in enumerate(statuses)
    ]


SCORED_ROWS = _rows("a", ["passed", "failed", "failed", "toolchain_missing"]) + _rows(
    "b", ["passed", "passed", "failed", "passed"]
)
# Runs beside the scored ones: a repair that passes, controls of a model of their own.
OTHER_ROWS = _rows("a", ["passed", "passed", "passed", "passed"], "repaired") + _rows(
    "canonical", ["passed", "compile_error", "passed", "passed"], "control"
)


@pytest.fixture
def results() -> pd.DataFrame:
    return pd.DataFrame(SCORED_ROWS + OTHER_ROWS)


def test_of_kind_keeps_the_scored_runs(results: pd.DataFrame) -> None:
    scored = of_kind(results)
    assert (scored[ROW_KIND] == SCORED).all() and len(scored) == len(SCORED_ROWS)
    assert len(of_kind(results, ["repaired", "control"])) == len(OTHER_ROWS)
    bare = results.drop(columns=ROW_KIND)  # a frame built by hand: every row is scored
    assert of_kind(bare) is bare and of_kind(bare, "control").empty


def test_failing_is_not_passed_and_not_about_the_machine(results: pd.DataFrame) -> None:
    rows = failing(results)
    assert rows[["model", "task_id"]].values.tolist() == [
        ["a", "Python/1"],
        ["a", "Python/2"],
        ["b", "Python/2"],
    ]
    assert is_failing("failed") and not is_failing("passed")
    assert not is_failing("infrastructure_error")
    assert is_failing(results["status"]).tolist() == [
        s not in ("passed", "toolchain_missing", "infrastructure_error") for s in results["status"]
    ]


def test_no_table_counts_the_other_runs(results: pd.DataFrame) -> None:
    scored = of_kind(results)
    pd.testing.assert_frame_equal(pass_at_k_table(results), pass_at_k_table(scored))
    pd.testing.assert_frame_equal(status_counts(results), status_counts(scored))
    pd.testing.assert_frame_equal(cause_table(results), cause_table(scored))
    pd.testing.assert_frame_equal(failure_modes(results), failure_modes(scored))
    both, alone = compare_models(results, "a", "b"), compare_models(scored, "a", "b")
    pd.testing.assert_frame_equal(both.table, alone.table)
    pd.testing.assert_frame_equal(both.disagreements, alone.disagreements)
    assert "canonical" not in set(status_counts(results)["model"])


def test_the_per_row_clusters_are_the_failing_rows(results: pd.DataFrame) -> None:
    clusters = row_clusters(results)
    assert clusters.index.equals(results.index)
    clustered = clusters["cluster"].notna()
    assert clustered.tolist() == results.index.isin(failing(results).index).tolist()
    # The same error with another number is one cluster.
    assert clusters.loc[clustered, "cluster"].nunique() == 1
    assert set(clusters.loc[clustered, "template"]) == {"AssertionError: case <N>"}


def test_the_paired_frame_flags_each_pair(results: pd.DataFrame) -> None:
    pairs = paired_frame(results, "a", "b").set_index("task_id")
    assert pairs["cell"].to_dict() == {
        "Python/0": "both_pass",
        "Python/1": "only_b",
        "Python/2": "both_fail",
        "Python/3": None,  # a machine status on one side: excluded, not a cell
    }
    assert pairs["excluded"].tolist() == [False, False, False, True]


def test_task_kinds_are_sorted_with_no_subset_first() -> None:
    frame = pd.DataFrame(
        {
            "task": ["completion", "generation", "completion", "completion"],
            "subset": ["span", None, "light", "span"],
        }
    )
    assert task_kinds(frame) == [
        ("completion", "light"),
        ("completion", "span"),
        ("generation", None),
    ]
    assert task_kinds(frame.drop(columns="subset")) == [("completion", None), ("generation", None)]
