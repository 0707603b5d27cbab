"""``workbench failures`` and ``workbench compare`` as a user runs them: on a DuckDB store the
``workbench evaluate`` command filled from the demo's Python and C samples (two models)."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.conftest import DEMO, PROJECT, require_toolchain
from workbench.analysis.compare_models import compare_models
from workbench.analysis.defects import defective_tasks
from workbench.analysis.failure_modes import failure_modes
from workbench.evaluation.notes import annotate
from workbench.evaluation.store import Store

CAREFUL, HASTY = "demo/careful-coder", "demo/hasty-coder"


def workbench(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workbench.cli", *map(str, args)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    for language in ("Python", "C"):
        require_toolchain(language)
    path = tmp_path_factory.mktemp("cli") / "demo.duckdb"
    proc = workbench(
        "evaluate",
        "--samples",
        DEMO / "samples.jsonl",
        "--data",
        DEMO,
        "--languages",
        "Python",
        "C",
        "--run-timeout",
        "5",
        "--store",
        path,
        "--quiet",
    )
    assert proc.returncode == 0, proc.stderr
    return path


@pytest.fixture(scope="module")
def results(store) -> pd.DataFrame:
    with Store(store) as db:
        return db.results()


def test_failures_table_shows_clusters_per_language(store, results):
    proc = workbench("failures", "--store", store)
    assert proc.returncode == 0, proc.stderr
    failing = results[results["status"] != "passed"].groupby("language").size()
    for language, n in failing.items():
        assert f"language {language}: {n} failures in " in proc.stdout
    assert "IndexError: list index out of range" in proc.stdout
    assert "<LOC>: error: unknown type name <Q>" in proc.stdout
    assert "main: <LOC>: main: Assertion <Q> failed." in proc.stdout


def test_failures_json_is_the_api_table(store, results):
    proc = workbench("failures", "--store", store, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    printed = pd.DataFrame(json.loads(proc.stdout))
    expected = failure_modes(results, by=["language"])
    columns = ["language", "cluster", "template", "message", "count", "n_failures", "status"]
    pd.testing.assert_frame_equal(printed[columns], expected[columns], check_dtype=False)
    assert printed["examples"].tolist() == expected["examples"].tolist()


def test_failures_by_model_and_language_as_csv(store, results):
    proc = workbench("failures", "--store", store, "--by", "model", "language", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(io.StringIO(proc.stdout))
    failing = results[results["status"] != "passed"].groupby("model").size()
    assert table.groupby("model")["count"].sum().to_dict() == failing.to_dict()
    assert table["examples"].str.contains(r"#\d+ \(demo/").all()


def test_failures_refresh_recomputes_causes_without_running_anything(store, results, tmp_path):
    copy = tmp_path / "blank.duckdb"
    shutil.copy(store, copy)
    con = duckdb.connect(str(copy))
    con.execute("UPDATE executions SET cause = NULL, error_line = NULL")
    con.close()
    proc = workbench("failures", "--store", copy, "--by", "cause", "--refresh", "--top", "1")
    assert proc.returncode == 0, proc.stderr
    assert "(top 1)" in proc.stdout
    with Store(copy) as db:
        refreshed = db.results()
    key = ["task_id", "model", "sample_index"]
    both = results.merge(refreshed, on=key, suffixes=("", "_new"))
    assert len(both) == len(results)
    assert both["cause"].fillna("").tolist() == both["cause_new"].fillna("").tolist()
    assert (both["run_seconds_new"].fillna(-1) == both["run_seconds"].fillna(-1)).all()  # not rerun


def test_compare_prints_the_table_and_disagreements(store, results):
    proc = workbench("compare", "--store", store, CAREFUL, HASTY)
    assert proc.returncode == 0, proc.stderr
    expected = compare_models(results, CAREFUL, HASTY)
    n = len(expected.disagreements)
    assert f"A = {CAREFUL}" in proc.stdout and f"B = {HASTY}" in proc.stdout
    assert f"disagreements: {n}" in proc.stdout
    assert "A passed, B compile_error: main.c:9:5: error: unknown type name ‘bool’" in proc.stdout
    # The discordant counts and p lead, p < 0.05 is marked, and the footnote says once that no
    # defective task is among the demo's (the shipped C/1 is McEval's, not the demo's C/1).
    header = next(line for line in proc.stdout.splitlines() if "only A" in line)
    assert header.split()[:6] == ["language", "only", "A", "only", "B", "p"]
    assert re.search(r"^\s+ALL\s+\d+\s+\d+\s+\S+ \*", proc.stdout, re.M)
    assert proc.stdout.count("No defective task") == 1


def test_compare_json_and_csv_are_the_api_frames(store, results):
    # Both readings: the command sets aside the store's defective tasks, as the API does.
    expected = compare_models(results, CAREFUL, HASTY, set_aside=defective_tasks(store))
    proc = workbench("compare", "--store", store, CAREFUL, HASTY, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    printed = json.loads(proc.stdout)
    table = pd.DataFrame(printed["table"])
    pd.testing.assert_frame_equal(table, expected.table, check_dtype=False, rtol=1e-9)
    assert len(printed["disagreements"]) == len(expected.disagreements)
    proc = workbench(
        "compare", "--store", store, CAREFUL, HASTY, "--format", "csv", "--disagreements"
    )
    listed = pd.read_csv(io.StringIO(proc.stdout))
    pd.testing.assert_frame_equal(
        listed[["task_id", "sample_index", "winner"]],
        expected.disagreements[["task_id", "sample_index", "winner"]],
        check_dtype=False,
    )


def test_compare_exports_carry_each_sides_notes(store, tmp_path):
    copy = tmp_path / "noted.duckdb"
    shutil.copy(store, copy)
    with Store(copy) as db:
        first = compare_models(db.results(), CAREFUL, HASTY).disagreements.iloc[0]
    key = {"task": "generation", "task_id": first["task_id"], "model": HASTY}
    key["sample_index"] = int(first["sample_index"])
    annotate(copy, key, tags=["misread-spec"], note="forgot stdbool", author="t")
    proc = workbench("compare", "--store", copy, CAREFUL, HASTY, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)["disagreements"]
    noted = [r for r in rows if r["task_id"] == key["task_id"]]
    assert noted[0]["note_b"] == "forgot stdbool" and noted[0]["tags_b"] == ["misread-spec"]
    assert noted[0]["note_a"] is None


def test_failures_filter_on_tags_and_notes_and_count_them(store, tmp_path):
    copy = tmp_path / "noted.duckdb"
    shutil.copy(store, copy)
    annotate(copy, ("generation", "Python/1", HASTY, 0), tags=["Missing Corner Case"], note="")
    annotate(copy, ("generation", "C/1", HASTY, 0), tags=["Silly Mistake"], note="off by one")

    proc = workbench(
        "failures", "--store", copy, "--tag", "Missing Corner Case", "--format", "json"
    )
    assert proc.returncode == 0, proc.stderr
    [row] = json.loads(proc.stdout)  # one sample carries the tag: one cluster
    assert row["count"] == 1 and row["n_noted"] == 1
    assert row["tags"] == "Missing Corner Case (1)"
    assert [e["task_id"] for e in row["examples"]] == ["Python/1"]

    proc = workbench("failures", "--store", copy, "--note", "OFF BY")  # any case
    assert proc.returncode == 0, proc.stderr
    assert "C/1 #0 (demo/hasty-coder, generation)" in proc.stdout
    assert "noted: 1 of 1; tags: Silly Mistake (1)" in proc.stdout
    assert "Python/1" not in proc.stdout

    proc = workbench("failures", "--store", copy, "--noted", "--by", "model", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    table = pd.read_csv(io.StringIO(proc.stdout))
    assert table["count"].sum() == 2 and table["n_noted"].sum() == 2


def test_bad_requests_fail_with_a_message(store, tmp_path):
    proc = workbench("compare", "--store", store, CAREFUL, "nobody")
    assert proc.returncode == 2
    assert "no results for ['nobody']" in proc.stderr and HASTY in proc.stderr
    proc = workbench("compare", "--store", store, CAREFUL)
    assert proc.returncode == 2 and "at least two distinct models" in proc.stderr
    missing = tmp_path / "none.duckdb"
    proc = workbench("failures", "--store", missing)
    assert proc.returncode == 2 and "no results store here" in proc.stderr
    assert not missing.exists()
