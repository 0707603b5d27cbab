"""Health checks: can the numbers of an evaluation be trusted?

Six checks read a results frame (a store's rows of every kind: the ``scored`` verdicts, and the
``control``, ``probe`` and ``repeat`` rows the health runs add; a frame without the ``row_kind``
column is all ``scored``) and return findings, each a :class:`Finding`: a ``rule`` (the check),
a ``severity``, the ``model``, ``language`` and ``task`` kind it is about, a one-line ``message``
a person can act on and the ``evidence`` (counts, the control or cluster, an example sample's
key). What each check is modelled on, its thresholds and why, and what to do: docs/health.md.

- ``environment`` (error): controls (canonical solutions known to pass) that did not pass, and
  samples that got no verdict at all (``toolchain_missing``, ``infrastructure_error``);
- ``extraction``: many samples of a model and language with no usable code;
- ``one_error``: one error-message cluster behind most failures of a model and language, over
  many tasks — not the generic message of a failed test assertion;
- ``limits``: timeouts concentrated in a language and task kind, or timeouts that finished when
  run again with more time (``probe`` rows);
- ``published``: pass@1 of a model the paper reports, against the published value;
- ``flaky``: failing samples whose verdict changed when run again (``repeat`` rows).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from workbench.analysis.failure_modes import (
    KEY,
    cluster_templates,
    example_key,
    failure_messages,
    normalise,
)
from workbench.analysis.intervals import effective_sample_size, wilson_interval
from workbench.analysis.passk import AVG_LABEL, group_labels, pass_at_k_table
from workbench.analysis.rows import of_kind
from workbench.errors import InputError
from workbench.execution.causes import explain_frame
from workbench.execution.records import (
    CONTROL,
    LIMIT_CAUSES,
    MACHINE_STATUSES,
    PROBE,
    REPEAT,
    RUN_INDEX,
    SCORED,
    Status,
)
from workbench.inputs.paper import load_leaderboard, load_task_counts, paper_model

RULES: tuple[str, ...] = ("environment", "extraction", "one_error", "limits", "published", "flaky")
# The checks that can find an ``error``: what the marks on pass@1 tables and browsers need.
ERROR_RULES: tuple[str, ...] = ("environment", "extraction")
SEVERITIES: tuple[str, ...] = ("error", "warning", "info")

# Causes meaning the answer gave no usable code: none could be extracted (empty, prose), or it
# is written in another language (``wrong_language``, execution/answer_causes.py).
EXTRACTION_CAUSES: tuple[str, ...] = ("extraction_failed", "wrong_language")
# Causes whose message is how a wrong answer looks in every language — a failed assertion of the
# test or of the answer — and those another check owns (limits, extraction): never the
# signature of one error everywhere. The causes come from each language's [[causes]] rules in
# the registry, so no language is named here.
GENERIC_CAUSES: tuple[str, ...] = (
    "wrong_answer",
    "assertion_in_answer",
    *LIMIT_CAUSES,
    *EXTRACTION_CAUSES,
)
_TASK = "_health_task"  # the task-kind label of each row, computed once per frame
_EXAMPLES = 5  # sample keys (or controls) an evidence lists at most


@dataclass(frozen=True)
class Finding:
    """One thing that makes a number doubtful: which check found it, how bad, about what, what
    to do (``message``) and what it rests on (``evidence``: plain JSON values)."""

    rule: str  # one of RULES
    severity: str  # one of SEVERITIES
    model: str  # as the store names it; "" for environment findings
    language: str  # a language, or "AVG" for a published average over languages
    task: str  # generation, explanation, completion/<subset>
    message: str
    evidence: dict[str, Any]


FINDING_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Finding))


@dataclass(frozen=True)
class Thresholds:
    """When a check speaks. The defaults and why they are what they are: docs/health.md."""

    # extraction: share of a model's judged samples in a language and task kind with no usable
    # code; above ``extraction_error`` most of them, an error.
    extraction_warning: float = 0.25
    extraction_error: float = 0.5
    extraction_min_samples: int = 5
    # one_error: share of the failures one (non-generic) message cluster accounts for, and the
    # distinct tasks it must span.
    one_error_share: float = 0.5
    one_error_min_tasks: int = 5
    # limits: share of judged samples of a language and task kind that timed out, with at
    # least this many timeouts over this many tasks.
    timeout_share: float = 0.25
    timeout_min: int = 3
    timeout_min_tasks: int = 2
    # published: confidence of the Wilson interval of our pass@1.
    published_confidence: float = 0.99


THRESHOLDS = Thresholds()

# Timed-out samples ``workbench health --probe-timeouts`` runs again with more time, at most, per
# language and task kind: enough to tell "the limit is tight" (several finish) from "these loop"
# (none does), at a bounded cost (each probe may take PROBE_FACTOR times its limit).
PROBES_PER_KIND = 10


# -- frames ----------------------------------------------------------------------------------
def prepared(results: pd.DataFrame) -> pd.DataFrame:
    """``results`` with what every check reads, computed once: the task-kind label of each row,
    and the causes of non-passing rows that have none (a store written before causes)."""
    if _TASK in results.columns:
        return results
    missing = [c for c in ("task", "task_id", "model", "language", "status") if c not in results]
    if missing:
        raise InputError(f"results lack columns {missing}", field=missing[0])
    frame = results if "subset" in results.columns else results.assign(subset=None)
    frame = frame.assign(**{_TASK: group_labels(frame, "task").astype(str)})
    if "sample_index" not in frame.columns:
        frame = frame.assign(sample_index=0)
    cause = frame["cause"] if "cause" in frame.columns else pd.Series(None, index=frame.index)
    unexplained = frame["status"].ne(Status.PASSED) & cause.isna()
    if unexplained.any():
        explained = explain_frame(frame[unexplained])
        frame = frame.assign(**{c: frame.get(c) for c in explained.columns})
        frame.loc[unexplained, list(explained.columns)] = explained.to_numpy()
    return frame


def _judged(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[~frame["status"].isin(MACHINE_STATUSES)]


def _key_text(row: dict[str, Any]) -> str:
    return example_key({k: row[k] for k in KEY})


def _plain(value: Any) -> Any:
    """``value`` with numpy scalars made Python ones (evidence is plain JSON)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def _finding(
    rule: str,
    severity: str,
    model: str,
    language: str,
    task: str,
    message: str,
    evidence: dict[str, Any],
) -> Finding:
    return Finding(rule, severity, str(model), str(language), str(task), message, _plain(evidence))


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """Findings as a DataFrame with the columns ``FINDING_COLUMNS``."""
    rows = [asdict(f) for f in findings]
    return pd.DataFrame(rows, columns=list(FINDING_COLUMNS))


