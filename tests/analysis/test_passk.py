"""pass@k tables: groupings, the paper's pooling, exclusions, bootstrap CIs and the CLI."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pandas as pd
import pytest

from workbench.analysis.passk import pass_at_k_table
from workbench.evaluation.store import Store

COLUMNS = ["model", "task", "subset", "level", "language", "task_id", "sample_index", "status"]


def frame(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (model, task, subset, level, language, task_id, status); sample_index counted."""
    seen: dict[tuple, int] = {}
    out = []
    for model, task, subset, level, language, task_id, status in rows:
        key = (model, task, task_id)
        seen[key] = seen.get(key, -1) + 1
        out.append((model, task, subset, level, language, task_id, seen[key], status))
    return pd.DataFrame(out, columns=COLUMNS)


def simple(language: str, task_id: str, *statuses: str, model: str = "m") -> list[tuple]:
    return [(model, "generation", None, "easy", language, task_id, s) for s in statuses]


def test_pass_at_k_with_n_equal_k_and_error_for_n_below_k():
    results = frame(
        simple("Python", "Python/1", "passed", "failed")
        + simple("Python", "Python/2", "failed", "failed")
    )
    table = pass_at_k_table(results, ks=(1, 2), n_boot=50).set_index("language")
    # Python/1: pass@1 = 1/2, pass@2 = 1 (n = k = 2, one passed); Python/2: 0 and 0.
    assert table.loc["Python", "pass@1"] == pytest.approx(0.25)
    assert table.loc["Python", "pass@2"] == pytest.approx(0.5)
    assert table.loc["Python", "tasks"] == 2 and table.loc["Python", "samples"] == 4
    with pytest.raises(ValueError, match=r"pass@3 .*n=2"):
        pass_at_k_table(results, ks=(1, 3))


def test_paradigm_pools_tasks_not_language_means():
    # Python and Go are both "Multiple Paradigms": Python 1 task solved, Go 3 tasks unsolved.
    results = frame(
        simple("Python", "Python/1", "passed")
        + simple("Go", "Go/1", "failed")
        + simple("Go", "Go/2", "failed")
        + simple("Go", "Go/3", "failed")
    )
    by_paradigm = pass_at_k_table(results, by="paradigm", n_boot=50).set_index("paradigm")
    assert by_paradigm.loc["Multiple Paradigms", "pass@1"] == pytest.approx(1 / 4)  # pooled
    assert by_paradigm.loc["Multiple Paradigms", "tasks"] == 4
    by_language = pass_at_k_table(results, n_boot=50).set_index("language")
    assert by_language.loc["AVG", "pass@1"] == pytest.approx((1.0 + 0.0) / 2)  # macro average
    by_scenario = pass_at_k_table(results, by="scenario", n_boot=50).set_index("scenario")
    assert by_scenario.loc["Scientific Computing", "pass@1"] == 1.0  # Python alone
    assert by_scenario.loc["Web Backend", "pass@1"] == 0.0  # Go alone


def test_toolchain_missing_is_excluded_and_reported():
    results = frame(
        simple("C", "C/1", "passed", "toolchain_missing")  # n=1, c=1
        + simple("C", "C/2", "failed", "failed")  # n=2, c=0
        + simple("C", "C/3", "toolchain_missing", "infrastructure_error")  # not judged
        + simple("Go", "Go/1", "toolchain_missing")  # no judged task at all
    )
    table = pass_at_k_table(results, n_boot=50).set_index("language")
    assert table.loc["C", "pass@1"] == pytest.approx(0.5)  # (1 + 0) / 2, C/3 left out
    assert table.loc["C", "tasks"] == 2
    assert table.loc["C", "samples"] == 3
    assert table.loc["C", "excluded"] == 3
    assert table.loc["Go", "tasks"] == 0 and table.loc["Go", "excluded"] == 1
    assert pd.isna(table.loc["Go", "pass@1"]) and pd.isna(table.loc["Go", "pass@1_low"])
    assert table.loc["AVG", "pass@1"] == pytest.approx(0.5)  # Go has no score, not zero
    assert table.loc["AVG", "excluded"] == 4
    # n = 1 for C/1 after exclusion, so pass@2 is refused even though it has two samples
    with pytest.raises(ValueError, match=r"pass@2 .*n=1"):
        pass_at_k_table(results, ks=2)


