"""The DuckDB store: durability, cache lookups, and verdicts committed in groups (``GroupCommit``).

pass@k and the per-language tables are tested in ``tests/analysis``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import duckdb
import pandas as pd
import pytest

from workbench.evaluation.store import GroupCommit, Store


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


def test_flush_commits_at_once_what_the_window_would_hold_back(tmp_path):
    committed: list[dict] = []
    with Store(tmp_path / "g.duckdb") as store:
        writer = GroupCommit(store, on_commit=committed.extend, window=3600)
        writer.flush()  # nothing queued: returns at once
        for i in range(3):
            writer.add(row(i))
        writer.flush()
        assert store.count() == 3  # the window alone would hold them for an hour
        writer.add(row(3))
        writer.flush()
        assert store.count() == 4
        writer.close()
    assert [r["task_id"] for r in committed] == [f"Python/{i}" for i in range(4)]


def test_flush_raises_when_the_commit_fails(tmp_path):
    store = Store(tmp_path / "g.duckdb")
    writer = GroupCommit(store, window=3600)
    store.close()  # every commit now fails
    writer.add(row(0))
    with pytest.raises(duckdb.Error):
        writer.flush()
    with pytest.raises(duckdb.Error):
        writer.close()


def test_rerun_replaces_and_cache_skips_machine_verdicts(tmp_path):
    with Store(tmp_path / "r.duckdb") as store:
        store.put(row(1, "failed"))
        store.put(row(1, "passed"))
        store.put(row(2, "toolchain_missing"))
        assert store.count() == 2
        assert store.cached("k1")["status"] == "passed"
        assert store.cached("k2") is None  # a missing toolchain says nothing about the sample


def test_a_replaced_verdict_is_dated_by_its_rerun(tmp_path):
    with Store(tmp_path / "t.duckdb") as store:
        store.put(row(1, "failed"))
        store.put_many(pd.DataFrame([row(2, "failed")]))
        first = store.results().set_index("task_id")["created_at"]
        time.sleep(0.05)
        store.put(row(1, "passed"))
        store.put_many(pd.DataFrame([row(2, "passed")]))
        second = store.results().set_index("task_id")["created_at"]
    assert (second > first).all(), (first, second)


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