def findings_records(findings: pd.DataFrame) -> list[dict[str, Any]]:
    """The findings as plain JSON objects with the fields of ``Finding`` (``--format json``)."""
    return json.loads(json.dumps(findings[list(FINDING_COLUMNS)].to_dict("records")))


def has_errors(findings: pd.DataFrame) -> bool:
    """Whether any finding is an ``error``: ``workbench health`` exits 1 then."""
    return bool(findings["severity"].eq("error").any())


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _first(frame: pd.DataFrame, column: str) -> Any:
    return frame[column].iloc[0] if len(frame) else None


# -- environment -----------------------------------------------------------------------------
def check_environment(results: pd.DataFrame) -> pd.DataFrame:
    """``error`` per language and task kind whose controls did not all pass — its numbers are
    not about the model — or whose samples got verdicts about the machine
    (``toolchain_missing``, ``infrastructure_error``): the finding names the control or sample,
    its status and error line."""
    frame = prepared(results)
    findings = [*_failed_controls(frame), *_machine_verdicts(frame)]
    return findings_frame(findings)


def _failed_controls(frame: pd.DataFrame) -> list[Finding]:
    controls = of_kind(frame, CONTROL)
    findings = []
    for (language, task), group in controls.groupby(["language", _TASK], sort=True):
        bad = group[group["status"].ne(Status.PASSED)]
        if bad.empty:
            continue
        lines = failure_messages(bad)
        failing = [
            {"task_id": row["task_id"], "status": row["status"], "error_line": line[:300]}
            for row, line in zip(bad.to_dict("records"), lines, strict=True)
        ]
        first = failing[0]
        missing = bad["status"].eq(Status.TOOLCHAIN_MISSING).all()
        what = (
            "the toolchain is missing: install it (`workbench toolchains install`) or use the "
            "Docker backend"
            if missing
            else "the toolchain or sandbox is broken here: run `workbench doctor`, fix it and "
            "evaluate again with --no-cache (verdicts taken while it was broken are cached)"
        )
        message = (
            f"{language} {task}: {len(bad)} of {len(group)} controls (canonical solutions known "
            f"to pass) did not pass — {first['task_id']}: {first['status']}: "
            f"{first['error_line'][:120]}; its numbers measure this machine, not the models: "
            f"{what}"
        )
        evidence = {"controls": len(group), "not_passed": len(bad), "failing": failing}
        findings.append(_finding("environment", "error", "", language, task, message, evidence))
    return findings


