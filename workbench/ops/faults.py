"""A toolchain broken on purpose, to see the health checks catch it (docs/health.md).

Two ways, both leaving the host's toolchain untouched:

- ``broken_toolchain(language)``, for a notebook or a script: within the block, the command a
  language's recipe starts with (C: ``gcc``) is shadowed on ``PATH`` by a program that fails like
  a half-removed package ("error while loading shared libraries") but answers the language's
  version probe with the real toolchain's version, so cache keys stay yesterday's and a cached
  verdict would still say ``passed``. It needs no privilege; it reaches the local backend only
  (the sandbox finds toolchains on this process's ``PATH``), not Docker or Dask workers.
- ``broken(argv, target, replacement)``, for tests: ``argv`` run in a private mount namespace in
  which the file ``target`` (a compiler, one of its helper programs) is replaced through a bind
  mount — a binary replaced for one process tree. It needs root or unprivileged user namespaces:
  ``namespace_problem()`` says why not (``workbench doctor`` reports it).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from workbench.errors import InputError
from workbench.paths import search_path, toolchains_dir
from workbench.registry.languages import get_language

# What a helper program of a toolchain whose shared library is gone prints: a half-upgraded or
# half-removed package.
BROKEN_MESSAGE = (
    "error while loading shared libraries: libisl.so.23: cannot open shared object file: "
    "No such file or directory"
)
BROKEN_HELPER = f'#!/bin/sh\necho "$(basename "$0"): {BROKEN_MESSAGE}" >&2\nexit 127\n'


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
        check=False,
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


def _shadow(command: str, real: str, version: list[str]) -> str:
    """A program named like ``command`` that runs ``real`` for the version probe only."""
    probe = " ".join(shlex.quote(a) for a in version[1:])
    return (
        "#!/bin/sh\n"
        f'if [ "$*" = {shlex.quote(probe)} ]; then exec {shlex.quote(real)} "$@"; fi\n'
        f'echo "{command}: {BROKEN_MESSAGE}" >&2\n'
        "exit 127\n"
    )


@contextmanager
def broken_toolchain(language: str) -> Iterator[Path]:
    """Within the block, ``language``'s toolchain is broken for this process's local runs: the
    first command of its recipe fails like a half-removed package, while its version probe
    still prints the real version (module docstring). Yields the folder put first on ``PATH``;
    everything is undone at the end. An InputError when the language has nothing to break
    here (no recipe, its toolchain not installed)."""
    lang = get_language(language)
    if not lang.steps:
        raise InputError(f"{lang.name} has no recipe here: there is no toolchain to break")
    command = lang.steps[0].command[0]
    real = shutil.which(command, path=search_path())
    if real is None:
        raise InputError(
            f"{lang.name}'s {command} is not installed here: there is nothing to break "
            f"(`workbench toolchains install --languages {lang.name}`)"
        )
    # Not under /tmp, which the sandbox replaces by its own: a folder it can see and read.
    folder = toolchains_dir() / "broken" / uuid.uuid4().hex[:12]
    folder.mkdir(parents=True, mode=0o755)
    for part in (folder.parent, folder):
        part.chmod(0o755)
    shadow = folder / command
    shadow.write_text(_shadow(command, real, list(lang.version or [])), encoding="utf-8")
    shadow.chmod(0o755)
    before = os.environ.get("PATH")
    os.environ["PATH"] = os.pathsep.join([str(folder), before or os.defpath])
    try:
        yield folder
    finally:
        if before is None:
            os.environ.pop("PATH", None)
        else:
            os.environ["PATH"] = before
        shutil.rmtree(folder, ignore_errors=True)
