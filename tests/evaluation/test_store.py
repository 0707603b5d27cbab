"""The DuckDB store (durability, cache lookups) and pass@k / per-language metrics."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from workbench.analysis.passk import pass_at_1_by_language, pass_at_k
from workbench.evaluation.store import Store


def row(i: int, status: str = "passed", key: str | None = None) -> dict:
    return {
        "task": "generation",
        "task_id": f"Python/{i}",
        "model": "m",
        "sample_index": 0,
        "language": "Python",
        "program_hash": "h",
        "cache_key": key or f"k{i}",
        "status": status,
        "stdout": "",
        "stderr": "",
    }


def test_results_survive_a_killed_writer(tmp_path):
    path = tmp_path / "r.duckdb"
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {os.getcwd()!r})
        from workbench.evaluation.store import Store
        store = Store({str(path)!r})
        for i in range(5):
            store.put({{"task": "generation", "task_id": f"Python/{{i}}", "model": "m",
                        "sample_index": 0, "language": "Python", "program_hash": "h",
                        "cache_key": f"k{{i}}", "status": "passed"}})
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    with Store(path) as store:
        assert store.count() == 5
        assert sorted(store.results()["task_id"]) == [f"Python/{i}" for i in range(5)]


def test_rerun_replaces_and_cache_skips_machine_verdicts(tmp_path):
    with Store(tmp_path / "r.duckdb") as store:
        store.put(row(1, "failed"))
        store.put(row(1, "passed"))
        store.put(row(2, "toolchain_missing"))
        assert store.count() == 2
        assert store.cached("k1")["status"] == "passed"
        assert store.cached("k2") is None  # a missing toolchain says nothing about the sample


def test_forget_unpassed_touches_only_the_tasks_named(tmp_path):
    with Store(tmp_path / "r.duckdb") as store:
        for i, status in enumerate(["failed", "timeout", "passed", "compile_error"]):
            store.put(row(i, status))
        assert store.forget_unpassed("m", ["Python/0", "Python/2"]) == 1  # Python/2 passed
        assert store.forget_unpassed("other-model") == 0
        left = set(store.results()["task_id"])
        assert left == {"Python/1", "Python/2", "Python/3"}
        assert store.forget_unpassed("m") == 2
        assert set(store.results()["task_id"]) == {"Python/2"}


def test_pass_at_k_hand_values():
    assert pass_at_k(1, 1, 1) == 1.0 and pass_at_k(1, 0, 1) == 0.0
    assert pass_at_k(5, 2, 1) == pytest.approx(0.4)
    assert pass_at_k(5, 2, 2) == pytest.approx(1 - (3 * 2) / (5 * 4))  # 1 - C(3,2)/C(5,2) = 0.7
    assert pass_at_k(10, 3, 10) == 1.0 and pass_at_k(4, 4, 4) == 1.0 and pass_at_k(4, 0, 4) == 0.0
    with pytest.raises(ValueError, match="needs at least 3 samples"):
        pass_at_k(2, 1, 3)
    with pytest.raises(ValueError):
        pass_at_k(2, 3, 1)


def test_per_language_mean_and_average_over_languages():
    results = pd.DataFrame(
        [
            ("m", "generation", "Python", "Python/1", "passed"),
            ("m", "generation", "Python", "Python/1", "failed"),
            ("m", "generation", "Python", "Python/2", "passed"),
            ("m", "generation", "Python", "Python/2", "passed"),
            ("m", "generation", "C", "C/1", "timeout"),
            ("m", "generation", "C", "C/2", "passed"),
            ("m", "generation", "C", "C/3", "toolchain_missing"),
            ("m", "generation", "Go", "Go/1", "toolchain_missing"),
        ],
        columns=["model", "task", "language", "task_id", "status"],
    )
    table = pass_at_1_by_language(results).set_index("language")
    assert table.loc["Python", "pass_at_k"] == pytest.approx(0.75)  # (0.5 + 1.0) / 2
    assert table.loc["C", "pass_at_k"] == pytest.approx(0.5)  # C/3 excluded: 1 of 2 judged
    assert table.loc["C", "excluded"] == 1
    assert pd.isna(table.loc["Go", "pass_at_k"])  # nothing judged: no score, not zero
    assert table.loc["AVG", "pass_at_k"] == pytest.approx((0.75 + 0.5) / 2)
