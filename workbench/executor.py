"""Execute one program locally: a fresh work folder, the language's recipe, a clear status."""

from __future__ import annotations

import hashlib
import shutil
import stat
import subprocess
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from workbench.languages import Language, Limits, get_language
from workbench.paths import search_path
from workbench.prebuilt import copy_template, ensure_template
from workbench.sandbox import RunLimits, RunResult, run_confined, sandbox_info
from workbench.servers import BUILD_ERRORS, PROGRAMS_MOUNT, binds_for, compile_with_server
from workbench.workfolder import work_folder

SIGNAL_STATUS = {25: "output_limit", 24: "timeout"}  # SIGXFSZ: file too big; SIGXCPU: CPU time


@dataclass(frozen=True)
class Program:
    """A complete program for one language, plus files its test reads."""

    language: str
    source: str
    support_dir: Path | None = None
    task_id: str | None = None
    reference: str | None = None  # the task's reference answer, for scorers that compare

    @property
    def digest(self) -> str:
        """Content hash of the program text (with its language)."""
        return hashlib.sha256(f"{self.language}\0{self.source}".encode()).hexdigest()


@dataclass
class StepReport:
    """What one recipe step did."""

    kind: str
    command: list[str]
    exit_code: int | None
    signal: int | None
    duration: float
    timed_out: bool
    warm_server: bool = False  # compiled by the language's warm compiler (same arguments)


@dataclass
class Execution:
    """The verdict on one program, with what a user needs to see why."""

    status: str
    language: str
    reason: str = ""
    exit_code: int | None = None
    signal: int | None = None
    stdout: str = ""
    stderr: str = ""
    compile_seconds: float = 0.0
    run_seconds: float = 0.0
    output_truncated: bool = False
    max_rss_kb: int = 0
    toolchain_version: str | None = None
    sandbox: str = ""
    sandbox_uids: list[int] = field(default_factory=list)
    steps: list[StepReport] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@cache
