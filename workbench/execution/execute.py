"""Execute one program locally: a fresh work folder, the language's recipe, a clear status."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

from workbench.execution.prebuilt import copy_template, ensure_template
from workbench.execution.recipe import run_steps, write_source
from workbench.execution.records import Execution, Program
from workbench.execution.registry_files import place_files
from workbench.execution.sandbox import sandbox_info
from workbench.execution.scoring import SCORERS
from workbench.execution.toolchain import missing_tools, toolchain_version
from workbench.execution.workfolder import work_folder
from workbench.registry.languages import Limits, get_language


def _make_writable(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode | (stat.S_IRWXU if path.is_dir() else stat.S_IRUSR | stat.S_IWUSR))


def execute(
    program: Program,
    limits: Limits | None = None,
    keep_workdir: Path | None = None,
    prebuilt: bool = True,
    warm_up: bool = False,
    servers: bool = True,
) -> Execution:
    """Run ``program`` with its language's recipe in a fresh work folder and return the verdict.

    ``keep_workdir`` copies the work folder there afterwards, for debugging. ``prebuilt=False``
    leaves out the language's prebuilt dependencies (workbench/execution/prebuilt.py), so the recipe builds
    them itself. ``warm_up`` marks the run that builds them: its steps get the registry's
    ``warm_up_append_env`` (a JVM told to save its class archive), while runs with a template get
    ``append_env`` (the JVM told to use it). ``servers=False`` runs compile steps as cold
    commands even where the language has a warm compiler (workbench/execution/warm_compilers/pool.py).
    """
    language = get_language(program.language)
    limits = limits or language.limits
    version = toolchain_version(language.name)
    base = Execution(status="passed", language=language.name, sandbox=sandbox_info().mode)
    if not language.has_recipe:
        base.status = "toolchain_missing"
        base.reason = f"no local recipe for {language.name}" + (
            ": no Debian toolchain, not served on this machine" if language.docker_only else " yet"
        )
        return base
    missing = missing_tools(language)
    if missing:
        base.status = "toolchain_missing"
        packages = ", ".join(language.debian_packages) or "none in Debian"
        base.reason = f"{', '.join(missing)} not found (Debian packages: {packages})"
        return base
    base.toolchain_version = version
    if program.support_dir is not None and not Path(program.support_dir).is_dir():
        # The machine's fault, not the sample's: a Dask worker or another host that lacks the
        # data folder at the path the client named (docker/compose.yaml mounts it there).
        base.status = "infrastructure_error"
        base.reason = (
            f"the task's support folder {program.support_dir} is not on this machine: the McEval "
            "data must be at the same (resolved) path where the tasks were loaded"
        )
        return base
    with work_folder() as tmp:
        workdir = Path(tmp) / "box"
        if program.support_dir is not None:
            shutil.copytree(program.support_dir, workdir, symlinks=False)
            _make_writable(workdir)  # shared data may come without write bits
        else:
            workdir.mkdir()
        place_files(language, workdir)  # the recipe's own files replace the support folder's
        extra_env: dict[str, str] = {}
        spec = language.prebuilt
        if warm_up and spec:
            (workdir / spec.folder).mkdir(parents=True, exist_ok=True)
            extra_env = spec.warm_up_append_env
        elif prebuilt and spec:
            template = ensure_template(language, version)
            if template is not None:
                copy_template(template, workdir, spec)
                extra_env = spec.append_env
        source = write_source(language, workdir, program.source)
        if language.scorer is not None:
            verdict = SCORERS[language.scorer](language, program, limits, workdir, base)
        else:
            verdict = run_steps(language, workdir, source, limits, base, extra_env, servers)
        if keep_workdir is not None:
            shutil.copytree(workdir, keep_workdir, dirs_exist_ok=True)
    return verdict
