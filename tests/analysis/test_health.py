"""Health checks on real verdicts: each fault is planted for real — samples run through the
sandbox by ``evaluate`` into a real DuckDB store, the checks read ``Store.results()`` — and gives
its finding, and only it; healthy runs (the demo, the real C outputs) give none.

The probe and repeat rows (``--probe-timeouts``, ``--repeat-failures``) and the runner's own
controls come with the runner changes; until then their tests build those rows from real
verdicts, and the environment test runs the controls itself, labelled by the test."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import DEMO, PROJECT, SKELETON_LANGUAGES, require_toolchain
from tests.faults import broken, broken_helper, namespace_problem
from workbench.analysis.failure_modes import failure_modes
from workbench.analysis.health import (
    FINDING_COLUMNS,
    RULES,
    SEVERITIES,
    Finding,
    Thresholds,
    check_environment,
    check_flaky,
    check_limits,
    check_one_error,
    check_published,
    findings_records,
    has_errors,
    health,
    rows_of_kind,
)
from workbench.errors import InputError
from workbench.evaluation.controls import CONTROL, PROBE, REPEAT, ROW_KIND, SCORED, control_samples
from workbench.evaluation.runner import evaluate
from workbench.evaluation.store import Store
from workbench.evaluation.verify import canonical_answers, known_failure
from workbench.inputs.samples import load_samples
from workbench.inputs.tasks import load_tasks
from workbench.paths import shared_dir
from workbench.registry.languages import get_language
from workbench.registry.limits import task_limits

REAL_MODEL = "mceval-example"  # the official repository's example outputs name no model
KINDS = (("generation", None), ("explanation", None), ("completion", "light"))
PAPER_MODEL = "GPT-4o-240513"  # published C generation pass@1: 0.60


def real_outputs() -> Path:
    shared = shared_dir()
    folder = shared / "model-outputs" / "mceval-examples" if shared else None
    if folder is None or not (folder / "generation" / "C.jsonl").is_file():
        pytest.skip("real model outputs not found at ../shared/model-outputs/mceval-examples")
    return folder


def stored(path: Path) -> pd.DataFrame:
    with Store(path) as store:
        return store.results()


def run(samples: pd.DataFrame, tasks: pd.DataFrame, path: Path, **options) -> pd.DataFrame:
    """``samples`` evaluated into the store ``path`` (added to what it holds); its rows."""
    evaluate(samples, tasks, store=path, progress=False, **options)
    return stored(path)


def flat_samples(path: Path, records: list[dict]) -> pd.DataFrame:
    """Samples written as a user's flat JSONL file and read back by ``load_samples``."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return load_samples(path)


def demo_answers(model: str = "demo/careful-coder") -> dict[tuple[str, int], str]:
    demo = load_samples(DEMO / "samples.jsonl")
    demo = demo[demo["model"] == model]
    return {
        (t, int(i)): text
        for t, i, text in demo[["task_id", "sample_index", "raw_generation"]].itertuples(
            index=False
        )
    }


def rules_of(findings: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(findings["rule"], findings["language"], strict=True))


@pytest.fixture(scope="module")
def healthy_store(tmp_path_factory, mceval_dir) -> Path:
    """The demo's 72 samples and the 150 real C outputs (three task kinds), as the views'
    tests evaluate them."""
    for language in SKELETON_LANGUAGES:
        require_toolchain(language)
    outputs = real_outputs()
    path = tmp_path_factory.mktemp("health") / "healthy.duckdb"
    demo = load_samples(DEMO / "samples.jsonl")
    evaluate(demo, load_tasks(DEMO), store=path, progress=False, limits={"run_timeout": 5})
    for kind, subset in KINDS:
        samples = load_samples(outputs / kind / "C.jsonl", model=REAL_MODEL)
        tasks = load_tasks(mceval_dir, task=kind, subset=subset, languages=["C"])
        evaluate(samples, tasks, store=path, progress=False, limits={"run_timeout": 5})
    return path


# -- healthy runs ----------------------------------------------------------------------------
def test_healthy_runs_have_no_finding(healthy_store):
    results = stored(healthy_store)
    assert set(results["model"]) == {"demo/careful-coder", "demo/hasty-coder", REAL_MODEL}
    findings = health(results)
    assert not has_errors(findings)
    assert findings.empty, findings[["rule", "language", "message"]].to_string()


