"""Every McEval generation canonical solution passes, for the walking skeleton's languages."""

from __future__ import annotations

import pytest

from tests.conftest import SKELETON_LANGUAGES, require_toolchain
from workbench.evaluation.runner import evaluate
from workbench.inputs.tasks import load_tasks


@pytest.mark.slow
@pytest.mark.parametrize("language", SKELETON_LANGUAGES)
def test_all_canonical_solutions_pass(mceval_dir, language):
    require_toolchain(language)
    tasks = load_tasks(mceval_dir, languages=[language])
    # The canonical answer as a model would give it: the body after the prompt, in a fence.
    samples = tasks[["task_id"]].assign(
        model="canonical",
        sample_index=0,
        completion=None,
        raw_generation=[
            f"```\n{p}\n{c}\n```"
            for p, c in zip(tasks["prompt"], tasks["canonical_solution"], strict=True)
        ],
        source_file="canonical",
        source_line=range(1, len(tasks) + 1),
    )
    results = evaluate(samples, tasks, progress=False)
    failing = results[results["status"] != "passed"]
    assert failing.empty, failing[["task_id", "status", "reason", "stderr"]].to_string()
    assert len(results) == len(tasks) >= 50
