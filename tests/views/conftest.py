"""A real results store for the views: the demo's 72 samples (six languages, two models) and the
real C outputs of the official McEval repository (generation, explanation stage 2, completion
light), evaluated once per session through the sandbox (the browser tests' Chromium and
JupyterLab are in ``tests/browser.py``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import DEMO, SKELETON_LANGUAGES, require_toolchain
from workbench.evaluation.runner import evaluate
from workbench.inputs.samples import load_samples
from workbench.inputs.tasks import load_tasks
from workbench.paths import shared_dir

REAL_MODEL = "mceval-example"  # the official repository's example outputs name no model
KINDS = (("generation", None), ("explanation", None), ("completion", "light"))


def real_outputs() -> Path:
    shared = shared_dir()
    folder = shared / "model-outputs" / "mceval-examples" if shared else None
    if folder is None or not (folder / "generation" / "C.jsonl").is_file():
        pytest.skip("real model outputs not found at ../shared/model-outputs/mceval-examples")
    return folder


@pytest.fixture(scope="session")
def real_store(tmp_path_factory, mceval_dir) -> Path:
    """The store; tests that change it work on a copy (``store``)."""

    for language in SKELETON_LANGUAGES:
        require_toolchain(language)
    outputs = real_outputs()
    path = tmp_path_factory.mktemp("views") / "real.duckdb"
    demo = load_samples(DEMO / "samples.jsonl")
    evaluate(demo, load_tasks(DEMO), store=path, progress=False, limits={"run_timeout": 5})
    for kind, subset in KINDS:
        samples = load_samples(outputs / kind / "C.jsonl", model=REAL_MODEL)
        tasks = load_tasks(mceval_dir, task=kind, subset=subset, languages=["C"])
        evaluate(samples, tasks, store=path, progress=False, limits={"run_timeout": 5})
    return path


@pytest.fixture
def store(real_store, tmp_path) -> Path:
    """A copy of the real store this test may change."""
    copy = tmp_path / "store.duckdb"
    shutil.copy(real_store, copy)
    return copy
