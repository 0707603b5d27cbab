"""``workbench.paths.shared_path``: what the notebooks open first, and the error a reader without
the shared folder gets instead of a ``TypeError``."""

from __future__ import annotations

import pytest

from workbench import paths
from workbench.errors import InputError


def test_a_shared_file_is_found_next_to_the_checkout(tmp_path, monkeypatch):
    (tmp_path / "shared" / "mceval").mkdir(parents=True)
    monkeypatch.setattr(paths, "shared_dir", lambda: tmp_path / "shared")
    assert paths.shared_path("mceval") == tmp_path / "shared" / "mceval"


@pytest.mark.parametrize("shared", ["present", "absent"])
def test_what_is_missing_is_named_with_the_ways_to_provide_it(tmp_path, monkeypatch, shared):
    (tmp_path / "shared").mkdir()
    found = tmp_path / "shared" if shared == "present" else None
    monkeypatch.setattr(paths, "shared_dir", lambda: found)
    monkeypatch.chdir(tmp_path / "shared")  # so no ../shared is found beside the working folder
    with pytest.raises(InputError) as info:
        paths.shared_path("model-outputs", "mceval-examples")
    message = str(info.value)
    assert "model-outputs/mceval-examples not found" in message
    assert "MCEVAL_DATA" in message and "shared folder" in message


def test_a_users_outputs_go_to_the_git_ignored_outputs_folder_unless_told(tmp_path, monkeypatch):
    import subprocess

    from tests.conftest import PROJECT

    monkeypatch.delenv(paths.OUTPUTS_ENV, raising=False)
    assert paths.outputs_dir() == PROJECT / "outputs"
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "outputs/notes.duckdb"], cwd=PROJECT, check=False
    )
    if (PROJECT / ".git").exists():
        assert ignored.returncode == 0, "outputs/ is not git-ignored"
    monkeypatch.setenv(paths.OUTPUTS_ENV, str(tmp_path))
    assert paths.outputs_dir() == tmp_path
