"""Faults planted for real: a toolchain broken for one process tree only.

``broken(argv, target, replacement)`` runs ``argv`` in a private mount namespace in which the file
``target`` (a compiler, an interpreter, one of their helper programs) is replaced by
``replacement`` through a bind mount; the host and every other process keep the real one. The
sandbox started inside sees the replaced file, as it would see a broken installation, while the
version probe may still print yesterday's version string.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

# A helper program of a toolchain whose shared library is gone: what a half-upgraded or
# half-removed package looks like.
BROKEN_HELPER = (
    "#!/bin/sh\n"
    'echo "$(basename "$0"): error while loading shared libraries: libisl.so.23: '
    'cannot open shared object file: No such file or directory" >&2\n'
    "exit 127\n"
)


def unshare_argv() -> list[str]:
    """``unshare`` for a private mount namespace: as root directly, else inside a user
    namespace that maps the caller to root."""
    user = [] if os.geteuid() == 0 else ["--map-root-user"]
    return ["unshare", *user, "--mount", "--propagation", "private", "--"]


def namespace_problem() -> str | None:
    """Why a private mount namespace with a bind mount cannot be made here, or None."""
    if shutil.which("unshare") is None:
        return "unshare (util-linux) not found"
    probe = subprocess.run(
        [*unshare_argv(), "sh", "-c", "mount --bind /bin/true /bin/false && /bin/false"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        return f"no private mount namespace with bind mounts: {probe.stderr.strip()[:200]}"
    return None


def broken(argv: list[str], target: str | Path, replacement: str | Path) -> list[str]:
    """``argv`` run with ``target`` replaced by ``replacement`` in a private mount namespace."""
    script = 'mount --bind "$1" "$2" && shift 2 && exec "$@"'
    return [*unshare_argv(), "sh", "-c", script, "sh", str(replacement), str(target), *argv]


def broken_helper(folder: Path) -> Path:
    """An executable ``BROKEN_HELPER`` in ``folder``."""
    path = folder / "broken-helper"
    path.write_text(BROKEN_HELPER, encoding="utf-8")
    path.chmod(0o755)
    return path
