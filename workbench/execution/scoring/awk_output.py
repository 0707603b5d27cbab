"""AWK answers: the answer (a shell command line) and the task's canonical command run in the same
sandboxed work folder; their standard outputs must be equal."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from workbench.execution.recipe import classify, fixture_binds, step_limits
from workbench.execution.records import Execution, Program, StepReport
from workbench.execution.sandbox import TAIL_BYTES, RunResult, run_confined
from workbench.execution.scoring.common import diff_lines, no_reference, reference_of, verdict
from workbench.paths import search_path
from workbench.registry.languages import Language, Limits

REFERENCE_SCRIPT = ".reference.sh"
_UNORDERED = re.compile(r"\bfor\s*\(\s*\w+\s+in\s+\w+\s*\)")
_ORDERED = re.compile(r"\|\s*sort\b|\basorti?\s*\(|sorted_in")


def order_free(reference: str) -> bool:
    """True when the reference's line order is awk's unspecified ``for (k in a)`` order (and it
    does not sort): an answer then only has to print the same lines."""
    return bool(_UNORDERED.search(reference)) and not _ORDERED.search(reference)


def _mirror_inputs(program: Program, workdir: Path) -> None:
    """The task prompts name their input files ``data/<support folder>/<file>``: make them
    readable there too (the official evaluator runs from a folder where they are not, which
    fails five canonical answers)."""
    support = program.support_dir
    if support is None or not Path(support).is_dir():
        return
    target = workdir / "data" / Path(support).name
    target.mkdir(parents=True, exist_ok=True)
    for item in Path(support).iterdir():
        if item.is_file():
            shutil.copy2(item, target / item.name)


def _kept_whole(result: RunResult) -> bool:
    return result.output_bytes <= TAIL_BYTES * 2


def _run(language: Language, limits: Limits, workdir: Path, script: str) -> RunResult:
    return run_confined(
        ["bash", script],
        workdir,
        step_limits("run", limits),
        env=language.env,
        binds=fixture_binds(language),
    )


def _record(base: Execution, argv: list[str], result: RunResult) -> None:
    base.steps.append(
        StepReport("run", argv, result.exit_code, result.signal, result.duration, result.timed_out)
    )
    base.run_seconds += result.duration
    base.max_rss_kb = max(base.max_rss_kb, result.max_rss_kb)
    if result.uid is not None:
        base.sandbox_uids.append(result.uid)


def _tail(text: str, n: int = 300) -> str:
    text = text.strip()
    return text if len(text) <= n else "..." + text[-n:]


def score_awk(
    language: Language, program: Program, limits: Limits, workdir: Path, base: Execution
) -> Execution:
    """Run the canonical command, then the answer, in the same work folder; compare stdout."""
    reference = reference_of(program)
    if not reference or not reference.strip():
        return no_reference(base, program)
    sandbox_path = language.env.get("PATH", search_path())
    missing = [t for t in ("bash", "awk") if shutil.which(t, path=sandbox_path) is None]
    if missing:
        packages = ", ".join(language.debian_packages) or "none in Debian"
        return verdict(
            base,
            "toolchain_missing",
            f"{', '.join(missing)} not found (Debian packages: {packages})",
        )
    _mirror_inputs(program, workdir)
    source = language.source_name(program.source)

    (workdir / REFERENCE_SCRIPT).write_text(reference.strip() + "\n", encoding="utf-8")
    ref = _run(language, limits, workdir, REFERENCE_SCRIPT)
    (workdir / REFERENCE_SCRIPT).unlink(missing_ok=True)
    _record(base, ["bash", REFERENCE_SCRIPT], ref)
    trouble = classify(language, "run", ref)
    if trouble is not None or not _kept_whole(ref):
        why = trouble[1] if trouble else "its output is too large to compare"
        if trouble and trouble[0] == "timeout":
            why = f"it ran out of time ({why})"
        return verdict(
            base,
            "infrastructure_error",
            f"the reference command failed, so the answer cannot be judged: {why}; "
            f"stderr: {_tail(ref.stderr)!r}",
        )

    run = _run(language, limits, workdir, source)
    _record(base, ["bash", source], run)
    base.exit_code, base.signal = run.exit_code, run.signal
    base.stdout, base.stderr = run.stdout, run.stderr
    base.output_truncated = run.output_truncated
    outcome = classify(language, "run", run)
    if outcome is not None:
        status, reason = outcome
        if run.stderr.strip() and status in ("runtime_error", "compile_error"):
            reason += f": {_tail(run.stderr)}"
        return verdict(base, status, reason)
    expected, got = ref.stdout.rstrip("\n"), run.stdout.rstrip("\n")
    if expected == got and _kept_whole(run):
        return verdict(base, "passed", "same output as the canonical command")
    if (
        _kept_whole(run)
        and order_free(reference)
        and sorted(expected.split("\n")) == sorted(got.split("\n"))
    ):
        return verdict(
            base,
            "passed",
            "same output lines as the canonical command (whose order is awk's unspecified "
            "for-in order)",
        )
    detail = diff_lines(expected.split("\n"), got.split("\n"), "canonical")
    if not _kept_whole(run):
        detail = f"the answer printed {run.output_bytes} bytes, far more than the canonical command"
    return verdict(base, "failed", "output differs from the canonical command's:\n" + detail)
