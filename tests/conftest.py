"""Shared fixtures: the real McEval data by path, toolchain checks that skip with a reason, and
the Docker engine with the runtime image of this checkout."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from workbench.evaluation.containers import DEFAULT_IMAGE
from workbench.evaluation.runner import evaluate
from workbench.execution.toolchain import missing_tools
from workbench.inputs.samples import load_samples
from workbench.inputs.tasks import default_data_dir, load_tasks
from workbench.paths import OUTPUTS_ENV, shared_dir
from workbench.registry.languages import get_language

PROJECT = Path(__file__).resolve().parents[1]
DEMO = PROJECT / "data" / "demo"
SKELETON_LANGUAGES = ["Python", "C", "CPP", "JavaScript", "Java", "Shell"]
DOCKER_IMAGE = os.environ.get("WORKBENCH_IMAGE") or DEFAULT_IMAGE

# `make check` (WORKBENCH_FAST_CHECK=1) runs the tests that need no Docker engine, no browser, no
# notebook run and no toolchain beyond the demo's languages: the others carry a marker
# (pyproject.toml). A test that reaches for one of those without its marker fails there, naming
# the marker, so the markers cannot drift from what the tests do.
FAST_CHECK = os.environ.get("WORKBENCH_FAST_CHECK") == "1"
FIXTURE_MARKERS = {"docker_daemon": "docker", "docker_engine": "docker"}


def needs(component: str, marker: str) -> None:
    """Fail under `make check` when a test reaches ``component`` (marked ``marker`` elsewhere)."""
    if FAST_CHECK:
        pytest.fail(
            f"needs {component}, which `make check` leaves out: mark it @pytest.mark.{marker}"
        )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Markers that follow from what a test uses: the Docker fixtures, nbmake's notebooks."""
    for item in items:
        for fixture, marker in FIXTURE_MARKERS.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(marker)
        if type(item).__name__ == "NotebookItem":
            item.add_marker("notebook")


def toolchains(*languages: str) -> list[pytest.MarkDecorator]:
    """The marks of a test (or a parameter) that runs ``languages``: ``toolchains`` when one is
    beyond the demo's six, which `make check` has."""
    beyond = [lang for lang in languages if get_language(lang).name not in SKELETON_LANGUAGES]
    return [pytest.mark.toolchains] if beyond else []


@pytest.fixture(scope="session")
def mceval_dir() -> Path:
    found = default_data_dir()
    if found is None or not (found / "generation").is_dir():
        pytest.skip("McEval data not found: set MCEVAL_DATA or place it at ../shared/mceval")
    return found


def require_toolchain(language: str) -> None:
    """Skip the calling test when ``language``'s tools are missing (doctor reports the same)."""
    lang = get_language(language)
    if lang.name not in SKELETON_LANGUAGES:
        needs(f"the {lang.name} toolchain", "toolchains")
    missing = missing_tools(lang)
    if missing:
        pytest.skip(
            f"{language} toolchain missing: {', '.join(missing)} "
            f"(Debian: {' '.join(lang.debian_packages)})"
        )


@pytest.fixture(scope="session")
def docker_daemon() -> Iterator[Any]:
    """A client of the Docker engine, whatever images it holds. No engine at all skips (the only
    reason the Docker tests may; `workbench doctor` says the same)."""
    from workbench.evaluation.containers import DockerUnavailable, docker_client

    needs("a Docker engine", "docker")
    try:
        engine = docker_client()
    except DockerUnavailable as exc:
        pytest.skip(f"no Docker engine can be used here: {exc}")
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def docker_engine(docker_daemon: Any) -> Any:
    """The Docker engine, with ``DOCKER_IMAGE`` built from this checkout's code. No engine at all
    skips; a missing or outdated image fails."""
    import docker.errors

    from workbench.evaluation.containers import image_record
    from workbench.ops.image import package_digest

    engine = docker_daemon
    try:
        engine.images.get(DOCKER_IMAGE)
    except docker.errors.ImageNotFound:
        pytest.fail(f"image {DOCKER_IMAGE} not found: build it with `make image`")
    built_from = image_record(DOCKER_IMAGE, engine).get("package")
    if built_from != package_digest(PROJECT / "workbench"):
        pytest.fail(
            f"image {DOCKER_IMAGE} was built from other code than this checkout: `make image`"
        )
    return engine


def pytest_configure(config: pytest.Config) -> None:
    """The notebooks keep their stores in the user's ``outputs/`` folder (workbench.paths):
    under pytest (nbmake, the browser tests' kernels inherit this) they go to a fresh temporary
    folder instead, so a run neither reuses a user's verdicts nor leaves its own behind."""
    if OUTPUTS_ENV not in os.environ:
        folder = tempfile.mkdtemp(prefix="workbench-outputs-")
        os.environ[OUTPUTS_ENV] = folder
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


# -- the real store: the demo and the real C outputs -------------------------------------------
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
    """A real results store, evaluated once per session through the sandbox: the demo's 72
    samples (six languages, two models) and the real C outputs of the official McEval repository
    (generation, explanation stage 2, completion light). Shared by every test that reads such a
    store; a test that changes it works on a copy (tests/views/conftest.py: ``store``)."""

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


# -- the real store, its failing samples' checks opened (issue 26) ------------------------------
DEMO_MODELS = ("demo/careful-coder", "demo/hasty-coder")


@pytest.fixture(scope="session")
def checked_store(real_store, tmp_path_factory) -> Path:
    """A copy of the real store after ``workbench checks``: every failing sample of the real C
    outputs (tasks from the McEval data) and of the demo (its own tasks) run again with every
    check of its test judged, once per session. A test that changes it works on a copy."""
    from workbench.cli.main import main

    path = tmp_path_factory.mktemp("checks") / "checked.duckdb"
    shutil.copy(real_store, path)
    common = ["checks", "--store", str(path), "--quiet", "--run-timeout", "5"]
    assert main([*common, "--model", REAL_MODEL]) == 0
    assert main([*common, "--data", str(DEMO), "--model", *DEMO_MODELS]) == 0
    return path
