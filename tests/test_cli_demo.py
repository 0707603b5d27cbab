"""The main job end to end: ``workbench demo``, ``evaluate`` and ``doctor`` as a user runs them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import DEMO, SKELETON_LANGUAGES, require_toolchain
from workbench.evaluation.store import Store
from workbench.inputs.tasks import default_data_dir
from workbench.ops.faults import namespace_problem


def workbench(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workbench.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    for language in SKELETON_LANGUAGES:
        require_toolchain(language)
    cwd = tmp_path_factory.mktemp("demo")
    proc = workbench("demo", "--quiet", "--store", "demo.duckdb", "--figures", "figures", cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    return cwd, proc


def test_demo_prints_the_table_and_writes_the_figures(demo_run):
    cwd, proc = demo_run
    assert "model: demo/careful-coder" in proc.stdout and "AVG" in proc.stdout
    # After the table, the health summary: one line, since the demo's machine is fine.
    assert (
        "\nhealth: no findings, every check passed (`workbench health --store demo.duckdb`)\n"
        in (proc.stdout)
    )
    # Both readings, and once that no defective task of the list is among the demo's.
    assert "pass@1 % (benchmark rules)" in proc.stdout
    assert "pass@1 % (defective tasks set aside)" in proc.stdout
    assert proc.stdout.count("No defective task") == 1
    for suffix in (".svg", ".png"):
        figure = cwd / "figures" / f"demo_pass_at_1{suffix}"
        assert figure.stat().st_size > 1000
    assert (cwd / "figures" / "demo_pass_at_1.svg").read_text().lstrip().startswith("<svg")


def test_demo_ends_with_the_next_steps_for_the_store_it_wrote(demo_run):
    _, proc = demo_run
    steps = proc.stdout.split("Next steps:")[1]
    assert proc.stdout.rstrip().endswith(steps.rstrip())  # the last thing printed
    order = [
        "make lab",
        "notebooks/00_quickstart.ipynb",
        "notebooks/02_text_to_verdict.ipynb",
        "notebooks/03_failure_analysis.ipynb",
        "workbench failures --store demo.duckdb",
        "workbench report --store demo.duckdb",
    ]
    places = [steps.index(step) for step in order]
    assert places == sorted(places)


def test_every_demo_sample_gets_its_labelled_status(demo_run):
    cwd, _ = demo_run
    with Store(cwd / "demo.duckdb") as store:
        results = store.results()
    labels = pd.read_json(DEMO / "samples.jsonl", lines=True)
    merged = labels.merge(results, on=["task_id", "model", "sample_index"], validate="one_to_one")
    assert len(merged) == 72
    wrong = merged[merged["status"] != merged["expected_status"]]
    assert wrong.empty, wrong[
        ["task_id", "model", "sample_index", "status", "expected_status", "reason"]
    ]
    assert set(results["status"]) == {
        "passed",
        "failed",
        "compile_error",
        "runtime_error",
        "timeout",
    }
    timeouts = results[results["status"] == "timeout"]
    assert (timeouts["run_seconds"] < 5.0 + 1.5).all()


def test_the_demo_is_healthy(demo_run):
    cwd, _ = demo_run
    with Store(cwd / "demo.duckdb") as store:
        assert store.count(kinds="control") == 12  # two per language, judged with the run
    proc = workbench("health", "--store", "demo.duckdb", cwd=cwd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "no findings: every health check passed"


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_a_second_demo_run_is_served_from_the_store(demo_run):
    cwd, first = demo_run
    again = workbench("demo", "--quiet", "--store", "demo.duckdb", "--figures", "figures", cwd=cwd)
    assert again.returncode == 0
    with Store(cwd / "demo.duckdb") as store:
        results = store.results()
    assert results["cached"].all() and len(results) == 72
    assert again.stdout.split("figures:")[0] == first.stdout.split("figures:")[0]


def test_bad_input_is_reported_and_the_store_keeps_its_results(demo_run, tmp_path):
    cwd, _ = demo_run
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"task_id": "Python/1", "model": "x", "raw_generation": "x"}\n'
        '{"task_id": "Python/77", "model": "x", "raw_generation": "x"}\n'
    )
    proc = workbench(
        "evaluate",
        "--data",
        str(DEMO),
        "--samples",
        str(bad),
        "--store",
        "demo.duckdb",
        "--quiet",
        cwd=cwd,
    )
    assert proc.returncode == 2
    assert f"{bad}:2" in proc.stderr and "task_id" in proc.stderr and "Python/77" in proc.stderr
    assert "Traceback" not in proc.stderr
    with Store(cwd / "demo.duckdb") as store:
        assert store.count() == 72


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_doctor_json_covers_all_40_languages(tmp_path):
    proc = workbench("doctor", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert len(report["languages"]) == 40
    by_name = {entry["language"]: entry for entry in report["languages"]}
    assert by_name["Swift"]["status"] == "no_debian_toolchain"
    for name in SKELETON_LANGUAGES:
        assert by_name[name]["status"] in ("ready", "missing")
        if by_name[name]["status"] == "ready":
            assert by_name[name]["version"]
    assert report["sandbox"]["mode"] in ("bwrap", "rlimits")
    assert report["work_folders"].startswith(("in memory: a tmpfs", "on disk under"))
    # Whether the health checks' broken-toolchain tests can run here (they skip otherwise).
    namespaces = report["mount_namespaces"]
    assert namespaces["available"] == (namespace_problem() is None)
    assert namespaces["detail"].startswith("available" if namespaces["available"] else "not")
    # The language identifier wrong_language consults: built (or loaded) here, where there is
    # McEval data, so no run has to wait for it; else said why there is none.
    found = report["language_identifier"]
    if default_data_dir() is not None:
        assert found["ready"] and "language-id" in found["detail"], found
    else:
        assert not found["ready"] and "no McEval data" in found["detail"]


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_doctor_verify_passes_on_a_working_toolchain(tmp_path):
    require_toolchain("Python")
    proc = workbench("doctor", "--verify", "--languages", "Python", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    checks = json.loads(proc.stdout)["self_test"]
    assert [c["language"] for c in checks] == ["Python"] and checks[0]["ok"]


@pytest.mark.toolchains
def test_doctor_verify_on_mceval_mixes_tasks_with_and_without_support_files(tmp_path, mceval_dir):
    for language in ("Python", "Go"):
        require_toolchain(language)
    proc = workbench(
        "doctor",
        "--verify",
        "--data",
        str(mceval_dir),
        "--languages",
        "Python",
        "Go",
        "--json",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    checks = json.loads(proc.stdout)["self_test"]
    assert [c["language"] for c in checks] == ["Go", "Python"]
    assert all(c["ok"] for c in checks), checks


def test_doctor_verify_fails_loudly_on_a_broken_toolchain(tmp_path):
    # A python3 that "succeeds" without running anything: every program would pass. It lives
    # outside /tmp because the sandbox has a private /tmp.
    root = Path(tempfile.mkdtemp(dir="/var/tmp"))
    root.chmod(0o755)  # the sandbox uid must be able to reach it
    fake = root / "toolchains" / "npm" / "node_modules" / ".bin"
    fake.mkdir(parents=True)
    (fake / "python3").write_text("#!/bin/sh\nexit 0\n")
    (fake / "python3").chmod(0o755)
    env = {**os.environ, "WORKBENCH_TOOLCHAINS": str(root / "toolchains")}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "workbench.cli", "doctor", "--verify", "--languages", "Python"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        shutil.rmtree(root)
    assert proc.returncode == 1
    assert "BROKEN Python" in proc.stdout and "BROKEN" in proc.stderr
