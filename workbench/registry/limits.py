"""Run limits that fit the task: a factor of the canonical solution's own run time, with the
language's limit as the floor, so slow toolchains (JVM, GHC, Rust) are not scored as timeouts
while an endless loop still is."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from workbench.paths import REGISTRY_DIR, package_file
from workbench.registry.languages import Language, Limits

FACTOR = 5.0  # a correct answer may be this much slower than the reference
CEILING = 120.0  # seconds: no run step waits longer, whatever the reference took
TIMES_FILE = REGISTRY_DIR / "canonical_times.csv"


@cache
def canonical_times(path: Path = TIMES_FILE) -> dict[str, float]:
    """task_id -> run seconds of its canonical solution (written by ``workbench verify``)."""
    if path == TIMES_FILE:
        package_file("registry", TIMES_FILE.name)  # shipped with the package: never optional
    elif not path.exists():
        return {}
    with path.open(encoding="utf-8") as fh:
        return {row["task_id"]: float(row["run_seconds"]) for row in csv.DictReader(fh)}


def task_limits(
    language: Language,
    task_id: str | None,
    overrides: Mapping[str, float] | None = None,
    times: Mapping[str, float] | None = None,
) -> Limits:
    """The language's limits, the run limit raised to FACTOR × the canonical run time when that
    is larger; explicit ``overrides`` win."""
    limits = language.limits
    reference = (times if times is not None else canonical_times()).get(task_id or "")
    if reference is not None:
        wanted = min(CEILING, max(limits.run_timeout, FACTOR * reference))
        limits = limits.scaled(run_timeout=wanted)
    return limits.scaled(**(overrides or {}))


def write_canonical_times(results_rows: list[dict], path: Path = TIMES_FILE) -> Path:
    """Store passing canonical run times (rounded, sorted: stable diffs) for ``task_limits``."""
    rows = sorted(
        (r["task_id"], round(float(r["run_seconds"] or 0.0), 2))
        for r in results_rows
        if r.get("status") == "passed"
    )
    existing = dict(canonical_times(path)) if path.exists() else {}
    existing.update(dict(rows))
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["task_id", "run_seconds"])
        for task_id in sorted(existing):
            writer.writerow([task_id, f"{existing[task_id]:.2f}"])
    canonical_times.cache_clear()
    return path
