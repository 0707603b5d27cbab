"""Work folders: a size-capped tmpfs per execution as root, unmounted afterwards, stale ones
swept, no infrastructure error when many come and go in parallel."""

from __future__ import annotations

import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import require_toolchain
from workbench.execution import workfolder
from workbench.execution.execute import execute
from workbench.execution.records import Program
from workbench.execution.sandbox import sandbox_info


def _mounts() -> set[str]:
    with open("/proc/self/mountinfo", encoding="utf-8") as handle:
        return {line.split()[4] for line in handle}


def _needs_memory() -> None:
    if not workfolder.in_memory():
        pytest.skip(f"work folders are {workfolder.describe()}")


def test_a_work_folder_is_a_capped_tmpfs_of_its_own_and_gone_afterwards() -> None:
    _needs_memory()
    with workfolder.work_folder() as first, workfolder.work_folder() as second:
        assert str(first) in _mounts() and str(second) in _mounts()
        assert oct(first.stat().st_mode & 0o777) == "0o711"
        stats = os.statvfs(first)
        assert stats.f_blocks * stats.f_frsize == workfolder.WORK_FOLDER_MB * 1024 * 1024
        (first / "a").write_bytes(b"x" * 1024)
        assert not (second / "a").exists()
    # Unmounted with everything in it; the empty mount point is kept for the next execution.
    assert str(first) not in _mounts() and str(second) not in _mounts()
    assert list(first.iterdir()) == []
    with workfolder.work_folder() as again:
        assert again in (first, second) and list(again.iterdir()) == []


def test_a_program_that_writes_without_end_fills_only_its_own_folder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    require_toolchain("Shell")
    _needs_memory()
    if sandbox_info().mode != "bwrap":
        pytest.skip("the sandbox's own /tmp needs bubblewrap")
    monkeypatch.setattr(workfolder, "WORK_FOLDER_MB", 32)
    # 8 MB files (under the file-size limit), far more of them than 32 MB hold.
    program = (
        "for i in $(seq 1 20); do head -c 8388608 /dev/zero > big$i || exit 7; done\n"
        "for i in $(seq 1 20); do head -c 8388608 /dev/zero > /tmp/big$i || exit 8; done\n"
    )
    result = execute(Program("Shell", program))
    assert result.status == "runtime_error" and result.exit_code == 7, result.stderr
    assert "No space left on device" in result.stderr
    program = "for i in $(seq 1 20); do head -c 8388608 /dev/zero > /tmp/big$i || exit 8; done\n"
    result = execute(Program("Shell", program))
    assert result.status == "runtime_error" and result.exit_code == 8, result.stderr


def test_folders_of_a_dead_runner_are_unmounted_by_the_next() -> None:
    _needs_memory()
    # A process that made a folder and died without unmounting it (SIGKILL).
    gone = subprocess.Popen(["true"])
    gone.wait()
    stale = Path(tempfile.mkdtemp(prefix=f"wb-{gone.pid}-", dir=workfolder._parent()))
    assert workfolder._mount(stale)
    (stale / "left").write_text("behind", encoding="utf-8")
    assert str(stale) in _mounts()
    workfolder._sweep_once.cache_clear()
    with workfolder.work_folder():
        pass
    assert str(stale) not in _mounts()


@pytest.mark.toolchains
def test_without_the_privilege_to_mount_folders_stay_on_disk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    require_toolchain("Go")
    monkeypatch.setattr(workfolder, "in_memory", lambda: False)
    with workfolder.work_folder() as folder:
        assert str(folder) not in _mounts()
        (folder / "sub").mkdir()
        (folder / "sub" / "file").write_text("x", encoding="utf-8")
    assert not folder.exists()
    # Go's template is hard-linked on the same disk, and the sample passes as in memory.
    result = execute(
        Program("Go", 'package main\nimport "testing"\nfunc TestOk(t *testing.T) {}\n')
    )
    assert result.status == "passed", result.stderr


def test_work_folders_coming_and_going_never_break_a_sandbox_starting_meanwhile() -> None:
    # Each sandbox copies the machine's mounts while the other threads' work folders are being
    # mounted and unmounted (a removed mount point used to fail one start in about a hundred).
    require_toolchain("Shell")
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda i: execute(Program("Shell", f"echo {i}\n")), range(240)))
    assert [r.status for r in results] == ["passed"] * 240, {
        r.reason for r in results if r.status != "passed"
    }
    assert [r.stdout.strip() for r in results] == [str(i) for i in range(240)]
