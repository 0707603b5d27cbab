"""Every notebook is stored without outputs and paired with a percent-format script that says the
same (``jupytext.toml``); ``make notebooks`` repairs a pair that drifted. pytest runs the notebooks
themselves (nbmake) and never their scripts."""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT

pytest.importorskip("jupytext", reason="jupytext not installed (the dev extra)")

NOTEBOOK_DIR = PROJECT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))


def pair_difference(notebook: Path, workdir: Path) -> str:
    """The diff between the script jupytext writes for ``notebook`` now and its committed pair
    (empty when they agree). jupytext reads the ``jupytext.toml`` above the notebook."""
    expected = workdir / notebook.with_suffix(".py").name
    subprocess.run(
        [sys.executable, "-m", "jupytext", "--quiet", "--to", "py:percent", "-o", str(expected)]
        + [str(notebook)],
        check=True,
        capture_output=True,
    )
    committed = notebook.with_suffix(".py")
    return "".join(
        difflib.unified_diff(
            committed.read_text(encoding="utf-8").splitlines(keepends=True),
            expected.read_text(encoding="utf-8").splitlines(keepends=True),
            f"{committed.name} (committed)",
            f"{committed.name} (from {notebook.name})",
        )
    )


def stored_outputs(notebook: Path) -> list[str]:
    """Cells of ``notebook`` stored with outputs or execution counts, and widget state."""
    content = json.loads(notebook.read_text(encoding="utf-8"))
    found = [
        f"cell {i} ({cell.get('id', '?')}): "
        + ("outputs" if cell.get("outputs") else f"execution_count {cell['execution_count']}")
        for i, cell in enumerate(content["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    if "widgets" in content.get("metadata", {}):
        found.append("notebook metadata: widget state")
    return found


def test_the_project_has_notebooks_and_every_script_has_its_notebook():
    assert NOTEBOOKS, "no notebooks/*.ipynb"
    orphans = [p.name for p in NOTEBOOK_DIR.glob("*.py") if not p.with_suffix(".ipynb").exists()]
    assert not orphans, f"scripts without a notebook: {orphans} (run make notebooks)"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_each_notebook_is_paired_with_an_identical_percent_script(notebook, tmp_path):
    assert notebook.with_suffix(".py").is_file(), f"{notebook.stem}.py missing: run make notebooks"
    diff = pair_difference(notebook, tmp_path)
    assert not diff, f"{notebook.name} and its .py differ (run make notebooks):\n{diff}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_each_notebook_is_stored_without_outputs(notebook):
    found = stored_outputs(notebook)
    assert not found, f"{notebook.name} is stored with outputs (run make notebooks): {found}"


def test_the_checks_catch_a_changed_cell_and_a_stored_output(tmp_path):
    notebook = NOTEBOOKS[0]
    copy = tmp_path / "nb" / notebook.name
    copy.parent.mkdir()
    shutil.copy(PROJECT / "jupytext.toml", copy.parent)
    shutil.copy(notebook.with_suffix(".py"), copy.with_suffix(".py"))
    content = json.loads(notebook.read_text(encoding="utf-8"))
    cell = next(c for c in content["cells"] if c["cell_type"] == "code")
    cell["source"] = ["print('edited in the notebook only')"]
    cell["execution_count"] = 1
    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["edited\n"]}]
    copy.write_text(json.dumps(content, indent=1), encoding="utf-8")
    diff = pair_difference(copy, tmp_path)
    assert "+print('edited in the notebook only')" in diff
    assert len(stored_outputs(copy)) == 1


def test_pytest_collects_the_notebooks_and_not_their_scripts():
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
        + ["notebooks"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    items = [line for line in proc.stdout.splitlines() if "::" in line]
    assert sorted({line.split("::")[0] for line in items}) == [
        f"notebooks/{p.name}" for p in NOTEBOOKS
    ]
