"""Controls: which canonical solutions a run judges beside its samples, and that they pass."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import require_toolchain
from workbench.errors import InputError
from workbench.evaluation.controls import (
    CONTROL,
    CONTROLS_PER_KIND,
    ROW_KIND,
    control_samples,
    control_tasks,
    run_kinds,
)
from workbench.evaluation.runner import evaluate
from workbench.evaluation.verify import CANONICAL_MODEL, known_failure
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
    assert chosen["task_id"].tolist() == ["C/7", "C/1"]
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
