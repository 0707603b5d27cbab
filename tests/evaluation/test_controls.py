"""Controls: which canonical solutions a run judges beside its samples, that they pass, that
``evaluate`` judges them with every stored run — always executed, never from the cache — and
that they never change a model's numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import DEMO, require_toolchain
from workbench.analysis.compare_models import compare_models
from workbench.analysis.passk import pass_at_k_table
from workbench.errors import InputError
from workbench.evaluation.canonical import CANONICAL_MODEL, known_failure
from workbench.evaluation.controls import control_samples, control_tasks, run_controls, run_kinds
from workbench.evaluation.runner import evaluate
from workbench.evaluation.store import Store
from workbench.execution.records import CONTROL, CONTROLS_PER_KIND, ROW_KIND, SCORED
from workbench.inputs.samples import load_samples
from workbench.inputs.tasks import load_tasks
from workbench.paths import shared_dir
from workbench.registry.limits import canonical_times


def test_controls_are_known_to_pass_and_cost_under_five_percent(mceval_dir):
    for task in ("generation", "completion"):
        tasks = load_tasks(mceval_dir, task=task)
        chosen = control_tasks(tasks)
        per_kind = chosen.groupby(["language", "task", "subset"], dropna=False).size()
        kinds = tasks.groupby(["language", "task", "subset"], dropna=False).size()
        assert (per_kind == CONTROLS_PER_KIND).all() and per_kind.index.equals(kinds.index)
        # The cost the default is chosen for: at most 5% of a run with one sample per task.
        assert len(chosen) / len(tasks) < 0.05, (task, len(chosen), len(tasks))
        assert not chosen["task_id"].map(known_failure).notna().any()
        # Verified wherever verify recorded the language (the Docker-only ones it could not).
        recorded = {t.split("/", 1)[0] for t in canonical_times()}
        local = chosen["task_id"].str.split("/").str[0].isin(recorded)
        assert chosen.loc[local, "verified"].all() and not chosen.loc[~local, "verified"].any()


def test_known_failures_are_never_controls_even_when_they_are_the_fastest(mceval_dir):
    tasks = load_tasks(mceval_dir, languages=["Lua", "AWK"])
    # Lua/1's test is never called and AWK/25's expected output is empty: fast, and useless.
    times = {**canonical_times(), "Lua/1": 0.001, "AWK/25": 0.001, "AWK/33": 0.001}
    chosen = control_tasks(tasks, times=times, n=3)
    assert {"Lua/1", "AWK/25", "AWK/33", "AWK/47"}.isdisjoint(chosen["task_id"])
    # Otherwise the fastest recorded runs come first, in the same order on every call.
    lua = chosen[chosen["language"] == "Lua"]
    assert lua["canonical_seconds"].is_monotonic_increasing
    assert control_tasks(tasks, times=times, n=3)["task_id"].tolist() == chosen["task_id"].tolist()


def test_unverified_tasks_fill_a_kind_only_when_verified_ones_run_out(mceval_dir):
    tasks = load_tasks(mceval_dir, languages=["C"])
    chosen = control_tasks(tasks, n=2, times={"C/7": 0.5})
    # Then the first task in order that is not a known failure (C/1 is a dataset defect).
    assert known_failure("C/1") is not None
    assert chosen["task_id"].tolist() == ["C/7", "C/2"]
    assert chosen["verified"].tolist() == [True, False]


def test_no_controls_and_a_negative_number(mceval_dir):
    tasks = load_tasks(mceval_dir, languages=["C"])
    assert control_tasks(tasks, n=0).empty
    assert control_samples(tasks, n=0).empty
    with pytest.raises(InputError, match="0 or more"):
        control_tasks(tasks, n=-1)


def _real_completion_samples() -> pd.DataFrame:
    shared = shared_dir()
    path = (
        shared / "model-outputs" / "mceval-examples" / "completion" / "C.jsonl" if shared else None
    )
    if path is None or not path.is_file():
        pytest.skip("real model outputs not found at ../shared/model-outputs/mceval-examples")
    return load_samples(path)


def test_controls_follow_the_kinds_a_run_holds_and_pass_in_the_sandbox(mceval_dir):
    for language in ("C", "Python"):
        require_toolchain(language)
    completion = _real_completion_samples()  # C, completion light
    tasks = pd.concat(
        [
            load_tasks(mceval_dir, task="completion", languages=["C", "Python"]),
            load_tasks(mceval_dir, task="generation", languages=["Python"]),
        ],
        ignore_index=True,
    )
    python = tasks[tasks["task"].eq("generation")].head(3)
    samples = pd.concat(
        [
            completion,
            pd.DataFrame(
                {
                    "task": "generation",
                    "task_id": python["task_id"],
                    "model": "m",
                    "sample_index": 0,
                    "completion": "pass",
                }
            ),
        ],
        ignore_index=True,
    )
    kinds = run_kinds(samples)
    assert kinds.to_dict("records") == [
        {"language": "C", "task": "completion", "subset": "light"},
        {"language": "Python", "task": "generation", "subset": None},
    ]
    controls = control_samples(tasks, samples)
    assert controls["task_id"].str.endswith("-light-span").sum() == CONTROLS_PER_KIND
    assert controls["task_id"].str.startswith("Python/").sum() == CONTROLS_PER_KIND
    assert (controls["model"] == CANONICAL_MODEL).all() and (controls[ROW_KIND] == CONTROL).all()
    results = evaluate(controls, tasks, progress=False, cache=False)
    assert results["status"].eq("passed").all(), results[["task_id", "status", "reason"]]


# -- controls in every run -------------------------------------------------------------------
def _demo_c_and_python() -> tuple[pd.DataFrame, pd.DataFrame]:
    for language in ("C", "Python"):
        require_toolchain(language)
    samples = load_samples(DEMO / "samples.jsonl")
    samples = samples[samples["task_id"].str.startswith(("C/", "Python/"))]
    return samples.reset_index(drop=True), load_tasks(DEMO, languages=["C", "Python"])


LIMITS = {"run_timeout": 1.0}  # the demo's endless loops time out sooner


def test_controls_never_change_a_models_numbers(tmp_path):
    samples, tasks = _demo_c_and_python()
    plain, checked = tmp_path / "plain.duckdb", tmp_path / "checked.duckdb"
    without = evaluate(samples, tasks, store=plain, progress=False, limits=LIMITS, controls=0)
    returned = evaluate(samples, tasks, store=checked, progress=False, limits=LIMITS)
    # Returned only when asked: the same rows, in the samples' order, with or without them.
    assert len(returned) == len(without) == len(samples)
    assert (returned[ROW_KIND] == SCORED).all()
    pd.testing.assert_frame_equal(
        returned[["task_id", "model", "sample_index", "status"]],
        without[["task_id", "model", "sample_index", "status"]],
    )
    with Store(plain) as a, Store(checked) as b:
        assert a.count(kinds=CONTROL) == 0
        controls = b.results(kinds=CONTROL)
        scored_a, scored_b, everything = a.results(), b.results(), b.results(kinds=None)
    # Two canonical solutions per language and task kind, stored as their own kind, passing.
    assert len(controls) == 2 * CONTROLS_PER_KIND
    assert (controls["model"] == CANONICAL_MODEL).all()
    assert controls["status"].eq("passed").all() and not controls["cached"].any()
    assert sorted(controls["language"].unique()) == ["C", "Python"]
    # Every table reads the scored rows: the same with the controls in the frame or not.
    table = pass_at_k_table(scored_a, k=1, by="language")
    pd.testing.assert_frame_equal(pass_at_k_table(scored_b, k=1, by="language"), table)
    pd.testing.assert_frame_equal(pass_at_k_table(everything, k=1, by="language"), table)
    models = sorted(samples["model"].unique())
    pd.testing.assert_frame_equal(
        compare_models(everything, models).table, compare_models(scored_a, models).table
    )
    assert CANONICAL_MODEL not in set(table["model"])


def test_controls_are_always_executed_never_served_from_the_cache(tmp_path):
    samples, tasks = _demo_c_and_python()
    store = tmp_path / "s.duckdb"
    first = evaluate(samples, tasks, store=store, progress=False, limits=LIMITS, with_controls=True)
    again = evaluate(samples, tasks, store=store, progress=False, limits=LIMITS, with_controls=True)
    # Asked for, the controls come after the samples' rows.
    assert list(again[ROW_KIND]) == [SCORED] * len(samples) + [CONTROL] * 2 * CONTROLS_PER_KIND
    scored, controls = again[again[ROW_KIND] == SCORED], again[again[ROW_KIND] == CONTROL]
    assert scored["cached"].all()  # the samples' verdicts came from the store ...
    assert not controls["cached"].any()  # ... the controls' were judged again
    # Even though the store holds the very same work (same cache keys).
    assert set(controls["cache_key"]) == set(first.loc[first[ROW_KIND] == CONTROL, "cache_key"])
    with Store(store) as db:
        assert db.count(kinds=CONTROL) == 2 * CONTROLS_PER_KIND  # replaced, not added


def test_runs_without_what_a_control_needs_get_none(mceval_dir):
    tasks = load_tasks(mceval_dir, languages=["C"])
    samples = control_samples(tasks).drop(columns=[ROW_KIND]).assign(model="m")
    assert len(run_controls(samples, tasks, 2)) == 2  # the one kind the samples hold
    # A task table built by hand, without canonical solutions: no controls, no error.
    assert run_controls(samples, tasks.drop(columns=["canonical_solution"]), 2).empty
    # Samples that are controls already, or none asked for.
    assert run_controls(control_samples(tasks), tasks, 2).empty
    assert run_controls(samples, tasks, 0).empty
    with pytest.raises(InputError, match="0 or more"):
        run_controls(samples, tasks, -1)
