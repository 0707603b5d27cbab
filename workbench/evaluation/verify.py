"""Run every canonical solution through the executor: a verdict is only worth analysing if the
executor is right, so this is the self-check of the whole pipeline."""

from __future__ import annotations

import datetime as dt
import platform
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

# Defined in canonical.py (the runner's controls use them too); still importable from here.
from workbench.evaluation.canonical import (  # noqa: F401
    CANONICAL_MODEL,
    canonical_answers,
    canonical_samples,
    known_failure,
)
from workbench.evaluation.runner import evaluate
from workbench.execution.sandbox import sandbox_info
from workbench.execution.toolchain import toolchain_version
from workbench.inputs.tasks import load_tasks
from workbench.registry.languages import get_language


def verify(
    data: str | Path | None = None,
    task: str = "generation",
    subset: str | None = None,
    languages: Iterable[str] | None = None,
    jobs: int | None = None,
    store: str | Path | None = None,
    progress: bool = True,
    limit: int | None = None,
) -> pd.DataFrame:
    """Execute the canonical solutions of ``task`` and return one result row per task.

    Completion and explanation records are checked with their canonical solution assembled like
    a model answer. ``limit`` keeps the first N tasks per language (a quick sample).
    """
    tasks = load_tasks(data, task=task, subset=subset, languages=languages)
    if limit:
        tasks = tasks.groupby("language", sort=False).head(limit).reset_index(drop=True)
    samples = canonical_samples(tasks)
    if store is None:
        with tempfile.TemporaryDirectory() as tmp:
            return evaluate(
                samples,
                tasks,
                jobs=jobs,
                store=Path(tmp) / "verify.duckdb",
                progress=progress,
                controls=0,  # every canonical solution is judged: controls would repeat some
            )
    from workbench.evaluation.store import Store

    with Store(store) as db:
        # Re-check failures instead of trusting a cached verdict (only the tasks verified now).
        db.forget_unpassed(CANONICAL_MODEL, samples["task_id"])
        return evaluate(samples, tasks, jobs=jobs, store=db, progress=progress, controls=0)


def _docker_only(frame: pd.DataFrame) -> pd.Series:
    """Rows of languages with no Debian toolchain at all: not served on this machine."""
    return (frame["status"] == "toolchain_missing") & frame["language"].map(
        lambda name: get_language(name).docker_only
    ).astype(bool)


def unexpected(results: pd.DataFrame) -> pd.DataFrame:
    """Non-passing rows that the registry does not explain: executor or recipe bugs (a language
    with no local toolchain at all is explained by the registry's ``docker_only``)."""
    bad = results[results["status"] != "passed"]
    return bad[~_is_known(bad) & ~_docker_only(bad)]


def _is_known(frame: pd.DataFrame) -> pd.Series:
    # A Series mask (a plain empty list would select columns instead of rows).
    return frame["task_id"].map(lambda t: known_failure(t) is not None).astype(bool)


def summary(results: pd.DataFrame) -> pd.DataFrame:
    """Per language: tasks, passed, known (explained failures), and a count per other status."""
    counts = results.groupby(["language", "status"]).size().unstack("status", fill_value=0)
    counts.insert(0, "tasks", counts.sum(axis=1))
    if "passed" not in counts:
        counts["passed"] = 0
    failing = results[results["status"] != "passed"]
    known = failing[_is_known(failing)]
    counts["known"] = known.groupby("language").size().reindex(counts.index, fill_value=0)
    others = [c for c in counts.columns if c not in ("tasks", "passed", "known")]
    table = counts[["tasks", "passed", "known", *others]].reset_index()
    table["toolchain"] = [toolchain_version(lang) or "" for lang in table["language"]]
    return table


def report_text(results: pd.DataFrame) -> str:
    """What ``workbench verify`` prints: the summary table, then each canonical solution that did
    not pass with its status, reason and the registry's known limit that explains it."""
    lines = [summary(results).to_string(index=False)]
    for row in results[results["status"] != "passed"].to_dict("records"):
        known = known_failure(row["task_id"])
        note = f"  [known {known['kind']} limit: {known['reason']}]" if known else ""
        lines.append(f"  {row['task_id']}: {row['status']} — {row['reason']}{note}")
    return "\n".join(lines)


def report_markdown(results: pd.DataFrame, title: str) -> str:
    """The committed verification report: summary, every non-passing task, environment."""
    table = summary(results)
    lines = [
        f"# {title}",
        "",
        f"Written by `workbench verify --report` on {dt.date.today().isoformat()}, "
        f"{platform.platform()}, sandbox: {sandbox_info().mode}.",
        "",
        "| language | toolchain | tasks | passed | not passed |",
        "|---|---|---|---|---|",
    ]
    for row in table.to_dict("records"):
        others = ", ".join(
            f"{k} {v}"
            for k, v in row.items()
            if k not in ("language", "tasks", "passed", "toolchain", "known") and v
        )
        if row["known"]:
            others += f" ({row['known']} explained below)"
        lines.append(
            f"| {row['language']} | {row['toolchain']} | {row['tasks']} | {row['passed']} | {others} |"
        )
    failing = results[results["status"] != "passed"]
    total, passed = len(results), int((results["status"] == "passed").sum())
    surprises = unexpected(results)
    docker = failing[_docker_only(failing)]
    explained = len(failing) - len(surprises) - len(docker)
    lines += [
        "",
        f"**{passed} of {total}** canonical solutions pass; "
        f"{explained} cannot pass for the reasons below; {len(surprises)} unexplained.",
    ]
    if not docker.empty:
        names = ", ".join(sorted(docker["language"].unique()))
        lines.append(
            f"{len(docker)} tasks of languages with no Debian toolchain ({names}) are "
            "`toolchain_missing`: no Debian toolchain, not served on this machine."
        )
    judged = results[~_docker_only(results)]
    if len(judged):
        share = (judged["status"] == "passed").mean() * 100
        lines.append(
            f"Of the {len(judged)} tasks of locally available languages, {share:.1f}% pass."
        )
    lines.append("")
    known = failing[_is_known(failing)]
    if not known.empty:
        lines += [
            "## Cannot pass here (recorded in the registry's `known_failures`)",
            "",
            "| task | status | kind | reason | evidence |",
            "|---|---|---|---|---|",
        ]
        for row in known.sort_values("task_id").to_dict("records"):
            info = known_failure(row["task_id"]) or {}
            cells = [info.get(k, "").replace("|", "\\|") for k in ("kind", "reason", "evidence")]
            lines.append(f"| {row['task_id']} | {row['status']} | " + " | ".join(cells) + " |")
        lines.append("")
    if not surprises.empty:
        lines += [
            "## Unexplained (executor or recipe bugs to fix)",
            "",
            "| task | status | reason |",
            "|---|---|---|",
        ]
        for row in surprises.sort_values("task_id").to_dict("records"):
            reason = str(row.get("reason") or "").replace("|", "\\|")
            lines.append(f"| {row['task_id']} | {row['status']} | {reason} |")
    return "\n".join(lines) + "\n"
