"""The instrumented second run through its real entry points, on real and demo outputs (issue
26's acceptance): ``workbench checks`` on the session's real store (``checked_store``: the real C
outputs and the demo) opens every ``wrong_answer`` sample — at least one check, at least one
failing, and at least 80 % with expected and actual values — for the C outputs and every covered
language of the demo; the scored verdicts do not change; the rows of kind ``checks`` and the
child table agree; a second run is served from the cache; ``refresh_causes`` and a plain
``evaluate`` keep what the checks said; and ``workbench evaluate --checks`` gives every sample
the status it has without ``--checks``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from tests.conftest import DEMO, DEMO_MODELS, REAL_MODEL
from workbench.cli.main import main
from workbench.evaluation.checks import OPENED
from workbench.evaluation.runner import evaluate
from workbench.evaluation.store import CHECK_KEY, Store
from workbench.execution.miss import MISS_KINDS
from workbench.execution.records import (
    CAUSE_COLUMNS,
    CHECKS_COLUMNS,
    ROW_KEY,
    SAMPLE_KEY,
    columns_of,
)
from workbench.inputs.samples import load_samples
from workbench.inputs.tasks import load_tasks
from workbench.registry.languages import get_language

KEY = list(SAMPLE_KEY)
# What the plain run decided: never changed by the checks run.
VERDICT = [*columns_of("sample"), *columns_of("verdict")]
EXPLAINED = [*CHECKS_COLUMNS, "failing_check", "expected", "actual"]


def _scored(path: Path) -> pd.DataFrame:
    with Store(path) as db:
        return db.results().sort_values(KEY).reset_index(drop=True)


def _assert_opened(wrong: pd.DataFrame) -> None:
    assert len(wrong), "no wrong answers to open"
    shown = wrong[["task_id", "checks_passed", "checks_total", "checks_note"]].to_string()
    assert (wrong["checks_total"] >= 1).all(), shown
    assert (wrong["checks_passed"] < wrong["checks_total"]).all(), shown
    with_values = wrong["expected"].notna() & wrong["actual"].notna()
    assert with_values.mean() >= 0.8, wrong[["task_id", "expected", "actual"]].to_string()
    assert wrong["miss"].isin(MISS_KINDS).all(), wrong["miss"].value_counts(dropna=False)


def test_every_wrong_answer_of_the_real_c_outputs_is_opened(checked_store):
    scored = _scored(checked_store)
    real = scored[scored["model"] == REAL_MODEL]
    _assert_opened(real[real["cause"] == "wrong_answer"])
    assert real["task"].nunique() == 3  # generation, explanation, completion


def test_every_wrong_answer_of_the_demo_is_opened_in_every_covered_language(checked_store):
    scored = _scored(checked_store)
    demo = scored[scored["model"].isin(DEMO_MODELS)]
    wrong = demo[demo["cause"] == "wrong_answer"]
    covered = wrong["language"].map(lambda name: get_language(name).checks is not None)
    assert set(wrong.loc[covered, "language"]) == {"Python", "C", "CPP", "JavaScript", "Java"}
    for _language, part in wrong[covered].groupby("language"):
        _assert_opened(part)
    # Shell has no technique: its samples keep their first failing check, and say so.
    shell = demo[(demo["language"] == "Shell") & demo["status"].isin(OPENED)]
    assert len(shell) and (shell["checks_total"] == 0).all()
    assert shell["checks_note"].str.contains("no check technique").all()
    assert shell["failing_check"].notna().any()


def test_no_verdict_changes(real_store, checked_store):
    before, after = _scored(real_store), _scored(checked_store)
    pd.testing.assert_frame_equal(before[VERDICT], after[VERDICT])
    kept = [c for c in CAUSE_COLUMNS if c not in EXPLAINED]
    pd.testing.assert_frame_equal(before[kept], after[kept])
    # Only failing samples are explained.
    explained = after["checks_total"].notna()
    assert explained.any() and after.loc[explained, "status"].isin(OPENED).all()


def test_rows_of_kind_checks_and_the_child_table_agree(checked_store):
    with Store(checked_store) as db:
        scored, rows, checks = db.results(), db.results(kinds="checks"), db.checks()
    opened = scored[scored["status"].isin(OPENED)]
    assert sorted(map(tuple, rows[KEY].to_numpy())) == sorted(map(tuple, opened[KEY].to_numpy()))
    assert not checks.duplicated(list(CHECK_KEY)).any()
    per_sample = checks.groupby(list(ROW_KEY))
    counted = pd.DataFrame(
        {"total": per_sample.size(), "passed": per_sample["passed"].sum()}
    ).reset_index()
    merged = rows.merge(counted, on=list(ROW_KEY), how="left").fillna({"total": 0, "passed": 0})
    assert (merged["checks_total"] == merged["total"]).all()
    assert (merged["checks_passed"] == merged["passed"]).all()
    assert (per_sample["check_index"].agg(lambda s: list(s) == list(range(len(s))))).all()
    # An instrumented run is a program of its own, with its own cache key.
    ran = rows[rows["checks_total"] > 0].merge(scored, on=KEY, suffixes=("", "_scored"))
    assert (ran["program_hash"] != ran["program_hash_scored"]).all()
    assert (ran["cache_key"] != ran["cache_key_scored"]).all()
    assert ran["program"].str.contains("wbc").all()  # the checks' report tag


def test_a_second_run_is_served_from_the_cache(checked_store, tmp_path):
    path = tmp_path / "again.duckdb"
    shutil.copy(checked_store, path)
    with Store(path) as db:
        first = db.checks()
    code = main(
        ["checks", "--store", str(path), "--model", REAL_MODEL, "--quiet", "--run-timeout", "5"]
    )
    assert code == 0
    with Store(path) as db:
        rows = db.results(models=[REAL_MODEL], kinds="checks")
        again = db.checks()
    ran = rows[rows["checks_total"] > 0]
    assert len(ran) and ran["cached"].all()
    pd.testing.assert_frame_equal(first, again)


def test_refresh_and_a_plain_evaluate_keep_what_the_checks_said(checked_store, tmp_path):
    path = tmp_path / "kept.duckdb"
    shutil.copy(checked_store, path)
    before = _scored(path)
    with Store(path) as db:
        assert db.refresh_causes() > 0
    pd.testing.assert_frame_equal(before[[*KEY, *EXPLAINED]], _scored(path)[[*KEY, *EXPLAINED]])
    # The plain run rewrites the demo's scored rows (from the cache); their checks stay.
    samples = load_samples(DEMO / "samples.jsonl")
    evaluate(samples, load_tasks(DEMO), store=path, progress=False, limits={"run_timeout": 5})
    after = _scored(path)
    pd.testing.assert_frame_equal(before[[*KEY, *EXPLAINED]], after[[*KEY, *EXPLAINED]])
    with_values = after["checks_total"].gt(0) & after["expected"].notna()
    assert with_values.sum() >= 20


def test_evaluate_with_checks_gives_every_sample_the_same_status(real_store, tmp_path, capsys):
    """A fresh store, nothing cached: ``--checks`` runs the plain run first, then the failing
    samples again; every status, and the verdict of every passing sample, is the one the run
    without ``--checks`` (the session's real store) gave."""
    path, languages = tmp_path / "fresh.duckdb", ("Python", "C")
    args = ["evaluate", "--samples", str(DEMO / "samples.jsonl"), "--data", str(DEMO)]
    args += ["--languages", *languages, "--store", str(path), "--run-timeout", "5", "--quiet"]
    assert main([*args, "--checks"]) == 0
    assert "checks passed" in capsys.readouterr().out
    plain = _scored(real_store)
    demo = plain["language"].isin(languages) & plain["model"].isin(DEMO_MODELS)
    plain = plain[demo].reset_index(drop=True)
    checked = _scored(path)
    assert checked[KEY].equals(plain[KEY])
    assert checked["status"].tolist() == plain["status"].tolist()
    passing = plain["status"] == "passed"
    same = ["status", "reason", "exit_code", "signal", "stdout", "program_hash"]
    pd.testing.assert_frame_equal(checked.loc[passing, same], plain.loc[passing, same])
    with Store(path) as db:
        rows = db.results(kinds="checks")
    assert len(rows) == plain["status"].isin(OPENED).sum()
    _assert_opened(checked[checked["cause"] == "wrong_answer"])
