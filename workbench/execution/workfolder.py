"""Work folders: one per execution, in memory with a size cap of its own where the machine allows.

As root, each execution's folder is a fresh ``tmpfs`` of ``WORK_FOLDER_MB``: the compilers' many
small files (class files, Go's build cache, Cargo's ``target``) never reach the disk's journal,
whose commits make parallel runs wait (docs/benchmark.md), and a program that writes without
end fills its own folder, not the machine's disk or another sample's folder. Without the
privilege to mount (not root, some containers), the folder is a plain directory on disk.

A runner killed with SIGKILL cannot unmount its folders; the next process that makes one unmounts
the folders of processes that no longer exist.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

WORK_FOLDER_MB = 1024  # per execution; the sandbox's own /tmp gets the same cap
_MS_NOSUID, _MS_NODEV, _MNT_DETACH = 0x2, 0x4, 0x2
_NAME = re.compile(r"^wb-(\d+)-")
_disabled = os.environ.get("WORKBENCH_TMPFS", "1") == "0"


@cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def _mount(path: Path) -> bool:
    options = f"size={WORK_FOLDER_MB}m,mode=0711".encode()
    return _libc().mount(b"tmpfs", bytes(path), b"tmpfs", _MS_NOSUID | _MS_NODEV, options) == 0


def _unmount(path: Path) -> None:
    _libc().umount2(bytes(path), _MNT_DETACH)


@cache
def _parent() -> Path | None:
    """The folder that holds the mount points of work folders (as root only)."""
    if _disabled or os.geteuid() != 0:
        return None
    parent = Path(tempfile.gettempdir()) / "workbench-work"
    parent.mkdir(mode=0o711, exist_ok=True)
    return parent


@cache
def in_memory() -> bool:
    """Whether work folders are size-capped tmpfs mounts here (else plain folders on disk)."""
    parent = _parent()
    if parent is None:
        return False
    probe = _mount_point()
    if not _mount(probe):
        return False
    _unmount(probe)
    with _idle_lock:
        _idle.append(probe)  # kept, as every mount point (see _mount_point)
    return True


def describe() -> str:
    """One line for ``doctor``."""
    if in_memory():
        return f"in memory: a tmpfs of {WORK_FOLDER_MB} MB per execution under {_parent()}"
    why = "WORKBENCH_TMPFS=0" if _disabled else "mounting needs root and CAP_SYS_ADMIN"
    return f"on disk under {tempfile.gettempdir()} ({why})"


@cache
def _sweep_once() -> int:
    """Unmount the work folders of processes that died without unmounting them."""
    parent = _parent()
    if parent is None:
        return 0
    swept = 0
    for entry in os.scandir(parent):
        match = _NAME.match(entry.name)
        if match is None or Path(f"/proc/{match.group(1)}").exists():
            continue
        if os.path.ismount(entry.path):
            _unmount(Path(entry.path))  # the folder stays: see _mount_point
            swept += 1
    return swept


_idle: list[Path] = []  # this process's mount points, reused: never removed while it runs
_idle_lock = threading.Lock()


def _mount_point() -> Path:
    # Removing a folder that is a mount point detaches the mounts on it in every namespace, and
    # a sandbox that is setting itself up meanwhile (bubblewrap remounts its copy of the root
    # read-only, mount by mount) then fails. Unmounting alone touches only this namespace, so
    # mount points are kept and reused; a later process clears those of dead ones.
    with _idle_lock:
        if _idle:
            return _idle.pop()
    return Path(tempfile.mkdtemp(prefix=f"wb-{os.getpid()}-", dir=_parent()))


@contextmanager
def work_folder() -> Iterator[Path]:
    """A fresh, empty folder (mode 711) for one execution; gone with everything in it after."""
    mounted = False
    if in_memory():
        _sweep_once()
        path = _mount_point()
        mounted = _mount(path)
    else:
        path = Path(tempfile.mkdtemp(prefix=f"wb-{os.getpid()}-"))
    try:
        path.chmod(0o711)  # the sandbox uid must reach its work folder inside
        yield path
    finally:
        if mounted:
            # Detached, the tmpfs and its files are freed (a sandbox that started meanwhile
            # holds a copy of the mount until it exits).
            _unmount(path)
            with _idle_lock:
                _idle.append(path)
        else:
            # rm deletes outside the GIL that the other executions' threads need (a Go sample
            # leaves hundreds of files, too many to delete from Python while others wait).
            subprocess.run(["rm", "-rf", "--one-file-system", "--", str(path)], check=False)
            shutil.rmtree(path, ignore_errors=True)  # whatever rm could not
