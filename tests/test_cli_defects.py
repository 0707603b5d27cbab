"""``workbench defects`` and ``workbench results`` as a user runs them on a copy of the real store
(the demo and the real C outputs): a task set aside with its reason moves the second reading of
pass@1 only, the footnote names it with its source, and the marks keep their history."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from workbench.cli.main import main


@pytest.fixture
def workbench(capsys):
    """The command line's entry point run in this process (the same parser and dispatch as the
    console script; a new process per call would add seconds of imports each)."""

    def run(*args: object) -> subprocess.CompletedProcess:
        capsys.readouterr()
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    return run


@pytest.fixture
def store(real_store, tmp_path):
    copy = tmp_path / "store.duckdb"
    shutil.copy(real_store, copy)
    return copy


def _avg(stdout: str, model: str) -> list[str]:
    """The AVG line of ``model``'s block of ``workbench results``."""
    block = stdout.split(f"model: {model}")[1].split("model: ")[0]
    return next(line for line in block.splitlines() if line.split()[:1] == ["AVG"]).split()


def test_defects_add_list_remove_and_the_two_readings(store, workbench):
    proc = workbench("results", "--store", store)
    assert proc.returncode == 0, proc.stderr
    assert "pass@1 % (benchmark rules)" in proc.stdout
    assert "pass@1 % (defective tasks set aside)" in proc.stdout
    assert "C/1 (every kind; registry; 3 samples):" in proc.stdout  # the shipped one, McEval's
    before = _avg(proc.stdout, "demo/hasty-coder")

    proc = workbench(
        "defects", "add", "Python/1", "--store", store, "--reason", "the test is wrong here"
    )
    assert proc.returncode == 0, proc.stderr
    assert "set aside Python/1 (every kind): the test is wrong here" in proc.stdout

    proc = workbench("results", "--store", store)
    after = _avg(proc.stdout, "demo/hasty-coder")
    # AVG, n_tasks, n_samples, n_passed, n_excluded, the benchmark's score, its interval, then
    # n_defective_tasks and the second reading with its interval.
    assert after[:8] == before[:8]
    assert after[8] == str(int(before[8]) + 1)
    assert after[9:] != before[9:]
    assert "Python/1 (every kind; user " in proc.stdout and "the test is wrong here" in proc.stdout

    listed = workbench("defects", "list", "--store", store)
    assert listed.returncode == 0, listed.stderr
    assert "Python/1 (every kind; user, " in listed.stdout and "4 samples here" in listed.stdout
    assert "C/1 (every kind; registry; 3 samples here)" in listed.stdout

    proc = workbench("defects", "remove", "Python/1", "--store", store)
    assert proc.returncode == 0 and "restored Python/1" in proc.stdout
    history = workbench("defects", "list", "--store", store, "--history", "--format", "json")
    rows = json.loads(history.stdout)
    assert [r["action"] for r in rows] == ["set_aside", "restored"]
    assert rows[0]["reason"] == "the test is wrong here"


def test_defects_refuses_a_sample_an_unknown_task_and_no_reason(store, workbench):
    proc = workbench("defects", "add", "C/1 #0", "--store", store, "--reason", "x")
    assert proc.returncode == 2 and "field 'task_id'" in proc.stderr and "sample" in proc.stderr
    proc = workbench("defects", "add", "C/99", "--store", store, "--reason", "x")
    assert proc.returncode == 2 and "no task C/99 in the store" in proc.stderr
    proc = workbench("defects", "add", "C/2", "--store", store)
    assert proc.returncode == 2 and "field 'reason'" in proc.stderr