def _machine_verdicts(frame: pd.DataFrame) -> list[Finding]:
    scored = of_kind(frame, SCORED)
    machine = scored["status"].isin(MACHINE_STATUSES)
    if not machine.any():
        return []
    totals = scored.groupby(["language", _TASK]).size()
    findings = []
    for (language, task), group in scored[machine].groupby(["language", _TASK], sort=True):
        row = group.iloc[0]
        statuses = group["status"].value_counts().to_dict()
        counts = ", ".join(f"{n} {s}" for s, n in statuses.items())
        n = int(totals.loc[(language, task)])
        message = (
            f"{language} {task}: {len(group)} of {n} samples got no verdict ({counts}: "
            f"{_text(row.get('reason'))[:120]}); they are left out of pass@k, so its numbers "
            "cover fewer tasks than asked: fix the machine (`workbench doctor`) and evaluate "
            "again (machine verdicts are never cached)"
        )
        evidence = {
            "samples": n,
            "no_verdict": len(group),
            "statuses": statuses,
            "models": sorted(group["model"].unique()),
            "example": _key_text(row.to_dict()),
        }
        findings.append(_finding("environment", "error", "", language, task, message, evidence))
    return findings


# -- extraction ------------------------------------------------------------------------------
def check_extraction(results: pd.DataFrame, thresholds: Thresholds = THRESHOLDS) -> pd.DataFrame:
    """Per model, language and task kind, the share of judged samples whose answer gave no
    usable code (prose, empty, code in another language): an ``error`` above
    ``extraction_error``, a ``warning`` from ``extraction_warning``."""
    frame = _judged(of_kind(prepared(results), SCORED))
    keys = ["model", "language", _TASK]
    flagged = frame["cause"].isin(EXTRACTION_CAUSES)
    counts = flagged.groupby([frame[k] for k in keys]).agg(["size", "sum"])
    counts = counts[
        (counts["size"] >= thresholds.extraction_min_samples)
        & (counts["sum"] >= thresholds.extraction_warning * counts["size"])
        & (counts["sum"] > 0)
    ]
    findings = []
    for (model, language, task), (n, k) in counts.astype(int).iterrows():
        bad = frame[flagged & frame["model"].eq(model) & frame["language"].eq(language)]
        bad = bad[bad[_TASK].eq(task)]
        details = _no_code_details(bad).value_counts().head(_EXAMPLES).to_dict()
        severity = "error" if k > thresholds.extraction_error * n else "warning"
        shown = "; ".join(f"{d} {c}" for d, c in details.items())
        message = (
            f"{model} {language} {task}: {k} of {n} samples ({_pct(k, n)}) gave no usable "
            f"{language} code "
            f"({shown}); pass@1 measures the answer's format more than its code: check the "
            "prompt, the chat template and the answers (`workbench failures --by model cause`)"
        )
        evidence = {
            "samples": n,
            "no_code": k,
            "details": details,
            "example": _key_text(bad.iloc[0].to_dict()),
        }
        findings.append(_finding("extraction", severity, model, language, task, message, evidence))
    return findings_frame(findings)


def _no_code_details(rows: pd.DataFrame) -> pd.Series:
    """Why each row gave no usable code, as a finding lists it: ``written in Python`` for an
    answer in another language (``wrong_language``, its detail the language), else the detail
    of ``extraction_failed`` (``empty answer``, ``prose without code``, ...)."""
    detail = rows["cause_detail"].astype(object).where(rows["cause_detail"].notna(), "")
    other = rows["cause"].eq("wrong_language")
    labelled = ("written in " + detail.astype(str)).where(other, detail.astype(str))
    return labelled.where(labelled.ne(""), "no detail")