def toolchain_version(language_name: str) -> str | None:
    """First line the language's version probe prints, or None when the tool is missing."""
    language = get_language(language_name)
    if not language.version or shutil.which(language.version[0], path=search_path()) is None:
        return None
    try:
        proc = subprocess.run(
            [shutil.which(language.version[0], path=search_path()), *language.version[1:]],
            input=language.version_stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    for line in (proc.stdout + "\n" + proc.stderr).splitlines():
        if line.strip():
            return line.strip()
    return None


def fixture_binds(language: Language) -> dict[str, Path]:
    """Sandbox path -> bundled fixture file, for the registry's ``binds``."""
    folder = Path(__file__).resolve().parent / "fixtures"
    return {target: folder / name for target, name in language.binds.items()}


def limits_for(kind: str, limits: Limits) -> RunLimits:
    """The sandbox limits of one step of ``kind`` (compile or run)."""
    return _limits_for(kind, limits)


def missing_tools(language: Language) -> list[str]:
    """Executables of the recipe that are not on PATH."""
    return [
        tool
        for tool in language.tools
        if (
            not Path(tool).exists()
            if tool.startswith("/")
            else shutil.which(tool, path=search_path()) is None
        )
    ]


def _limits_for(kind: str, limits: Limits) -> RunLimits:
    return RunLimits(
        timeout=limits.compile_timeout if kind == "compile" else limits.run_timeout,
        memory_mb=limits.memory_mb,
        processes=limits.processes,
        output_bytes=limits.output_bytes,
        file_size_mb=limits.file_size_mb,
    )


def _classify(language: Language, kind: str, result: RunResult) -> tuple[str, str] | None:
    """Status of a step, or None when the step succeeded and the next one may run."""
    if result.sandbox_error:
        return "infrastructure_error", result.sandbox_error
    if result.timed_out:
        return "timeout", f"{kind} step exceeded {result.duration:.1f} s"
    if result.output_truncated:
        return "output_limit", f"{kind} step wrote more than the output limit"
    if result.signal in SIGNAL_STATUS:
        return SIGNAL_STATUS[result.signal], f"{kind} step killed by signal {result.signal}"
    text = result.stderr + "\n" + result.stdout
    ok = result.exit_code == 0
    if ok and not (kind == "run" and language.fail_output and language.fail_output.search(text)):
        return None
    for rule in language.rules:
        if rule.step in (None, kind) and rule.pattern.search(text):
            return rule.status, f"{kind} step output matches /{rule.pattern.pattern}/"
    if ok:
        return "failed", f"output matches /{language.fail_output.pattern}/"  # type: ignore[union-attr]
    how = f"signal {result.signal}" if result.signal else f"exit code {result.exit_code}"
    if kind == "compile":
        return "compile_error", f"compile step ended with {how}"
    if result.signal:
        return "runtime_error", f"run step killed by {how}"
    return language.nonzero_exit, f"run step ended with {how}"


def _step_env(language: Language, extra: dict[str, str], kind: str) -> dict[str, str]:
    """The recipe's environment, with the prebuilt additions ``extra`` appended (space-separated)
    for the steps the registry's ``env_step`` names (all steps when it names none)."""
    env = language.env
    if not extra or (language.prebuilt or {}).get("env_step") not in (None, kind):
        return env
    return {**env, **{k: f"{env[k]} {v}" if env.get(k) else v for k, v in extra.items()}}


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
    leaves out the language's prebuilt dependencies (workbench/prebuilt.py), so the recipe builds
    them itself. ``warm_up`` marks the run that builds them: its steps get the registry's
    ``warm_up_append_env`` (a JVM told to save its class archive), while runs with a template get
    ``append_env`` (the JVM told to use it). ``servers=False`` runs compile steps as cold
    commands even where the language has a warm compiler (workbench/servers.py).
    """
    language = get_language(program.language)
    limits = limits or language.limits
    version = toolchain_version(language.name)
    base = Execution(status="passed", language=language.name, sandbox=sandbox_info().mode)
    if not language.has_recipe:
        base.status = "toolchain_missing"
        base.reason = f"no local recipe for {language.name}" + (
            ": it needs the Docker backend" if language.docker_only else " yet"
        )
        return base
    missing = missing_tools(language)
    if missing:
        base.status = "toolchain_missing"
        packages = ", ".join(language.debian_packages) or "none in Debian"
        base.reason = f"{', '.join(missing)} not found (Debian packages: {packages})"
        return base
    base.toolchain_version = version
    with work_folder() as tmp:
        workdir = Path(tmp) / "box"
        if program.support_dir is not None and program.support_dir.is_dir():
            shutil.copytree(program.support_dir, workdir, symlinks=False)
            _make_writable(workdir)  # shared data may come without write bits
        else:
            workdir.mkdir()
        extra_env: dict[str, str] = {}
        spec = language.prebuilt
        if warm_up and spec:
            (workdir / spec["folder"]).mkdir(parents=True, exist_ok=True)
            extra_env = spec["warm_up_append_env"]
        elif prebuilt and spec:
            template = ensure_template(language, version)
            if template is not None:
                copy_template(template, workdir, spec)
                extra_env = spec["append_env"]
        source = language.source_name(program.source)
        (workdir / source).parent.mkdir(parents=True, exist_ok=True)
        (workdir / source).write_text(program.source, encoding="utf-8")
        stem = Path(source).stem
        if language.scorer is not None:
            from workbench.scoring import SCORERS

            scored = SCORERS[language.scorer](language, program, limits, workdir, base)
            if keep_workdir is not None:
                shutil.copytree(workdir, keep_workdir, dirs_exist_ok=True)
            return scored
        binds = {**fixture_binds(language), **binds_for(language)}
        if language.server and PROGRAMS_MOUNT not in binds:
            base.status = "infrastructure_error"  # its steps need ScriptMain / SourceMain
            base.reason = "; ".join(BUILD_ERRORS) or "the warm-compiler programs are missing"
            return base

        def fill(parts: tuple[str, ...]) -> list[str]:
            return [a.replace("{source}", source).replace("{stem}", stem) for a in parts]

        for step in language.steps:
            argv = fill(step.command)
            step_limits = _limits_for(step.kind, limits)
            env = _step_env(language, extra_env, step.kind)
            result = None
            if servers and step.server_args is not None:
                args = fill(step.server_args)
                result = compile_with_server(language, workdir, args, step_limits, env, binds)
            served = result is not None
            if result is None:
                result = run_confined(argv, workdir, step_limits, env=env, binds=binds)
            base.steps.append(
                StepReport(
                    step.kind,
                    argv,
                    result.exit_code,
                    result.signal,
                    result.duration,
                    result.timed_out,
                    warm_server=served,
                )
            )
            if step.kind == "compile":
                base.compile_seconds += result.duration
            else:
                base.run_seconds += result.duration
            base.exit_code, base.signal = result.exit_code, result.signal
            base.stdout, base.stderr = result.stdout, result.stderr
            base.output_truncated = result.output_truncated
            base.max_rss_kb = max(base.max_rss_kb, result.max_rss_kb)
            if result.uid is not None:
                base.sandbox_uids.append(result.uid)
            verdict = _classify(language, step.kind, result)
            if verdict is not None:
                base.status, base.reason = verdict
                break
        else:
            base.status, base.reason = "passed", "all steps succeeded"
        if keep_workdir is not None:
            shutil.copytree(workdir, keep_workdir, dirs_exist_ok=True)
    return base
