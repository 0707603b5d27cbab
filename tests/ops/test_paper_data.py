"""Rebuilding data/paper from ../shared: the shipped CSVs come back byte for byte, and a shared
folder that is absent or incomplete is a clear InputError before anything is written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.errors import InputError
from workbench.ops import paper_data
from workbench.paths import PACKAGE_DIR as PACKAGE
from workbench.paths import bundled_paper_dir, shared_dir

SHARED = shared_dir()
needs_shared = pytest.mark.skipif(
    SHARED is None or not (SHARED / "paper" / "leaderboard").is_dir(),
    reason="../shared with paper/ and mceval/ not found",
)


@needs_shared
def test_the_command_rebuilds_the_shipped_csvs(tmp_path: Path) -> None:
    # No --shared: the folder ../shared that paths.shared_dir finds, as before.
    paper_data.main(["--out", str(tmp_path)])
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(
        ["leaderboard.csv", "leaderboard_avg.csv", "task_counts.csv", *paper_data.COPIED_FILES]
    )
    for name in written:
        assert (tmp_path / name).read_bytes() == (bundled_paper_dir() / name).read_bytes(), name


def test_a_shared_folder_that_is_not_there_is_named(tmp_path: Path) -> None:
    absent = tmp_path / "no-such-folder"
    with pytest.raises(InputError, match="no-such-folder") as error:
        paper_data.build(absent, tmp_path / "out")
    assert "--shared" in str(error.value)
    assert not (tmp_path / "out").exists()


@needs_shared
def test_an_incomplete_shared_folder_names_the_missing_file(tmp_path: Path) -> None:
    assert SHARED is not None
    partial = tmp_path / "shared"
    shutil.copytree(SHARED / "paper", partial / "paper")
    (partial / "mceval").mkdir()
    (partial / "paper" / "languages.csv").unlink()
    out = tmp_path / "out"
    with pytest.raises(InputError) as error:
        paper_data.build(partial, out)
    assert error.value.file == str(partial / "paper" / "languages.csv")
    # McEval's files are checked before anything is written, too.
    shutil.copyfile(SHARED / "paper" / "languages.csv", partial / "paper" / "languages.csv")
    with pytest.raises(InputError, match="missing McEval file"):
        paper_data.build(partial, out)
    assert not out.exists()


def test_without_a_shared_folder_the_command_says_so(tmp_path: Path) -> None:
    # A checkout with no ../shared beside it (nor beside the working directory): a copy of the
    # package in a folder of its own, run as a user would run it.
    checkout = tmp_path / "checkout"
    shutil.copytree(PACKAGE, checkout / "workbench", ignore=shutil.ignore_patterns("__pycache__"))
    (checkout / "pyproject.toml").touch()
    (checkout / "data").mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "workbench.ops.paper_data", "--out", str(tmp_path / "out")],
        cwd=checkout,
        env={**os.environ, "PYTHONPATH": str(checkout)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2, run.stderr
    assert "no shared folder" in run.stderr and "--shared DIR" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()