# -- one error everywhere --------------------------------------------------------------------
def check_one_error(results: pd.DataFrame, thresholds: Thresholds = THRESHOLDS) -> pd.DataFrame:
    """``warning`` per model, language and task kind where one error-message cluster (the
    templates and clusters of ``failure_modes``) accounts for at least ``one_error_share`` of
    the failures, over at least ``one_error_min_tasks`` distinct tasks: a missing module, a
    command not found, a permission, a toolchain message. Rows whose cause is generic
    (``GENERIC_CAUSES``: a failed assertion, a limit, no code) are never such a signature."""
    frame = _judged(of_kind(prepared(results), SCORED))
    failing = frame[frame["status"].ne(Status.PASSED)]
    keys = ["model", "language", _TASK]
    n_failures = failing.groupby(keys).size()
    candidates = _reaching(failing[~failing["cause"].isin(GENERIC_CAUSES)], n_failures, thresholds)
    if candidates.empty:
        return findings_frame([])
    messages = failure_messages(candidates)
    templates = normalise(messages)
    weights = templates.value_counts(sort=False)
    labels = pd.Series(cluster_templates(weights.index.tolist(), weights.to_list()), weights.index)
    needed = list(dict.fromkeys([*KEY, *keys, "status", "cause"]))  # narrow: fast per group
    rows = candidates[needed].assign(
        _message=messages, _template=templates, _cluster=templates.map(labels).to_numpy()
    )
    clusters = rows.groupby([*keys, "_cluster"], sort=True)
    stats = clusters.agg(count=("task_id", "size"), tasks=("task_id", "nunique"))
    stats["failures"] = n_failures.reindex(stats.index.droplevel("_cluster")).to_numpy()
    stats = stats[
        (stats["count"] >= thresholds.one_error_share * stats["failures"])
        & (stats["tasks"] >= thresholds.one_error_min_tasks)
    ]
    findings = [_one_error_finding(clusters.get_group(key), row) for key, row in stats.iterrows()]
    return findings_frame(findings)


def _reaching(
    candidates: pd.DataFrame, n_failures: pd.Series, thresholds: Thresholds
) -> pd.DataFrame:
    """The candidate rows of groups whose candidates alone could reach the thresholds: only
    these need their messages clustered."""
    keys = list(n_failures.index.names)
    reach = candidates.groupby(keys).agg(n=("task_id", "size"), tasks=("task_id", "nunique"))
    reach = reach[
        (reach["n"] >= thresholds.one_error_share * n_failures.reindex(reach.index))
        & (reach["tasks"] >= thresholds.one_error_min_tasks)
    ]
    return candidates[pd.MultiIndex.from_frame(candidates[keys]).isin(reach.index)]


def _one_error_finding(group: pd.DataFrame, stats: pd.Series) -> Finding:
    model, language, task = group.iloc[0][["model", "language", _TASK]]
    count, n, tasks = int(stats["count"]), int(stats["failures"]), int(stats["tasks"])
    text = group["_message"].value_counts().index[0]
    example = group[group["_message"].eq(text)].iloc[0]
    message = (
        f"{model} {language} {task}: one error accounts for {count} of {n} failures "
        f"({_pct(count, n)}) over {tasks} tasks — “{text[:120]}”: the signature of a broken "
        "environment or of a systematic prompt or assembly problem, not of many model "
        "mistakes; read one example and fix the cause before comparing this language"
    )
    evidence = {
        "failures": n,
        "count": count,
        "tasks": tasks,
        "message": text[:300],
        "template": str(example["_template"])[:300],
        "cause": example.get("cause"),
        "status": example["status"],
        "example": _key_text(example.to_dict()),
    }
    return _finding("one_error", "warning", model, language, task, message, evidence)


# -- limits ----------------------------------------------------------------------------------
def check_limits(results: pd.DataFrame, thresholds: Thresholds = THRESHOLDS) -> pd.DataFrame:
    """``warning`` per language and task kind where timeouts concentrate (at least
    ``timeout_share`` of judged samples, ``timeout_min`` of them over ``timeout_min_tasks``
    tasks), and where timed-out samples run again with more time (``probe`` rows) finished."""
    frame = prepared(results)
    findings = [*_concentrated_timeouts(frame, thresholds), *_finished_probes(frame)]
    return findings_frame(findings)


