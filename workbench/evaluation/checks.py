"""The instrumented second run of failing samples: every check of the test judged, not only the
first failing one (docs/checks.md).

``run_checks`` takes result rows (from ``evaluate`` or ``Store.results()``) and the tasks they
came from, rewrites the program of each sample that failed a check (``failed``) or raised inside
one (``runtime_error``) with its language's technique (``workbench.programs.checks``), runs it
through ``workbench.execution.execute`` — the same sandbox and the same per-task limits as the
plain run — and reads every check's verdict back. The sample's own verdict never changes: this
only explains it. Languages without a technique keep their single failing check (``checks_note``
says so)."""

from __future__ import annotations

import os
import signal as signals
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.execution.execute import execute
from workbench.execution.records import Execution, Program, Status
from workbench.programs.checks import CHECK_COLUMNS, CheckResult, instrument, read_checks
from workbench.registry.languages import get_language
from workbench.registry.limits import task_limits

# The sample key (issue 24 moves it to execution/records.py as SAMPLE_KEY).
SAMPLE_KEY: tuple[str, ...] = ("task", "task_id", "model", "sample_index")
# The statuses whose checks are opened: a failed check, or an error raised inside one.
OPENED: tuple[str, ...] = (Status.FAILED, Status.RUNTIME_ERROR)
# One row per opened sample.
SAMPLE_COLUMNS: tuple[str, ...] = (
    *SAMPLE_KEY,
    "language",
    "checks_status",
    "checks_passed",
    "checks_total",
    "checks_note",
    "first_failing_check",
    "expected",
    "actual",
    "checks_seconds",
)


@dataclass
class SampleChecks:
    """The instrumented run of one sample: its checks, or a note on why there are none."""

    key: tuple[Any, ...]
    language: str
    status: str | None = None  # the instrumented run's own status (not the sample's)
    note: str = ""
    seconds: float = 0.0
    checks: list[CheckResult] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The sample's row of ``SAMPLE_COLUMNS``: counts and the first failing check."""
        first = next((c for c in self.checks if not c.passed), None)
        return {
            **dict(zip(SAMPLE_KEY, self.key, strict=True)),
            "language": self.language,
            "checks_status": self.status,
            "checks_passed": sum(c.passed for c in self.checks),
            "checks_total": len(self.checks),
            "checks_note": self.note or None,
            "first_failing_check": first.check_source if first else None,
            "expected": first.expected if first else None,
            "actual": first.actual if first else None,
            "checks_seconds": self.seconds,
        }


def opened(results: pd.DataFrame) -> pd.DataFrame:
    """The result rows whose checks ``run_checks`` opens (status ``failed`` or
    ``runtime_error``)."""
    return results[results["status"].isin(OPENED)]


def crash_text(execution: Execution) -> str:
    """What stopped an instrumented run in the middle of a check, for that check's actual
    value: the timeout, the signal, or the run's reason."""
    if execution.status == Status.TIMEOUT:
        return f"timeout ({execution.reason})"
    if execution.signal:
        try:
            return f"killed by {signals.Signals(execution.signal).name}"
        except ValueError:
            return f"killed by signal {execution.signal}"
    return f"{execution.status}: {execution.reason}"


def check_sample(
    row: Mapping[str, Any], task: Mapping[str, Any], overrides: Mapping[str, float] | None = None
) -> SampleChecks:
    """Instrument and run one result ``row`` (its ``program``) against ``task`` (its ``test``,
    ``support_dir``); the checks it reports, or a note saying why there are none."""
    key = tuple(row[k] for k in SAMPLE_KEY)
    language = get_language(row["language"])
    out = SampleChecks(key, language.name)
    if language.checks is None:
        out.note = f"{language.name} has no check technique: its first failing check only"
        return out
    try:
        instrumented = instrument(row["program"], task["test"], language)
    except Exception as exc:  # noqa: BLE001 - a test the rewrite cannot read keeps its first check
        out.note = f"the test could not be rewritten: {type(exc).__name__}: {exc}"
        return out
    support = task.get("support_dir")
    program = Program(
        language.name,
        instrumented.source,
        Path(support) if isinstance(support, str) and support else None,
        row["task_id"],
    )
    execution = execute(program, task_limits(language, row["task_id"], overrides))
    out.status, out.seconds = execution.status, execution.compile_seconds + execution.run_seconds
    out.checks = read_checks(
        execution.stderr + "\n" + execution.stdout, instrumented, crash_text(execution)
    )
    if not out.checks:
        out.note = (
            f"no check reported (instrumented run: {execution.status}, {execution.reason})"
            if instrumented.sites
            else "no check of a known form in the test"
        )
    return out


def run_checks(
    results: pd.DataFrame,
    tasks: pd.DataFrame,
    *,
    jobs: int | None = None,
    limits: Mapping[str, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every check of every opened sample of ``results`` (``opened``), run ``jobs`` at a time.

    Returns two frames: one row per opened sample (``SAMPLE_COLUMNS``: ``checks_passed``,
    ``checks_total``, the first failing check's source and values, a note when there are no
    checks) and one row per executed check (``SAMPLE_KEY`` + ``CHECK_COLUMNS``). ``limits``
    overrides the registry's, as in ``evaluate``."""
    rows = opened(results).to_dict("records")
    by_id = {t["task_id"]: t for t in tasks.to_dict("records")}
    missing = sorted({r["task_id"] for r in rows} - set(by_id))
    if missing:
        raise KeyError(f"tasks missing for {len(missing)} result rows, e.g. {missing[:3]}")
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        done = list(pool.map(lambda r: check_sample(r, by_id[r["task_id"]], limits), rows))
    samples = pd.DataFrame([d.summary() for d in done], columns=list(SAMPLE_COLUMNS))
    checks = pd.DataFrame(
        [
            {**dict(zip(SAMPLE_KEY, d.key, strict=True)), **c.as_dict()}
            for d in done
            for c in d.checks
        ],
        columns=[*SAMPLE_KEY, *CHECK_COLUMNS],
    )
    return samples, checks