def test_bootstrap_interval_is_deterministic_and_contains_the_estimate():
    statuses = ["passed", "failed", "failed", "passed", "failed", "passed", "failed", "failed"]
    rows = [r for i, s in enumerate(statuses) for r in simple("Python", f"Python/{i}", s)]
    rows += [r for i in range(4) for r in simple("C", f"C/{i}", "passed")]
    results = frame(rows)
    first = pass_at_k_table(results, n_boot=500, seed=7)
    again = pass_at_k_table(results, n_boot=500, seed=7)
    pd.testing.assert_frame_equal(first, again)
    table = first.set_index("language")
    py = table.loc["Python"]
    assert py["pass@1"] == pytest.approx(3 / 8)
    assert 0.0 <= py["pass@1_low"] < py["pass@1"] < py["pass@1_high"] <= 1.0
    assert table.loc["C", "pass@1_low"] == table.loc["C", "pass@1_high"] == 1.0  # no variance
    avg = table.loc["AVG"]
    assert avg["pass@1"] == pytest.approx((3 / 8 + 1) / 2)
    assert avg["pass@1_low"] < avg["pass@1"] < avg["pass@1_high"]
    other = pass_at_k_table(results, n_boot=500, seed=8).set_index("language")
    assert other.loc["Python", "pass@1"] == py["pass@1"]  # the seed moves only the interval


def test_task_kind_and_difficulty_groupings():
    results = frame(
        [
            ("m", "completion", "single", "easy", "Python", "Python/1", "passed"),
            ("m", "completion", "multi", "hard", "Python", "Python/2", "failed"),
            ("m", "generation", None, "easy", "Python", "Python/1", "failed"),
        ]
    )
    by_task = pass_at_k_table(results, by="task", n_boot=20).set_index("task")
    assert by_task["pass@1"].to_dict() == {
        "completion/multi": 0.0,
        "completion/single": 1.0,
        "generation": 0.0,
    }
    by_level = pass_at_k_table(results, by="difficulty", n_boot=20).set_index("difficulty")
    assert by_level["pass@1"].to_dict() == {"easy": 0.5, "hard": 0.0}
    with pytest.raises(ValueError, match="by must be one of"):
        pass_at_k_table(results, by="nonsense")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workbench.cli", *args], capture_output=True, text=True
    )


def test_results_command_csv_and_json(tmp_path):
    path = tmp_path / "r.duckdb"
    rows = [
        ("a", "Python/1", 0, "Python", "passed"),
        ("a", "Python/1", 1, "Python", "failed"),
        ("a", "Python/2", 0, "Python", "passed"),
        ("a", "Python/2", 1, "Python", "passed"),
        ("a", "Go/1", 0, "Go", "failed"),
        ("a", "Go/1", 1, "Go", "failed"),
        ("a", "C/1", 0, "C", "toolchain_missing"),
        ("a", "C/1", 1, "C", "toolchain_missing"),
    ]
    with Store(path) as store:
        for model, task_id, i, language, status in rows:
            store.put(
                {
                    "task": "generation",
                    "task_id": task_id,
                    "model": model,
                    "sample_index": i,
                    "language": language,
                    "level": "easy",
                    "program_hash": "h",
                    "cache_key": f"{task_id}-{i}",
                    "status": status,
                }
            )

    csv = _cli("results", "--store", str(path), "--k", "1,2", "--format", "csv")
    assert csv.returncode == 0, csv.stderr
    table = pd.read_csv(io.StringIO(csv.stdout)).set_index("language")
    # Python: (1/2 + 1) / 2 = 0.75 at k=1, (1 + 1) / 2 at k=2; Go: 0; C: not judged.
    assert table.loc["Python", "pass@1"] == pytest.approx(0.75)
    assert table.loc["Python", "pass@2"] == pytest.approx(1.0)
    assert table.loc["Go", "pass@1"] == 0.0
    assert table.loc["C", "excluded"] == 2 and table.loc["C", "tasks"] == 0
    assert table.loc["AVG", "pass@1"] == pytest.approx(0.375)
    assert table.loc["AVG", "pass@2"] == pytest.approx(0.5)

    js = _cli("results", "--store", str(path), "--by", "paradigm", "--format", "json")
    assert js.returncode == 0, js.stderr
    records = {r["paradigm"]: r for r in json.loads(js.stdout)}
    # Python and Go pooled: 3 tasks, scores 0.5, 1, 0 -> 0.5 (the language means also give 0.5
    # here; the pooling itself is checked with unequal task counts above).
    assert records["Multiple Paradigms"]["pass@1"] == pytest.approx(0.5)
    assert records["Multiple Paradigms"]["tasks"] == 3
    assert records["Procedural"]["pass@1"] is None  # C: only a missing toolchain
    assert records["Procedural"]["excluded"] == 2

    text = _cli("results", "--store", str(path))
    assert text.returncode == 0, text.stderr
    assert "AVG" in text.stdout and "pass@1 %" in text.stdout

    bad = _cli("results", "--store", str(path), "--k", "3")
    assert bad.returncode == 2 and "pass@3" in bad.stderr and "n=2" in bad.stderr
