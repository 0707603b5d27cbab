"""Run a language's recipe in a prepared work folder: each step in the sandbox, the step's
output read against the registry's rules, the first step that fails deciding the status.

``run_steps`` is the one way a program's steps run: ``execute`` calls it for samples, the
prebuilt templates for their warm-up program, and the scorers classify their own commands with
``classify``.
"""

from __future__ import annotations

from pathlib import Path

from workbench.execution.records import Execution, StepReport
from workbench.execution.registry_files import fixture_binds, folder_bind
from workbench.execution.sandbox import RunLimits, RunResult, run_confined
from workbench.execution.warm_compilers.pool import (
    BUILD_ERRORS,
    PROGRAMS_MOUNT,
    binds_for,
    compile_with_server,
)
from workbench.registry.languages import Language, Limits

SIGNAL_STATUS = {25: "output_limit", 24: "timeout"}  # SIGXFSZ: file too big; SIGXCPU: CPU time


def step_limits(kind: str, limits: Limits) -> RunLimits:
    """The sandbox limits of one step of ``kind`` (compile or run)."""
    return RunLimits(
        timeout=limits.compile_timeout if kind == "compile" else limits.run_timeout,
        memory_mb=limits.memory_mb,
        processes=limits.processes,
        output_bytes=limits.output_bytes,
        file_size_mb=limits.file_size_mb,
    )


def classify(language: Language, kind: str, result: RunResult) -> tuple[str, str] | None:
    """Status and reason of a step, or None when the step succeeded and the next one may run."""
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


def step_env(language: Language, extra: dict[str, str], kind: str) -> dict[str, str]:
    """The recipe's environment, with the prebuilt additions ``extra`` appended (space-separated)
    for the steps the registry's ``env_step`` names (all steps when it names none)."""
    env = language.env
    spec = language.prebuilt
    if not extra or (spec is not None and spec.env_step not in (None, kind)):
        return env
    return {**env, **{k: f"{env[k]} {v}" if env.get(k) else v for k, v in extra.items()}}


def write_source(language: Language, workdir: Path, source: str) -> str:
    """Write the program into ``workdir`` under the name the recipe expects; returns that name."""
    name = language.source_name(source)
    (workdir / name).parent.mkdir(parents=True, exist_ok=True)
    (workdir / name).write_text(source, encoding="utf-8")
    return name


def record_step(
    base: Execution, kind: str, argv: list[str], result: RunResult, served: bool = False
) -> None:
    """Add one step's report, timings and output to ``base`` (the last step's output is kept)."""
    base.steps.append(
        StepReport(
            kind,
            argv,
            result.exit_code,
            result.signal,
            result.duration,
            result.timed_out,
            warm_server=served,
        )
    )
    if kind == "compile":
        base.compile_seconds += result.duration
    else:
        base.run_seconds += result.duration
    base.exit_code, base.signal = result.exit_code, result.signal
    base.stdout, base.stderr = result.stdout, result.stderr
    base.output_truncated = result.output_truncated
    base.max_rss_kb = max(base.max_rss_kb, result.max_rss_kb)
    if result.uid is not None:
        base.sandbox_uids.append(result.uid)


def run_steps(
    language: Language,
    workdir: Path,
    source: str,
    limits: Limits,
    base: Execution,
    extra_env: dict[str, str] | None = None,
    servers: bool = True,
) -> Execution:
    """Run the recipe's steps on ``source`` (a file in ``workdir``) and fill ``base`` with the
    verdict. ``extra_env`` holds the prebuilt additions (``step_env``); ``servers=False`` runs
    compile steps as cold commands even where the language has a warm compiler."""
    # Read-only mounts: the registry's fixtures and the language's folder of scripts, and the
    # warm-compiler programs; the warm compiler gets the same ones.
    binds = {**fixture_binds(language), **folder_bind(language), **binds_for(language)}
    if language.server and PROGRAMS_MOUNT not in binds:
        base.status = "infrastructure_error"  # its steps need ScriptMain / SourceMain
        base.reason = "; ".join(BUILD_ERRORS) or "the warm-compiler programs are missing"
        return base
    stem = Path(source).stem

    def fill(parts: tuple[str, ...]) -> list[str]:
        return [a.replace("{source}", source).replace("{stem}", stem) for a in parts]

    for step in language.steps:
        argv = fill(step.command)
        confined = step_limits(step.kind, limits)
        env = step_env(language, extra_env or {}, step.kind)
        result = None
        if servers and step.server_args is not None:
            result = compile_with_server(
                language, workdir, fill(step.server_args), confined, env, binds
            )
        served = result is not None
        if result is None:
            result = run_confined(argv, workdir, confined, env=env, binds=binds)
        record_step(base, step.kind, argv, result, served)
        verdict = classify(language, step.kind, result)
        if verdict is not None:
            base.status, base.reason = verdict
            return base
    base.status, base.reason = "passed", "all steps succeeded"
    return base
