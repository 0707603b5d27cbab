"""Dependencies built once per toolchain and given to every work folder.

The official evaluator rebuilds testify (Go) and rand/regex/md5 (Rust) for every sample. A
registry entry with ``[prebuilt]`` names a folder of the work folder (Go's build cache, Cargo's
``target``) and a small warm-up program that uses the dependencies. The warm-up runs once through
the language's own recipe, in the same sandbox and at the same path as a sample, and its folder is
kept as a template under the workbench cache. Each execution gets the template as a private copy
(a work folder in memory, ``workbench.execution.workfolder``) or as private folders of hard links to
root-owned, read-only files (a work folder on the same disk): the toolchain finds its dependencies
fresh and builds only the sample, and nothing a sample writes reaches the template or another
sample. The toolchains check freshness by content (Go's cache is content-addressed; Cargo
fingerprints sources, flags and compiler), so a template can make a run faster but cannot change
its verdict.

``share = "link"`` gives each work folder private folders of symbolic links to the template
instead of copies: for a template that costs much to copy for every sample and that the
toolchain only reads, such as a precompiled header (C++'s ``bits/stdc++.h``; sizes and costs in
docs/benchmark.md, "Numbers behind the design notes in the code"). Such a template is kept
world-readable under the toolchains folder, where the sandbox's throw-away uid can follow the
links; its files stay root's and read-only. ``build`` makes the template with one command
instead of the recipe's steps (the header is compiled, not run).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import warnings
from dataclasses import asdict
from pathlib import Path

from workbench.execution.recipe import record_step, run_steps, step_limits, write_source
from workbench.execution.records import Execution
from workbench.execution.registry_files import files_digest, fixture_binds, place_files
from workbench.execution.sandbox import run_confined
from workbench.execution.toolchain import toolchain_version
from workbench.execution.workfolder import WORK_FOLDER_MB, work_folder
from workbench.paths import cache_dir, toolchains_dir
from workbench.registry.languages import Language, Prebuilt

_FAILED: set[str] = set()  # warm-ups that failed in this process: not retried per sample


def template_key(language: Language, version: str) -> str:
    """Hash of everything the template depends on: toolchain, warm-up program, recipe (with the
    bytes of the registry files it uses: a changed Cargo.toml builds other crates)."""
    spec = asdict(language.prebuilt) if language.prebuilt else {}
    payload = json.dumps(
        {
            "version": version,
            "prebuilt": spec,
            "steps": [list(s.command) for s in language.steps],
            "env": language.env,
            "files": files_digest(language),
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def template_dir(language: Language, version: str) -> Path:
    """Where the template of ``language`` for toolchain ``version`` lives (built or not): the
    cache, or the toolchains folder for a linked template (the sandbox's uid must read it)."""
    slug = language.name.lower().replace(" ", "-").replace("#", "sharp")
    linked = language.prebuilt is not None and language.prebuilt.share == "link"
    home = toolchains_dir() if linked else cache_dir()
    return home / "prebuilt" / f"{slug}-{template_key(language, version)}"


def ensure_template(language: Language, version: str) -> Path | None:
    """The template folder, built on first use; ``None`` when the language has none or the
    warm-up failed (samples then build their dependencies themselves, as without a template)."""
    spec = language.prebuilt
    if not spec:
        return None
    target = template_dir(language, version)
    done = target / ".complete"
    if done.exists():
        return target / spec.folder
    if target.name in _FAILED:
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    if spec.share == "link":
        target.parent.chmod(0o755)  # whatever the umask: the sandbox's uids follow the links
    with open(target.parent / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builder; other processes wait and reuse it
        if done.exists():
            return target / spec.folder
        built = _build(language, target)
    if built is None:
        _FAILED.add(target.name)
    return built


def _build(language: Language, target: Path) -> Path | None:
    spec = language.prebuilt
    assert spec is not None
    version = toolchain_version(language.name)
    with work_folder() as tmp:
        workdir = Path(tmp) / "box"
        (workdir / spec.folder).mkdir(parents=True)
        place_files(language, workdir)
        source = write_source(language, workdir, spec.source)
        base = Execution(status="passed", language=language.name, toolchain_version=version)
        if spec.build:
            result = _run_build(language, workdir, source, base)
        else:
            result = run_steps(
                language,
                workdir,
                source,
                language.limits,
                base,
                extra_env=spec.warm_up_append_env,
            )
        folder = workdir / spec.folder
        if result.status != "passed" or not folder.is_dir():
            warnings.warn(
                f"{language.name}: the warm-up program for prebuilt dependencies ended "
                f"{result.status} ({result.reason}); samples will build their dependencies "
                f"themselves. Output: {(result.stderr or result.stdout)[-500:]}",
                stacklevel=3,
            )
            return None
        if target.exists():
            shutil.rmtree(target)
        staging = target.with_name(target.name + ".tmp")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        for pattern in spec.drop:
            for path in sorted(folder.glob(pattern), reverse=True):
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        # Copied, not moved: the work folder may be in memory. Copies are root's files, so the
        # template's hard links can never be changed by a sandbox uid.
        shutil.copytree(folder, staging / spec.folder)
        if spec.share == "link":
            _world_readable(staging)
        (staging / ".complete").write_text(result.toolchain_version or "", encoding="utf-8")
        staging.rename(target)  # atomic: readers see a whole template or none
        for old in target.parent.glob(target.name.rsplit("-", 1)[0] + "-*"):
            if old.is_dir() and old != target and not old.name.endswith(".tmp"):
                shutil.rmtree(old, ignore_errors=True)  # templates of an older toolchain/recipe
    return target / spec.folder


def _run_build(language: Language, workdir: Path, source: str, base: Execution) -> Execution:
    """The ``build`` command of ``[prebuilt]`` run once in the sandbox, like a compile step."""
    spec = language.prebuilt
    assert spec is not None and spec.build
    stem = Path(source).stem
    argv = [a.replace("{source}", source).replace("{stem}", stem) for a in spec.build]
    env = {**language.env, **spec.warm_up_append_env}
    # The template is the workbench's own file, not a sample's output: a precompiled header is
    # larger than a sample's file size cap (``file_size_mb``); the work folder's size caps it.
    limits = step_limits("compile", language.limits.scaled(file_size_mb=WORK_FOLDER_MB))
    result = run_confined(argv, workdir, limits, env=env, binds=fixture_binds(language))
    record_step(base, "compile", argv, result)
    ok = result.exit_code == 0 and not (result.timed_out or result.sandbox_error)
    base.status = "passed" if ok else "compile_error"
    base.reason = "the build command succeeded" if ok else "the build command failed"
    return base


def _world_readable(root: Path) -> None:
    """Folders 0755 and files 0644 (0755 when executable): readable by every sandbox uid,
    writable by none of them."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        executable = path.is_dir() or path.stat().st_mode & 0o111
        path.chmod(0o755 if executable else 0o644)


def copy_template(template: Path, workdir: Path, spec: Prebuilt) -> None:
    """``template`` at ``workdir/<folder>``: private folders holding hard links to its files,
    or symbolic links to them with ``share = "link"``.

    Hard-linked files stay owned by root and read-only (``run_confined`` does not hand files with
    several links to the sandbox uid), so no sample can change what the next one reads; links
    keep mtimes, which Cargo compares. Files matching the spec's ``copy`` globs are bookkeeping
    a toolchain rewrites (rustc's info cache) and are private copies instead.
    """
    dest = workdir / spec.folder
    dest.parent.mkdir(parents=True, exist_ok=True)
    symbolic = spec.share == "link"
    # Another file system (a work folder in memory, workbench.execution.workfolder) gets private
    # copies, unless the template is shared by symbolic links.
    link = not symbolic and os.stat(template).st_dev == os.stat(workdir).st_dev
    # cp handles the hundreds of files in C. A Python loop would hold the GIL that the other
    # executions' threads need, and serialised Go's parallel runs (docs/benchmark.md).
    subprocess.run(
        [
            "cp",
            "-a",
            *(["--link"] if link else []),
            *(["--symbolic-link"] if symbolic else []),
            "--no-target-directory",
            str(template),
            str(dest),
        ],
        check=True,
        capture_output=True,
    )
    for pattern in spec.copy:
        for private in template.glob(pattern):
            linked = dest / private.relative_to(template)
            linked.unlink()
            shutil.copy2(private, linked)


def template_status(language: Language, version: str) -> str:
    """One line for ``doctor``: is the template built, and how big is it."""
    if not language.prebuilt:
        return ""
    target = template_dir(language, version)
    if not (target / ".complete").exists():
        return "prebuilt dependencies: not built yet (built on first use)"
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    return f"prebuilt dependencies: ready ({size / 2**20:.0f} MB, {target})"
