"""The registry's files as a sandbox sees them: a language's folder (``[files]``) and the
fixtures (``binds``), mounted read-only, copied into work folders, and hashed into cache keys.

A bind's source must be reachable by the sandbox's throw-away uid, which a package installed in a
closed folder (a root-owned virtualenv under /root) is not. So each folder is staged once as a
world-readable copy next to the toolchains, named by its content: a changed file gets a new
folder, and a running evaluation keeps the one it started with.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
from dataclasses import asdict
from functools import cache
from pathlib import Path

from workbench.paths import package_file, toolchains_dir
from workbench.registry.languages import RECIPE_MOUNT, Language

FIXTURES = "fixtures"  # registry/fixtures/: files shown at fixed paths (``binds``)


def _files_of(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


@cache
def folder_digest(folder: Path) -> str:
    """Hash of every file of ``folder``: relative path and bytes."""
    digest = hashlib.sha256()
    for path in _files_of(folder):
        name = path.relative_to(folder).as_posix().encode()
        data = path.read_bytes()
        digest.update(b"%d:%s%d:" % (len(name), name, len(data)) + data)
    return digest.hexdigest()[:16]


def language_folder(language: Language) -> Path | None:
    """The language's folder under ``workbench/registry/`` (``MissingDataFile`` when a broken
    install lacks it), or None when its recipe needs no files."""
    return package_file("registry", language.files.folder) if language.files else None


def files_digest(language: Language) -> str:
    """Hash of the bytes of every registry file the language's recipe uses (its folder and its
    fixtures) and of how they are used: part of the cache key and the prebuilt template key."""
    folder = language_folder(language)
    fixtures = {
        target: package_file("registry", FIXTURES, name)
        for target, name in sorted(language.binds.items())
    }
    parts = [
        json.dumps(asdict(language.files) if language.files else None, sort_keys=True),
        folder_digest(folder) if folder else "",
        *(
            f"{target}={hashlib.sha256(path.read_bytes()).hexdigest()}"
            for target, path in fixtures.items()
        ),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


@cache
def staged(folder: Path) -> Path:
    """A world-readable copy of the package folder ``folder``, made once per content."""
    target = toolchains_dir() / "registry" / f"{folder.name}-{folder_digest(folder)}"
    if (target / ".complete").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    target.parent.chmod(0o755)  # whatever the umask: every sandbox uid reads the copies
    with open(target.parent / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one writer; other processes wait and reuse it
        if (target / ".complete").exists():
            return target
        staging = target.with_name(target.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(folder, staging)
        for path in [staging, *staging.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        (staging / ".complete").write_text("", encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)  # atomic: readers see a whole copy or none
    return target


def fixture_binds(language: Language) -> dict[str, Path]:
    """Sandbox path -> fixture file (staged), for the registry's ``binds``."""
    if not language.binds:
        return {}
    fixtures = staged(package_file("registry", FIXTURES))
    for name in language.binds.values():
        package_file("registry", FIXTURES, name)  # a missing fixture is a broken install
    return {target: fixtures / name for target, name in language.binds.items()}


def folder_bind(language: Language) -> dict[str, Path]:
    """The language's folder (staged) at ``RECIPE_MOUNT``, where its steps and its warm compiler
    call its scripts; empty when its recipe has no folder."""
    folder = language_folder(language)
    return {RECIPE_MOUNT: staged(folder)} if folder else {}


def place_files(language: Language, workdir: Path) -> None:
    """Before the steps: remove the ``remove`` globs from ``workdir`` (support files the recipe
    replaces), then copy the ``copy`` files of the language's folder into it."""
    spec = language.files
    if spec is None:
        return
    for pattern in spec.remove:
        for path in sorted(workdir.glob(pattern), reverse=True):
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    for target, name in spec.copy.items():
        dest = workdir / target
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.unlink(missing_ok=True)  # a support file of that name: never written through
        shutil.copyfile(package_file("registry", spec.folder, name), dest)