def test_a_failed_assertion_is_how_wrong_answers_look_not_one_error(healthy_store):
    results = stored(healthy_store)
    real = results[(results["model"] == REAL_MODEL) & (results["task"] == "generation")]
    # The premise: C's "Assertion ... failed" is one cluster behind most failures, over many
    # tasks — exactly the shape the check looks for.
    modes = failure_modes(real)
    top = modes.iloc[0]
    assert top["share"] > 0.5 and top["count"] >= 10 and "Assertion" in top["message"], top
    assert top["cause"] == "wrong_answer"
    # The check knows it by its cause (the registry's rule for C's assert), not by its text.
    assert check_one_error(real).empty
    # With no thresholds left, the rare other failures are found, never the assertions.
    anything = check_one_error(real, Thresholds(one_error_share=0.01, one_error_min_tasks=1))
    causes = {f["cause"] for f in anything["evidence"]}
    assert causes and "wrong_answer" not in causes, causes


def test_thresholds_are_parameters(healthy_store):
    results = stored(healthy_store)
    # 5 of the 50 real C generation answers are Python: under the default warning share.
    lower = health(results, thresholds=Thresholds(extraction_warning=0.05))
    assert rules_of(lower) == {("extraction", "C")}
    row = lower.iloc[0]
    assert (row["severity"], row["model"], row["task"]) == ("warning", REAL_MODEL, "generation")
    assert row["evidence"]["no_code"] == 5 and row["evidence"]["samples"] == 50
    assert row["evidence"]["details"] == {"a python block, not C": 5}


# -- extraction ------------------------------------------------------------------------------
PROSE = (
    "To compute this, walk through the input once and keep a running result: add what the "
    "description asks for at each step, and return the result at the end. An empty input "
    "gives the neutral value."
)
PYTHON_FOR_C = "Here is a solution:\n\n```python\ndef {entry}(*args):\n    return sum(args)\n```\n"


def test_prose_and_another_language_are_extraction_failures(tmp_path):
    for language in ("C", "Python", "JavaScript"):
        require_toolchain(language)
    careful = demo_answers()
    entries = {"C/1": "count_digit", "C/2": "array_gcd", "C/3": "reverse_words"}
    records = []
    for n in (1, 2, 3):
        # Python: prose, and whitespace only (the official evaluator passes those).
        records += [
            {"task_id": f"Python/{n}", "sample_index": 0, "raw_generation": PROSE},
            {"task_id": f"Python/{n}", "sample_index": 1, "raw_generation": " \n\t\n"},
        ]
        # C: code in another language.
        records += [
            {
                "task_id": f"C/{n}",
                "sample_index": i,
                "raw_generation": PYTHON_FOR_C.format(entry=entries[f"C/{n}"]),
            }
            for i in (0, 1)
        ]
        # JavaScript: two prose answers among six, the rest correct.
        second = PROSE if n < 3 else careful[(f"JavaScript/{n}", 1)]
        records += [
            {
                "task_id": f"JavaScript/{n}",
                "sample_index": 0,
                "raw_generation": careful[(f"JavaScript/{n}", 0)],
            },
            {"task_id": f"JavaScript/{n}", "sample_index": 1, "raw_generation": second},
        ]
    for record in records:
        record["model"] = "test/chat-mode"
    samples = flat_samples(tmp_path / "chat.jsonl", records)
    results = run(samples, load_tasks(DEMO), tmp_path / "s.duckdb")
    python = results[results["language"] == "Python"]
    assert python["status"].ne("passed").all()  # whitespace-only answers do not pass here
    findings = health(results)
    assert rules_of(findings) == {
        ("extraction", "C"),
        ("extraction", "Python"),
        ("extraction", "JavaScript"),
    }
    by_language = findings.set_index("language")
    assert by_language.loc["C", "severity"] == "error"
    assert by_language.loc["Python", "severity"] == "error"
    assert by_language.loc["JavaScript", "severity"] == "warning"  # 2 of 6
    assert by_language.loc["C", "evidence"]["details"] == {"a python block, not C": 6}
    assert by_language.loc["JavaScript", "evidence"]["no_code"] == 2
    assert (findings["model"] == "test/chat-mode").all()
    assert has_errors(findings)


