"""Every notebook is a percent-format script (``notebooks/NN_name.py``), the only form git tracks;
jupytext makes its ``.ipynb`` (``make ipynb``, git-ignored), which pytest runs (nbmake) and
JupyterLab opens. Saving a notebook that was only run writes its script back byte for byte, so
running notebooks never dirties the checkout (the browser test does it in JupyterLab itself:
tests/test_notebooks_browser.py)."""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT

jupytext = pytest.importorskip("jupytext", reason="jupytext not installed (the dev extra)")
load_jupytext_config = pytest.importorskip("jupytext.config").load_jupytext_config

NOTEBOOK_DIR = PROJECT / "notebooks"
SCRIPTS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.py"))


def git(*args: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess:
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode and "not a git repository" in done.stderr:
        pytest.skip(f"{cwd} is not a git checkout")
    return done


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    """The notebooks folder of a copy of the project's Makefile, jupytext.toml and scripts,
    after ``make ipynb`` (with this interpreter's jupytext)."""
    if shutil.which("make") is None:
        pytest.skip("make not installed")
    root = tmp_path_factory.mktemp("made")
    (root / "notebooks").mkdir()
    shutil.copy(PROJECT / "Makefile", root)
    shutil.copy(NOTEBOOK_DIR / "jupytext.toml", root / "notebooks")
    for script in SCRIPTS:
        shutil.copy(script, root / "notebooks")
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        ["make", "-s", "-C", str(root), "ipynb", f"BIN={bin_dir}"], check=True, capture_output=True
    )
    return root / "notebooks"


def script_of(notebook: Path) -> str:
    """The script jupytext writes for ``notebook`` with the project's jupytext.toml, as
    JupyterLab's save writes the pair."""
    config = load_jupytext_config(str(notebook))
    return jupytext.writes(jupytext.read(notebook), fmt="py:percent", config=config)


def as_run_in_jupyterlab(notebook: Path) -> None:
    """What running and saving adds to a notebook file: outputs, execution counts, the kernel's
    own name and language info, widget state, the cell metadata JupyterLab records."""
    content = json.loads(notebook.read_text(encoding="utf-8"))
    content["metadata"]["kernelspec"]["display_name"] = "Python 3.11 (some env)"
    content["metadata"]["language_info"] = {"name": "python", "version": "3.11.2"}
    content["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    for number, cell in enumerate(c for c in content["cells"] if c["cell_type"] == "code"):
        cell["execution_count"] = number + 1
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["ran\n"]}]
        cell["metadata"].update(
            {"scrolled": True, "collapsed": False, "execution": {"iopub.status.idle": "now"}}
        )
    notebook.write_text(json.dumps(content, indent=1), encoding="utf-8")


def test_git_tracks_the_scripts_and_ignores_their_notebooks_and_a_users_outputs():
    assert SCRIPTS, "no notebooks/NN_name.py"
    tracked = git("ls-files", "notebooks").stdout.split()
    assert tracked and not [p for p in tracked if p.endswith(".ipynb")], tracked
    assert sorted(f"notebooks/{p.name}" for p in SCRIPTS) == sorted(
        p for p in tracked if p.endswith(".py")
    )
    for path in ("notebooks/00_quickstart.ipynb", "outputs/failure_analysis.duckdb"):
        assert git("check-ignore", "-q", path).returncode == 0, f"{path} is not git-ignored"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_running_and_saving_a_notebook_writes_its_script_back_unchanged(script, made, tmp_path):
    notebook = tmp_path / f"{script.stem}.ipynb"
    shutil.copy(made / notebook.name, notebook)
    shutil.copy(NOTEBOOK_DIR / "jupytext.toml", tmp_path)
    before = script.read_text(encoding="utf-8")
    assert (made / script.name).read_text(encoding="utf-8") == before  # make ipynb left it
    assert json.loads(notebook.read_text())["metadata"]["kernelspec"]["name"] == "python3"
    as_run_in_jupyterlab(notebook)
    after = script_of(notebook)
    diff = "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True), after.splitlines(keepends=True), "tracked", "saved"
        )
    )
    assert not diff, f"saving {notebook.name} would change {script.name}:\n{diff}"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_the_notebook_pytest_runs_says_what_its_script_says(script):
    """A stale .ipynb (its script changed since ``make ipynb``) would be run by nbmake in place
    of the script's notebook."""
    notebook = script.with_suffix(".ipynb")
    assert notebook.is_file(), f"{notebook.name} missing: run make ipynb"
    assert script_of(notebook) == script.read_text(encoding="utf-8"), (
        f"{notebook.name} is older than {script.name}: run make ipynb"
    )


def test_the_check_catches_a_notebook_edit_that_did_not_reach_its_script(made, tmp_path):
    notebook = tmp_path / f"{SCRIPTS[0].stem}.ipynb"
    shutil.copy(made / notebook.name, notebook)
    content = json.loads(notebook.read_text(encoding="utf-8"))
    cell = next(c for c in content["cells"] if c["cell_type"] == "code")
    cell["source"] = ["print('edited in the notebook only')"]
    notebook.write_text(json.dumps(content, indent=1), encoding="utf-8")
    assert "print('edited in the notebook only')" in script_of(notebook)


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
        f"notebooks/{p.stem}.ipynb" for p in SCRIPTS
    ]
