"""One spelling of a data path (issue 21): the McEval folder reached through a symbolic link or a
relative ``MCEVAL_DATA`` names its tasks' support folders by the resolved path, so the path a
worker mounts (``resolve_source``) and the path a task names are the same string, and a verdict
does not depend on the working directory. The Docker and Dask-in-containers parity tests run
with such a link too (tests/evaluation/test_docker_backend.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import require_toolchain
from workbench.evaluation.runner import evaluate
from workbench.evaluation.verify import canonical_samples
from workbench.execution.execute import execute
from workbench.execution.records import Program
from workbench.inputs.tasks import default_data_dir, load_tasks, resolve_source


@pytest.fixture
def linked(mceval_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``MCEVAL_DATA=data/mceval``, relative, where ``data/mceval`` is a link to the data."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "mceval").symlink_to(mceval_dir.resolve(), target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MCEVAL_DATA", "data/mceval")
    return mceval_dir.resolve()


def test_every_spelling_of_the_data_folder_is_the_resolved_one(linked: Path) -> None:
    assert default_data_dir() == resolve_source(None) == linked
    assert resolve_source("data/mceval") == linked
    tasks = load_tasks(None, languages=["HTML", "Rust", "Python"])
    supports = set(tasks["support_dir"].dropna())
    assert supports and all(Path(s).is_absolute() for s in supports)
    assert all(Path(s).is_relative_to(linked) for s in supports), supports


@pytest.mark.toolchains
def test_verdicts_do_not_depend_on_the_working_directory(
    linked: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_toolchain("HTML")
    tasks = load_tasks(None, languages=["HTML"]).head(2)  # judged against support-folder files
    samples = canonical_samples(tasks)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # where a Dask worker runs: not where the tasks were loaded
    results = evaluate(samples, tasks, jobs=1, progress=False, cache=False)
    assert list(results["status"]) == ["passed", "passed"], results["reason"].tolist()


def test_a_support_folder_missing_on_this_machine_is_the_machines_fault(tmp_path: Path) -> None:
    require_toolchain("Python")
    missing = tmp_path / "not-mounted" / "HTML"
    verdict = execute(Program("Python", "print('hi')\n", support_dir=missing))
    assert verdict.status == "infrastructure_error"  # never a wrong answer, never cached
    assert str(missing) in verdict.reason
