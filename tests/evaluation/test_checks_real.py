"""The instrumented second run on real and demo outputs (issue 26's acceptance): every
``wrong_answer`` sample of the real C outputs, and of every covered language of the demo, gets
at least one check and at least one failing one, and at least 80 % carry expected and actual
values. The sample's own verdict is the plain run's: ``run_checks`` only adds rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import require_toolchain
from workbench.analysis.miss import MISS_KINDS, miss_kinds
from workbench.evaluation.checks import SAMPLE_KEY, run_checks
from workbench.evaluation.runner import evaluate
from workbench.inputs.samples import load_samples, tasks_for_samples
from workbench.inputs.tasks import load_tasks
from workbench.paths import demo_data_dir, shared_dir
from workbench.registry.languages import get_language


def _wrong_answers(results: pd.DataFrame, samples: pd.DataFrame) -> pd.DataFrame:
    wrong = results[results["cause"] == "wrong_answer"][list(SAMPLE_KEY)]
    return samples.merge(wrong, on=list(SAMPLE_KEY))


def _assert_opened(wrong: pd.DataFrame) -> None:
    assert len(wrong), "no wrong answers to open"
    assert (wrong["checks_total"] >= 1).all(), wrong[["task_id", "checks_note"]].to_string()
    assert (wrong["checks_passed"] < wrong["checks_total"]).all()
    with_values = wrong["expected"].notna() & wrong["actual"].notna()
    assert with_values.mean() >= 0.8, wrong[["task_id", "expected", "actual"]].to_string()


def test_real_c_outputs(tmp_path):
    require_toolchain("C")
    shared = shared_dir()
    path = shared / "model-outputs/mceval-examples/generation/C.jsonl" if shared else None
    if path is None or not path.is_file():
        pytest.skip("real model outputs not found at ../shared/model-outputs/mceval-examples")
    samples = load_samples(path)
    tasks = tasks_for_samples(samples, shared / "mceval")
    results = evaluate(samples, tasks, store=tmp_path / "c.duckdb", progress=False)
    before = results[[*SAMPLE_KEY, "status"]].copy()
    opened, checks = run_checks(results, tasks, jobs=2)
    _assert_opened(_wrong_answers(results, opened))
    pd.testing.assert_frame_equal(results[[*SAMPLE_KEY, "status"]], before)
    kinds = miss_kinds(checks)
    assert set(kinds["miss"].dropna()) <= set(MISS_KINDS)
    assert kinds["miss"].notna().sum() >= len(_wrong_answers(results, opened))


def test_demo_outputs(tmp_path):
    demo = Path(demo_data_dir())
    samples = load_samples(demo / "samples.jsonl")
    samples = samples[samples["expected_status"].isin(["failed", "runtime_error"])]
    covered = [
        name
        for name in sorted({t.split("/")[0] for t in samples["task_id"]})
        if get_language(name).checks is not None
    ]
    for name in covered:
        require_toolchain(name)
    samples = samples[samples["task_id"].str.split("/").str[0].isin(covered)]
    tasks = load_tasks(demo, languages=covered)
    results = evaluate(samples, tasks, store=tmp_path / "demo.duckdb", progress=False)
    opened, _ = run_checks(results, tasks, jobs=2)
    wrong = _wrong_answers(results, opened)
    assert len(wrong["language"].unique()) >= 4, wrong["language"].value_counts()
    for _language, part in wrong.groupby("language"):
        _assert_opened(part)