# -- one error everywhere --------------------------------------------------------------------
def test_one_missing_module_in_every_answer_is_one_error(tmp_path, mceval_dir):
    for language in ("C", "Python"):
        require_toolchain(language)
    tasks = load_tasks(mceval_dir, languages=["Python", "C"])
    tasks = tasks[tasks["task_id"].map(known_failure).isna()]
    tasks = tasks.groupby("language").head(8).reset_index(drop=True)
    samples = canonical_answers(tasks).assign(model="test/one-module", task="generation")
    python = samples["task_id"].str.startswith("Python/")
    samples.loc[python, "completion"] = (
        "import workbench_absent_module\n" + samples.loc[python, "completion"]
    )
    results = run(samples, tasks, tmp_path / "s.duckdb")
    assert results.loc[results["language"] == "C", "status"].eq("passed").all()
    findings = health(results)
    assert rules_of(findings) == {("one_error", "Python")}
    row = findings.iloc[0]
    assert (row["severity"], row["model"], row["task"]) == (
        "warning",
        "test/one-module",
        "generation",
    )
    evidence = row["evidence"]
    assert evidence["count"] == evidence["failures"] == evidence["tasks"] == 8
    assert "No module named 'workbench_absent_module'" in evidence["message"]
    assert evidence["cause"] == "missing_import"


# -- limits ----------------------------------------------------------------------------------
def _slow(answer: str) -> str:
    """A correct answer that first waits two seconds (as one that reads a slow resource)."""
    wait = "import time\ntime.sleep(2)\n"
    return (
        answer.replace("```python\n", "```python\n" + wait, 1) if "```" in answer else wait + answer
    )


def test_run_limits_cut_to_a_tenth_are_found(tmp_path):
    for language in ("C", "Python"):
        require_toolchain(language)
    careful = demo_answers()
    records = [
        {
            "task_id": t,
            "sample_index": i,
            "model": "test/patient",
            "raw_generation": _slow(text) if t.startswith("Python/") else text,
        }
        for (t, i), text in careful.items()
        if t.startswith(("Python/", "C/"))
    ]
    samples = flat_samples(tmp_path / "patient.jsonl", records)
    tasks = load_tasks(DEMO, languages=["C", "Python"])
    fair = run(samples, tasks, tmp_path / "fair.duckdb", jobs=6, cache=False)
    assert fair["status"].eq("passed").all()
    assert health(fair).empty
    # A tenth of the limit each Python task gets from the registry.
    tenth = min(task_limits(get_language("Python"), t).run_timeout for t in tasks["task_id"]) / 10
    assert tenth == pytest.approx(1.0)
    cut = run(
        samples, tasks, tmp_path / "cut.duckdb", jobs=6, cache=False, limits={"run_timeout": tenth}
    )
    assert cut.loc[cut["language"] == "Python", "status"].eq("timeout").all()
    findings = health(cut)
    assert rules_of(findings) == {("limits", "Python")}
    row = findings.iloc[0]
    assert row["severity"] == "warning" and row["task"] == "generation"
    assert (row["evidence"]["timeouts"], row["evidence"]["samples"]) == (6, 6)
    assert row["evidence"]["tasks"] == 3


def test_timeouts_that_finish_with_more_time_are_found(healthy_store):
    results = stored(healthy_store).assign(row_kind=SCORED)
    timeouts = results[results["status"] == "timeout"]
    assert len(timeouts) == 6  # one infinite loop per demo language
    assert check_limits(results).empty
    # Probe rows as ``--probe-timeouts`` will store them: the loops still time out, except
    # Python's, which (here, by hand) finished and passed in 12 s.
    probes = timeouts.assign(row_kind=PROBE)
    python = probes["language"] == "Python"
    probes.loc[python, ["status", "run_seconds"]] = ["passed", 12.0]
    findings = check_limits(pd.concat([results, probes], ignore_index=True))
    assert rules_of(findings) == {("limits", "Python")}
    evidence = findings.iloc[0]["evidence"]
    assert (evidence["probed"], evidence["finished"], evidence["passed"]) == (1, 1, 1)
    assert "12.0 s" in findings.iloc[0]["message"]


