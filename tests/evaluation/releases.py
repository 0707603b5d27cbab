"""Earlier releases of the results store, loaded from the repository's history, to make stores
as those releases wrote them (tests of the migration on opening)."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
STORE = "workbench/evaluation/store.py"
# The last release before each change of the table.
BEFORE_CAUSES = "65e339ada54c1286a15446a259eb024a19fbea2b"
BEFORE_ROW_KIND = "6f0a130d92beca94bae59e507a4a658d81da6f49"


def release_store(commit: str) -> ModuleType:
    """``workbench/evaluation/store.py`` as it was at ``commit``, imported as a module of its
    own (its imports resolve against today's package); skips when git or the commit is not
    there (an installed package without its history)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed: earlier releases of the store are read with it")
    shown = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{commit}:{STORE}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if shown.returncode != 0:
        pytest.skip(f"commit {commit} is not in this checkout's git history: {shown.stderr}")
    name = f"release_store_{commit[:12]}"
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and annotations look their module up
    exec(compile(shown.stdout, f"{commit[:12]}:{STORE}", "exec"), module.__dict__)
    return module