def _concentrated_timeouts(frame: pd.DataFrame, thresholds: Thresholds) -> list[Finding]:
    judged = _judged(of_kind(frame, SCORED))
    timeout = judged["status"].eq(Status.TIMEOUT)
    keys = [judged["language"], judged[_TASK]]
    stats = pd.DataFrame(
        {
            "samples": judged.groupby(keys).size(),
            "timeouts": timeout.groupby(keys).sum(),
            "tasks": judged[timeout].groupby(["language", _TASK])["task_id"].nunique(),
        }
    ).fillna(0)
    stats = stats[
        (stats["timeouts"] >= thresholds.timeout_min)
        & (stats["timeouts"] >= thresholds.timeout_share * stats["samples"])
        & (stats["tasks"] >= thresholds.timeout_min_tasks)
    ]
    findings = []
    for (language, task), row in stats.iterrows():
        n, k = int(row["samples"]), int(row["timeouts"])
        group = judged[timeout & judged["language"].eq(language) & judged[_TASK].eq(task)]
        seconds = group["run_seconds"] if "run_seconds" in group.columns else pd.Series([0.0])
        message = (
            f"{language} {task}: {k} of {n} samples ({_pct(k, n)}) timed out, over "
            f"{int(row['tasks'])} tasks and {group['model'].nunique()} models — more than "
            "programs that loop explain; the run limit may be too tight for this machine: "
            "check with `workbench health --probe-timeouts` whether they finish with more time"
        )
        evidence = {
            "samples": n,
            "timeouts": k,
            "tasks": int(row["tasks"]),
            "models": sorted(group["model"].unique()),
            "max_run_seconds": round(float(seconds.max()), 2),
            "example": _key_text(group.iloc[0].to_dict()),
        }
        findings.append(_finding("limits", "warning", "", language, task, message, evidence))
    return findings


def _finished_probes(frame: pd.DataFrame) -> list[Finding]:
    probes = of_kind(frame, PROBE)
    if probes.empty:
        return []
    findings = []
    for (language, task), group in probes.groupby(["language", _TASK], sort=True):
        done = group[group["status"].ne(Status.TIMEOUT)]
        if done.empty:
            continue
        passed = int(done["status"].eq(Status.PASSED).sum())
        slowest = float(done["run_seconds"].max()) if "run_seconds" in done else float("nan")
        message = (
            f"{language} {task}: {len(done)} of {len(group)} timed-out samples finished when "
            f"run again with more time (in up to {slowest:.1f} s; {passed} passed): the limit, "
            "not the program, decided their verdicts — raise the language's run_timeout "
            "(registry limits, or `--run-timeout`) and evaluate again"
        )
        examples = [
            {
                "sample": _key_text(row),
                "status": row["status"],
                "run_seconds": row.get("run_seconds"),
            }
            for row in done.head(_EXAMPLES).to_dict("records")
        ]
        evidence = {
            "probed": len(group),
            "finished": len(done),
            "passed": passed,
            "models": sorted(group["model"].unique()),
            "finished_samples": examples,
        }
        findings.append(_finding("limits", "warning", "", language, task, message, evidence))
    return findings


def probe_candidates(results: pd.DataFrame, per_kind: int = PROBES_PER_KIND) -> pd.DataFrame:
    """The scored samples that timed out, up to ``per_kind`` per language and task kind (a
    fixed random choice, so models and tasks are mixed): what ``--probe-timeouts`` runs again
    with more time (``evaluation.reruns.probe_timeouts``)."""
    frame = of_kind(prepared(results), SCORED)
    timeouts = frame[frame["status"].eq(Status.TIMEOUT)]
    chosen = timeouts.sample(frac=1.0, random_state=0).groupby(["language", _TASK]).head(per_kind)
    return chosen.drop(columns=[_TASK]).sort_index()