# -- published numbers -----------------------------------------------------------------------
def _degraded(text: str) -> str:
    """A wrong but ordinary answer: comparisons one off, increments doubled, zero returns one."""
    text = text.replace("<=", "<").replace(">=", ">")
    return re.sub(r"return 0;", "return 1;", re.sub(r"\+ ?1\b", "+ 2", text))


def test_a_paper_model_with_degraded_answers_is_told_from_the_published_number(
    healthy_store, tmp_path, mceval_dir
):
    require_toolchain("C")
    results = stored(healthy_store)
    real = results[results["model"] == REAL_MODEL].assign(model=PAPER_MODEL)
    # The real answers under the paper model's name agree with what it published (within the
    # interval): C generation 50% here, 60% published; explanation 62% and 68%.
    assert check_published(real).empty
    samples = load_samples(real_outputs() / "generation" / "C.jsonl", model=PAPER_MODEL)
    samples["raw_generation"] = samples["raw_generation"].map(_degraded)
    tasks = load_tasks(mceval_dir, languages=["C"])
    degraded = run(samples, tasks, tmp_path / "s.duckdb")
    findings = health(degraded)
    assert rules_of(findings) == {("published", "C")}
    row = findings.iloc[0]
    assert (row["severity"], row["model"], row["task"]) == ("warning", PAPER_MODEL, "generation")
    evidence = row["evidence"]
    assert evidence["published"] == 0.6 and evidence["paper_model"] == PAPER_MODEL
    assert evidence["high"] < 0.6 and evidence["difference"] < -0.2
    assert "points below the published 60.0%" in row["message"]


def test_published_averages_are_compared_over_the_languages_both_have(healthy_store):
    results = stored(healthy_store)
    # The careful demo model (34 of 36 pass) named after a model published at about 30% in
    # the same six languages (the demo's tasks are not McEval's; the check cannot tell).
    demo = results[results["model"] == "demo/careful-coder"].assign(model="OCTOCODER")
    findings = check_published(demo)
    average = findings[findings["language"] == "AVG"]
    assert len(average) == 1
    evidence = average.iloc[0]["evidence"]
    assert evidence["n_tasks"] == 18 and evidence["published"] == pytest.approx(0.2933, abs=1e-3)
    assert evidence["low"] > evidence["published"] and evidence["difference"] > 0.5
    assert "of 6 languages" in average.iloc[0]["message"]


# -- flaky verdicts --------------------------------------------------------------------------
def test_a_verdict_that_changes_when_run_again_is_flaky(healthy_store):
    results = stored(healthy_store)
    failing = results[(results["model"] == "demo/hasty-coder") & (results["status"] != "passed")]
    c = failing[failing["language"] == "C"]
    # Repeat rows as ``--repeat-failures 2`` will store them: all the same, except C/2 #0
    # (a timeout) passing on its second rerun.
    first, second = c.assign(row_kind=REPEAT + ":1"), c.assign(row_kind=REPEAT + ":2")
    second.loc[second["status"] == "timeout", "status"] = "passed"
    frame = pd.concat([results.assign(row_kind=SCORED), first, second], ignore_index=True)
    findings = check_flaky(frame)
    assert rules_of(findings) == {("flaky", "C")}
    evidence = findings.iloc[0]["evidence"]
    assert (evidence["repeated"], evidence["changed"]) == (len(c), 1)
    assert evidence["samples"][0]["scored"] == "timeout"
    assert evidence["samples"][0]["repeats"] == ["timeout", "passed"]


# -- environment -----------------------------------------------------------------------------
NAMESPACE_RUN = """
import sys
import pandas as pd
import workbench as wb
from workbench.evaluation.controls import ROW_KIND, control_samples
from workbench.inputs.tasks import load_tasks

tasks = load_tasks(sys.argv[1], languages=["C", "Python"])
controls = control_samples(tasks)
# Yesterday's verdicts: the same programs as ordinary samples, from the store's cache.
samples = controls.drop(columns=[ROW_KIND]).assign(model="test/cached")
wb.evaluate(samples, tasks, store=sys.argv[2], progress=False)
# The controls: judged again, never from the cache.
wb.evaluate(controls, tasks, store=sys.argv[3], progress=False, cache=False)
"""


