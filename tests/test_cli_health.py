"""``workbench health`` and the health summary of ``workbench evaluate``, as a user runs them:
the exit status is 1 exactly when a finding is an ``error``; the opt-in reruns are stored as rows
of their kinds, so a later ``workbench health`` reports them again."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.analysis.test_health import PROSE, demo_answers, needs_file, slow_answer
from tests.conftest import DEMO, require_toolchain
from tests.test_cli_failures import workbench
from workbench.analysis.health import FINDING_COLUMNS
from workbench.evaluation.store import Store
from workbench.execution.records import CONTROL, PROBE, REPEAT
from workbench.paths import toolchains_dir


def write_samples(path: Path, answers: dict[tuple[str, int], str], model: str) -> Path:
    lines = [
        json.dumps({"task_id": t, "sample_index": i, "model": model, "raw_generation": a})
        for (t, i), a in answers.items()
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def evaluate(samples: Path, store: Path, *options: str) -> subprocess.CompletedProcess:
    done = workbench(
        "evaluate", "--samples", samples, "--data", DEMO, "--store", store, "--quiet", *options
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def findings_of(store: Path, *options: str | Path) -> tuple[int, list[dict]]:
    done = workbench("health", "--store", store, "--format", "json", *options)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return done.returncode, json.loads(done.stdout)


def test_a_healthy_store_exits_0(real_store):
    done = workbench("health", "--store", real_store)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "no findings: every health check passed"
    assert findings_of(real_store) == (0, [])


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_evaluate_ends_with_the_health_summary_and_health_exits_1_on_an_error(tmp_path):
    for language in ("C", "Python"):
        require_toolchain(language)
    careful = {k: v for k, v in demo_answers().items() if k[0].startswith(("C/", "Python/"))}
    healthy = evaluate(write_samples(tmp_path / "a.jsonl", careful, "m"), tmp_path / "a.duckdb")
    table, summary = healthy.stdout.split("\n\nhealth: ")
    assert "model: m" in table and "pass@1" in table and "canonical" not in table
    assert summary.splitlines()[0].startswith("no findings, every check passed")
    with Store(tmp_path / "a.duckdb") as store:
        assert store.count(kinds=CONTROL) == 4  # two per language, by default
    # Prose instead of code in Python: an extraction error. evaluate still exits 0 ...
    prose = {k: (PROSE if k[0].startswith("Python/") else v) for k, v in careful.items()}
    sick = evaluate(
        write_samples(tmp_path / "b.jsonl", prose, "chat"), tmp_path / "b.duckdb", "--controls", "0"
    )
    summary = sick.stdout.split("\n\nhealth: ")[1]
    assert summary.startswith("1 error") and "extraction" in summary and "Python" in summary
    with Store(tmp_path / "b.duckdb") as store:
        assert store.count(kinds=CONTROL) == 0  # --controls 0
    # ... and workbench health exits 1, with the finding as JSON.
    code, findings = findings_of(tmp_path / "b.duckdb")
    assert code == 1
    assert [(f["rule"], f["severity"], f["language"]) for f in findings] == [
        ("extraction", "error", "Python")
    ]
    assert tuple(findings[0]) == FINDING_COLUMNS


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_repeat_failures_are_stored_and_reported_again(tmp_path):
    require_toolchain("Python")
    folder = Path(tempfile.mkdtemp(dir=toolchains_dir()))  # the sandbox sees it, not /tmp
    folder.chmod(0o755)
    flag, store = folder / "ready", tmp_path / "s.duckdb"
    try:
        answers = {k: needs_file(flag, v) for k, v in demo_answers().items() if k[0] == "Python/1"}
        evaluate(write_samples(tmp_path / "s.jsonl", answers, "flaky"), store)
        flag.touch()
        done = workbench(
            "health", "--store", store, "--data", DEMO, "--repeat-failures", "2", "--quiet"
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    assert done.returncode == 0, done.stdout + done.stderr  # a warning, not an error
    assert "ran 2 failing samples 2 more times (4 runs)" in done.stderr
    assert done.stdout.startswith("warning  flaky")
    with Store(store) as db:
        assert db.count(kinds=REPEAT) == 4
    code, findings = findings_of(store)  # no rerun now: the stored repeats
    assert code == 0 and [f["rule"] for f in findings] == ["flaky"]
    assert findings[0]["evidence"]["changed"] == 2


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_probe_timeouts_are_stored_and_reported_again(tmp_path):
    require_toolchain("Python")
    answers = {k: slow_answer(v) for k, v in demo_answers().items() if k[0] == "Python/1"}
    store = tmp_path / "s.duckdb"
    evaluate(write_samples(tmp_path / "s.jsonl", answers, "slow"), store, "--run-timeout", "1")
    done = workbench("health", "--store", store, "--data", DEMO, "--probe-timeouts", "--quiet")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "probed 2 timed-out samples with 4x their limit: 2 finished" in done.stderr
    with Store(store) as db:
        assert db.count(kinds=PROBE) == 2
    code, findings = findings_of(store)
    assert code == 0 and {f["rule"] for f in findings} == {"limits"}
    assert any(f["evidence"].get("finished") == 2 for f in findings)


def test_reruns_refuse_tasks_other_than_the_evaluated_ones(real_store, tmp_path, mceval_dir):
    store = tmp_path / "copy.duckdb"
    shutil.copy(real_store, store)
    # The demo's samples, rerun against McEval's tasks (their ids are the same): refused before
    # anything runs, naming the option that fixes it.
    done = workbench("health", "--store", store, "--repeat-failures", "1", "--data", mceval_dir)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "make other programs with these tasks" in done.stderr and "--data" in done.stderr
    with Store(store) as db:
        assert db.count(kinds=REPEAT) == 0