# -- published numbers -----------------------------------------------------------------------
def check_published(
    results: pd.DataFrame,
    leaderboard: pd.DataFrame | None = None,
    thresholds: Thresholds = THRESHOLDS,
) -> pd.DataFrame:
    """``warning`` where a model the paper reports (``inputs.paper.paper_model``) scores a
    pass@1 per language and task kind — and averaged over the languages both have — whose
    Wilson interval (``published_confidence``) excludes the published value; the finding says
    which way and by how much. ``leaderboard``: ``inputs.paper.load_leaderboard()`` by default."""
    frame = _judged(of_kind(prepared(results), SCORED))
    matched = {m: paper_model(m) for m in frame["model"].unique()}
    matched = {m: p for m, p in matched.items() if p is not None}
    if not matched:
        return findings_frame([])
    board = load_leaderboard() if leaderboard is None else leaderboard
    board = board.assign(**{_TASK: group_labels(board, "task").astype(str)})
    counts = load_task_counts()
    counts = counts.assign(**{_TASK: group_labels(counts, "task").astype(str)})
    counts = counts.set_index(["language", _TASK])["n_tasks"]
    findings = []
    for model, canonical in matched.items():
        ours = frame[frame["model"].eq(model)]
        table = pass_at_k_table(
            ours.drop(columns=[_TASK]),
            k=1,
            by=["language", "task"],
            confidence=thresholds.published_confidence,
        )
        table = table[table["n_tasks"] > 0].rename(columns={"task": _TASK})
        published = board[board["model"].eq(canonical)]
        published = published[["language", _TASK, "pass_at_1", "source_model"]]
        both = table.merge(published, on=["language", _TASK], suffixes=("", "_published"))
        if both.empty:
            continue
        both["n_tasks_published"] = [
            counts.get((lang, task))
            for lang, task in zip(both["language"], both[_TASK], strict=True)
        ]
        both = pd.concat([both, _published_averages(both, thresholds)], ignore_index=True)
        outside = both[
            (both["pass_at_1_published"] < both["pass_at_1_low"])
            | (both["pass_at_1_published"] > both["pass_at_1_high"])
        ]
        for row in outside.to_dict("records"):
            findings.append(_published_finding(model, canonical, row, thresholds))
    return findings_frame(findings)