def test_a_toolchain_broken_in_a_private_namespace_fails_its_controls_alone(tmp_path, mceval_dir):
    for language in ("C", "Python"):
        require_toolchain(language)
    problem = namespace_problem()
    if problem:
        pytest.skip(problem)
    cc1 = subprocess.run(
        ["gcc", "-print-prog-name=cc1"], capture_output=True, text=True, check=True
    ).stdout.strip()
    helper = broken_helper(tmp_path)
    yesterday, today = tmp_path / "yesterday.duckdb", tmp_path / "controls.duckdb"
    tasks = load_tasks(mceval_dir, languages=["C", "Python"])
    # Yesterday, with the toolchain whole: the controls' programs pass and are cached.
    samples = control_samples(tasks).drop(columns=[ROW_KIND]).assign(model="test/cached")
    assert run(samples, tasks, yesterday)["status"].eq("passed").all()
    # Today, cc1 cannot load its libraries; gcc still prints its version.
    probe = subprocess.run(
        broken(["gcc", "-dumpfullversion"], cc1, helper), capture_output=True, text=True
    )
    assert probe.returncode == 0 and probe.stdout.strip()
    argv = [sys.executable, "-c", NAMESPACE_RUN, str(mceval_dir), str(yesterday), str(today)]
    done = subprocess.run(
        broken(argv, cc1, helper),
        capture_output=True,
        text=True,
        cwd=PROJECT,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # The cache served yesterday's passes: why controls are never taken from it.
    cached = stored(yesterday)
    assert cached["status"].eq("passed").all() and cached["cached"].all()
    # The controls (labelled by this test until the runner stores their kind).
    controls = stored(today).assign(row_kind=CONTROL)
    findings = check_environment(controls)
    assert rules_of(findings) == {("environment", "C")}
    row = findings.iloc[0]
    assert (row["severity"], row["model"], row["task"]) == ("error", "", "generation")
    assert row["evidence"]["not_passed"] == row["evidence"]["controls"] == 2
    failing = row["evidence"]["failing"][0]
    assert failing["status"] == "compile_error" and "libisl.so.23" in failing["error_line"]
    assert has_errors(health(controls))
    # The host's gcc was never touched.
    assert (
        run(samples.assign(model="test/after"), tasks, tmp_path / "after.duckdb", cache=False)[
            "status"
        ]
        .eq("passed")
        .all()
    )


def test_samples_without_a_toolchain_are_an_environment_error(tmp_path, mceval_dir):
    language = get_language("Dart")
    if language.has_recipe:
        pytest.skip("Dart has a toolchain here (the Docker image): nothing is missing")
    tasks = load_tasks(mceval_dir, languages=["Dart"])
    samples = control_samples(tasks).drop(columns=[ROW_KIND]).assign(model="test/dart")
    results = run(samples, tasks, tmp_path / "s.duckdb")
    assert results["status"].eq("toolchain_missing").all()
    findings = health(results)
    assert rules_of(findings) == {("environment", "Dart")}
    assert findings.iloc[0]["evidence"]["statuses"] == {"toolchain_missing": 2}


# -- the findings ----------------------------------------------------------------------------
def test_findings_have_the_issue_fields_and_are_plain_json(healthy_store):
    results = stored(healthy_store)
    frame = results.assign(model=results["model"].replace(REAL_MODEL, "OCTOCODER"))
    findings = health(frame, thresholds=Thresholds(extraction_warning=0.05))
    assert list(findings.columns) == list(FINDING_COLUMNS)
    assert FINDING_COLUMNS == (
        "rule",
        "severity",
        "model",
        "language",
        "task",
        "message",
        "evidence",
    )
    assert FINDING_COLUMNS == tuple(Finding.__dataclass_fields__)
    assert set(findings["rule"]) <= set(RULES) and set(findings["severity"]) <= set(SEVERITIES)
    assert {"published", "extraction"} <= set(findings["rule"])
    records = findings_records(findings)
    assert json.loads(json.dumps(records)) == records
    assert all(set(r) == set(FINDING_COLUMNS) for r in records)
    assert all("\n" not in r["message"] for r in records)
    assert not has_errors(findings)


def test_a_frame_without_row_kinds_is_all_scored(healthy_store):
    results = stored(healthy_store)
    assert ROW_KIND not in results.columns
    assert rows_of_kind(results, SCORED) is results
    assert rows_of_kind(results, CONTROL).empty
    with pytest.raises(InputError, match="unknown health checks"):
        health(results, rules=["environment", "vibes"])