def _published_averages(both: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """Per task kind with two or more languages: our plain mean over the languages both have,
    its interval at Kish's effective number of tasks, and the published mean over the same."""
    rows = []
    for task, group in both.groupby(_TASK, sort=True):
        if len(group) < 2:
            continue
        mean = float(group["pass_at_1"].mean())
        low, high = wilson_interval(
            mean, effective_sample_size(group["n_tasks"]), thresholds.published_confidence
        )
        rows.append(
            {
                "language": AVG_LABEL,
                _TASK: task,
                "n_tasks": int(group["n_tasks"].sum()),
                "n_languages": len(group),
                "pass_at_1": mean,
                "pass_at_1_low": low,
                "pass_at_1_high": high,
                "pass_at_1_published": float(group["pass_at_1_published"].mean()),
                "source_model": _first(group, "source_model"),
                "n_tasks_published": pd.to_numeric(group["n_tasks_published"]).sum(),
            }
        )
    return pd.DataFrame(rows)


def _published_finding(
    model: str, canonical: str, row: dict[str, Any], thresholds: Thresholds
) -> Finding:
    ours, published = row["pass_at_1"], row["pass_at_1_published"]
    gap = 100 * (ours - published)
    way = "below" if gap < 0 else "above"
    over = f"{int(row['n_tasks'])} tasks"
    if pd.notna(row.get("n_languages")):
        over += f" of {int(row['n_languages'])} languages"
    full = row.get("n_tasks_published")
    full = None if full is None or pd.isna(full) else int(full)
    if full and row["n_tasks"] < full:
        over += f" (the paper: {full})"
    level = round(100 * thresholds.published_confidence)
    message = (
        f"{model} {row['language']} {row[_TASK]}: pass@1 {100 * ours:.1f}% "
        f"[{100 * row['pass_at_1_low']:.1f}, {100 * row['pass_at_1_high']:.1f}] over {over} "
        f"is {abs(gap):.1f} points {way} the published {100 * published:.1f}% "
        f"({row['source_model']}), outside the {level}% interval: compare the prompts, "
        "sampling, extraction and toolchains with the paper's before trusting either number"
    )
    evidence = {
        "paper_model": canonical,
        "published_as": row["source_model"],
        "published": round(published, 4),
        "pass_at_1": round(ours, 4),
        "low": round(row["pass_at_1_low"], 4),
        "high": round(row["pass_at_1_high"], 4),
        "confidence": thresholds.published_confidence,
        "difference": round(ours - published, 4),
        "n_tasks": int(row["n_tasks"]),
        "n_tasks_published": full,
    }
    return _finding("published", "warning", model, row["language"], row[_TASK], message, evidence)


# -- flaky verdicts --------------------------------------------------------------------------
def check_flaky(results: pd.DataFrame) -> pd.DataFrame:
    """``warning`` per model, language and task kind with samples whose verdict changed when
    run again (``repeat`` rows against the ``scored`` row of the same sample), with both
    statuses."""
    frame = prepared(results)
    repeats = of_kind(frame, REPEAT)
    if repeats.empty:
        return findings_frame([])
    scored = of_kind(frame, SCORED)[[*KEY, "status", "language", _TASK]]
    if RUN_INDEX in repeats.columns:  # the statuses listed in the order the repeats ran
        repeats = repeats.sort_values(RUN_INDEX, kind="stable")
    pairs = repeats[[*KEY, "status"]].merge(scored, on=KEY, suffixes=("_repeat", ""))
    pairs["changed"] = pairs["status_repeat"].ne(pairs["status"])
    findings = []
    for (model, language, task), group in pairs.groupby(["model", "language", _TASK], sort=True):
        per_sample = group.groupby(KEY, sort=True).agg(
            status=("status", "first"), repeats=("status_repeat", list), changed=("changed", "any")
        )
        changed = per_sample[per_sample["changed"]].reset_index()
        if changed.empty:
            continue
        examples = [
            {"sample": _key_text(row), "scored": row["status"], "repeats": row["repeats"]}
            for row in changed.head(_EXAMPLES).to_dict("records")
        ]
        first = examples[0]
        message = (
            f"{model} {language} {task}: {len(changed)} of {len(per_sample)} samples run "
            f"again changed verdict (e.g. {first['sample']}: {first['scored']}, then "
            f"{', '.join(first['repeats'])}): these verdicts depend on load or chance — run "
            "with fewer jobs or more time, or count them as unstable"
        )
        evidence = {"repeated": len(per_sample), "changed": len(changed), "samples": examples}
        findings.append(_finding("flaky", "warning", model, language, task, message, evidence))
    return findings_frame(findings)


# -- all of them -----------------------------------------------------------------------------
CHECKS: dict[str, Callable[..., pd.DataFrame]] = {
    "environment": check_environment,
    "extraction": check_extraction,
    "one_error": check_one_error,
    "limits": check_limits,
    "published": check_published,
    "flaky": check_flaky,
}


def run_check(
    rule: str,
    results: pd.DataFrame,
    leaderboard: pd.DataFrame | None = None,
    thresholds: Thresholds = THRESHOLDS,
) -> pd.DataFrame:
    """The check ``rule`` on ``results``, given what it takes of ``leaderboard`` and
    ``thresholds``."""
    if rule == "published":
        return check_published(results, leaderboard, thresholds)
    if rule in ("environment", "flaky"):
        return CHECKS[rule](results)
    return CHECKS[rule](results, thresholds)


def health(
    results: pd.DataFrame,
    leaderboard: pd.DataFrame | None = None,
    thresholds: Thresholds = THRESHOLDS,
    rules: Sequence[str] = RULES,
) -> pd.DataFrame:
    """Run the checks ``rules`` (all six by default) on ``results`` and return every finding,
    errors first, then by rule, language, task kind and model (columns ``FINDING_COLUMNS``).
    ``leaderboard``: the published numbers (``inputs.paper.load_leaderboard()`` by default)."""
    unknown = [r for r in rules if r not in CHECKS]
    if unknown:
        raise InputError(f"unknown health checks {unknown}; known: {', '.join(RULES)}")
    frame = prepared(results)
    parts = [run_check(rule, frame, leaderboard, thresholds) for rule in rules]
    found = [p for p in parts if not p.empty]
    if not found:
        return findings_frame([])
    table = pd.concat(found, ignore_index=True)
    order = table.assign(
        _s=table["severity"].map(SEVERITIES.index), _r=table["rule"].map(RULES.index)
    )
    order = order.sort_values(["_s", "_r", "language", "task", "model"], kind="stable")
    return table.loc[order.index].reset_index(drop=True)
