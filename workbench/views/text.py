"""The analysis tables as plain text, as the command line prints them: the same tables the HTML
report and the notebook widgets show, computed by ``analysis/`` and only laid out here.

Scores are fractions in every table; here they are printed as percentages with one decimal.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import pandas as pd

from workbench.analysis.compare_models import DEFECTIVE_PAIRS, Comparison
from workbench.analysis.defects import applied_defects, defective_tasks
from workbench.analysis.failure_modes import example_key
from workbench.analysis.health import SEVERITIES
from workbench.analysis.passk import (
    AVG_LABEL,
    DEFECTS_ASIDE,
    pass_at_k_table,
    select_task_kind,
    status_counts,
)
from workbench.analysis.rows import task_kinds
from workbench.views.detail import shorten
from workbench.views.scores import footnote_lines, shown_scores


def format_table(results: pd.DataFrame, defects: pd.DataFrame | None = None) -> str:
    """Per-language pass@1 in both readings (the benchmark's, and with ``defects`` — default:
    the shipped list — set aside) and status counts for each model, as text, with the
    footnote once at the end."""
    listed = defective_tasks() if defects is None else defects
    scores = shown_scores(pass_at_k_table(results, k=1, by="language", set_aside=listed))
    counts = status_counts(results)
    status_cols = [c for c in counts.columns if c not in ("model", "language")]
    out = []
    for model, table in scores.groupby("model", sort=True):
        merged = table.merge(counts[counts["model"] == model], on=["model", "language"], how="left")
        merged[status_cols] = merged[status_cols].fillna(0).astype(int)
        merged.loc[merged["language"] == AVG_LABEL, status_cols] = merged[status_cols].sum().values
        cols = [c for c in scores.columns if c not in ("model", "n_passed", "n_excluded")]
        out.append(f"model: {model}\n{merged[[*cols, *status_cols]].to_string(index=False)}")
    return "\n\n".join(out) + "\n\n" + footnote_text(results, listed)


def footnote_text(results: pd.DataFrame, defects: pd.DataFrame) -> str:
    """The score tables' footnote: the defective tasks of ``defects`` the second reading set
    aside in ``results``, or one line saying none applies."""
    return "\n".join(footnote_lines(applied_defects(results, defects), len(defects)))


def format_by_task(results: pd.DataFrame, defects: pd.DataFrame | None = None) -> str:
    """``format_table`` once per task kind (and completion subset) the results hold."""
    kinds = task_kinds(results)
    if len(kinds) <= 1:
        return format_table(results, defects)
    return "\n\n".join(
        f"task: {task}{f'/{subset}' if subset else ''}\n"
        f"{format_table(select_task_kind(results, task, subset), defects)}"
        for task, subset in kinds
    )


def format_pass_at_k(table: pd.DataFrame, ks: Sequence[int], footnote: str = "") -> str:
    """``pass_at_k_table``'s table per model: each reading of pass@k in % with its 95%
    interval (both when the table has them), then ``footnote`` once."""
    shown = shown_scores(table, ks)
    blocks = [
        f"model: {model}\n{part.drop(columns='model').to_string(index=False)}"
        for model, part in shown.groupby("model", sort=True)
    ]
    return "\n\n".join(blocks) + (f"\n\n{footnote}" if footnote else "")


def format_defects(table: pd.DataFrame) -> str:
    """The defective tasks (``defective_tasks``, or a store's marks) as text: one line each."""
    if table.empty:
        return "no task is set aside"
    lines = []
    for row in table.to_dict("records"):
        kind = row["task"] if isinstance(row.get("task"), str) else "every kind"
        who = row.get("source") or row.get("action")
        if isinstance(row.get("author"), str):
            who = f"{who}, {row['author']}, {str(row.get('created_at'))[:16]}"
        held = f"; {row['n_samples']} samples here" if "n_samples" in row else ""
        lines.append(f"{row['task_id']} ({kind}; {who}{held}): {row['reason']}")
    return "\n".join(lines)


def _cluster_lines(part: pd.DataFrame, label: str, top: int) -> list[str]:
    """One group's ``top`` clusters: a line of numbers and template, then an example."""
    width = max(len(label), *(len(str(v)) for v in part[label].head(top)))
    lines = [f"  cluster  count  share  {label.ljust(width)}  template"]
    pad = f"  {'':>7}  {'':>5}  {'':>5}  {''.ljust(width)}  "
    for row in part.head(top).itertuples(index=False):
        lines.append(
            f"  {row.cluster:>7}  {row.count:>5}  {row.share * 100:4.0f}%  "
            f"{str(getattr(row, label)).ljust(width)}  {shorten(row.template, 100)}"
        )
        example = example_key(row.examples[0]) if row.examples else ""
        lines.append(f"{pad}e.g. {example}:")
        lines.append(f"{pad}  {shorten(row.message, 100)}")
        if getattr(row, "n_noted", 0):
            tags = f"; tags: {row.tags}" if row.tags else ""
            lines.append(f"{pad}noted: {row.n_noted} of {row.count}{tags}")
    return lines


def format_failure_modes(table: pd.DataFrame, by: Sequence[str], top: int = 10) -> str:
    """``failure_modes``' table as text: per group, its ``top`` clusters with count, share,
    dominant status (and cause), template, and one example message with its sample key."""
    if table.empty:
        return "no failures"
    by = list(by)
    shown = [c for c in ("cause", "status") if c in table.columns and c not in by]
    label = shown[0] if shown else "count"
    blocks = []
    groups = table.groupby(by, sort=False, dropna=False) if by else [((), table)]
    for values, part in groups:
        values = values if isinstance(values, tuple) else (values,)
        shown_values = ("(none)" if pd.isna(v) else v for v in values)
        name = ", ".join(f"{c} {v}" for c, v in zip(by, shown_values, strict=True)) or "all"
        failures, clusters = int(part["n_failures"].iloc[0]), len(part)
        head = (
            f"{name}: {failures} failure{'s' * (failures != 1)} in {clusters} "
            f"cluster{'s' * (clusters != 1)}"
        )
        lines = [head + (f" (top {top})" if len(part) > top else "")]
        blocks.append("\n".join(lines + _cluster_lines(part, label, top)))
    return "\n\n".join(blocks)


SIGNIFICANT = 0.05  # a p-value below this is marked


def p_text(p: float) -> str:
    """A p-value as the tables print it, marked ``*`` below ``SIGNIFICANT``."""
    return "" if pd.isna(p) else f"{p:.3g}" + (" *" if p < SIGNIFICANT else "")


def shown_comparison(part: pd.DataFrame) -> pd.DataFrame:
    """One model pair's comparison table as the views show it: ``compare_models``' column order
    (the group, the discordant counts and p first), pass rates in %, p-values marked, the
    models' names left out (the views name the pair once)."""
    unpaired = [c for c in ("n_unpaired_a", "n_unpaired_b") if not part[c].any()]
    shown = part.drop(columns=["model_a", "model_b", *unpaired])
    rates = [c for c in shown.columns if c.startswith("pass_rate_")]
    shown[rates] = (shown[rates] * 100).round(1)
    for column in [c for c in shown.columns if c.startswith("p_value")]:
        shown[column] = shown[column].map(p_text)
    return shown.rename(columns=comparison_title)


# How the views title ``compare_models``' columns (the rest keep their names).
_TITLES = {
    "only_a": "only A",
    "only_b": "only B",
    "p_value": "p",
    "pass_rate_a": "pass A %",
    "pass_rate_b": "pass B %",
    DEFECTIVE_PAIRS: "defective pairs",
    "n_pairs": "pairs",
    "both_pass": "both pass",
    "both_fail": "both fail",
    "n_tasks": "tasks",
    "n_excluded": "excluded",
    "n_unpaired_a": "unpaired A",
    "n_unpaired_b": "unpaired B",
}


def comparison_title(column: str) -> str:
    """A comparison column's title: ``only A``, ``p``, ``pass A %``; a second-reading column's
    with ``aside`` (``p aside``: the defective tasks set aside)."""
    base = column.removesuffix(f"_{DEFECTS_ASIDE}")
    title = _TITLES.get(base, base)
    if base == column:
        return title
    return title.replace(" %", " aside %") if title.endswith(" %") else f"{title} aside"


def format_comparison(comparison: Comparison, by: str = "language", limit: int = 20) -> str:
    """The comparison as text: per model pair its table (discordant counts and p first, pass
    rates in %, p < 0.05 marked) and its first ``limit`` disagreements."""
    blocks = []
    aside = DEFECTIVE_PAIRS in comparison.table.columns
    for (a, b), part in comparison.table.groupby(["model_a", "model_b"], sort=False):
        lines = [
            f"A = {a}\nB = {b}",
            shown_comparison(part).to_string(index=False),
            f"* p < {SIGNIFICANT}: exact McNemar test on the pairs where one model passed"
            + ("; aside: the same with the defective tasks set aside" * aside),
        ]
        listed = comparison.disagreements[
            (comparison.disagreements["model_a"] == a) & (comparison.disagreements["model_b"] == b)
        ]
        more = f" (first {limit})" if len(listed) > limit else ""
        lines.append(f"\ndisagreements: {len(listed)}{more}")
        for row in listed.head(limit).to_dict("records"):
            loser = "b" if row["winner"] == a else "a"
            winner = "A" if loser == "b" else "B"
            message = shorten(row.get(f"message_{loser}"), 90)
            lines.append(
                f"  {row['task_id']} #{row['sample_index']} ({row[by]}, {row['task']}): "
                f"{winner} passed, {loser.upper()} {row[f'status_{loser}']}: {message}"
            )
        blocks.append("\n".join(lines))
    if not comparison.misses.empty:
        blocks.append(
            f"kinds of miss of each model's wrong answers, per {by}:\n"
            + comparison.misses.to_string(index=False)
        )
    return "\n\n".join(blocks)


def format_findings(findings: pd.DataFrame, width: int = 100) -> str:
    """``health``'s findings as text, in their order (errors first): per finding its severity,
    check and message, wrapped to ``width`` columns."""
    if findings.empty:
        return "no findings: every health check passed"
    lines = []
    for row in findings.to_dict("records"):
        head = f"{row['severity']:<8} {row['rule']:<12} "
        lines.append(
            textwrap.fill(
                row["message"],
                width=width,
                initial_indent=head,
                subsequent_indent=" " * len(head),
                break_on_hyphens=False,
            )
        )
    return "\n".join(lines)


def format_health_summary(findings: pd.DataFrame, store: object = None) -> str:
    """What ``workbench evaluate`` ends with: one line when no check found anything, else the
    count per severity and the findings (``format_findings``)."""
    more = f" (`workbench health --store {store}`)" if store is not None else ""
    if findings.empty:
        return f"health: no findings, every check passed{more}"
    counts = findings["severity"].value_counts()
    tally = ", ".join(
        f"{int(counts[s])} {s}{'s' * (int(counts[s]) != 1)}" for s in SEVERITIES if s in counts
    )
    return f"health: {tally}{more}\n{format_findings(findings)}"


def format_checks(histogram: pd.DataFrame, misses: pd.DataFrame) -> str:
    """What every check says of the failing samples (``analysis.wrong_answers``): per model and
    language, how many checks the opened samples passed, and the kinds of miss of the wrong
    answers."""
    if histogram.empty:
        return "checks passed: no failing samples"
    if not histogram["opened"].any():
        return (
            "checks passed: no failing sample opened yet (`workbench checks --store S`, or "
            "`workbench evaluate --checks`: every check judged, docs/checks.md)"
        )
    lines = [
        "checks passed, per failing sample the checks run opened (workbench checks; "
        "docs/checks.md):",
        histogram.to_string(index=False),
    ]
    if not misses.empty:
        lines += ["", "kinds of miss of the wrong answers (status failed):"]
        shown = misses.loc[:, (misses != 0).any(axis=0)]
        lines.append(shown.to_string(index=False))
    return "\n".join(lines)


def _interval(low: pd.Series, high: pd.Series) -> list[str]:
    return [
        "" if pd.isna(lo) else f"[{lo * 100:.1f}, {hi * 100:.1f}]"
        for lo, hi in zip(low, high, strict=True)
    ]


def format_repair_scores(
    scores: pd.DataFrame, recovered: pd.DataFrame, by: str = "language"
) -> str:
    """``repair_scores``' table per model — pass@1 in % with its 95% interval as scored and
    after repair, the failing samples rerun after a repair and those it recovered — then
    ``recovered``'s lines: which repairs turned how many samples into a pass. ``by``: the
    grouping the scores were computed with."""
    if scores.empty:
        return "no results"
    blocks = []
    for model, part in scores.groupby("model", sort=True):
        shown = pd.DataFrame(
            {
                by: part[by],
                "tasks": part["n_tasks"],
                "pass@1 %": (part["pass_at_1"] * 100).round(1),
                "95% CI": _interval(part["pass_at_1_low"], part["pass_at_1_high"]),
                "after repair %": (part["pass_at_1_after_repair"] * 100).round(1),
                "after 95% CI": _interval(
                    part["pass_at_1_low_after_repair"], part["pass_at_1_high_after_repair"]
                ),
                "repaired": part["n_repaired"],
                "recovered": part["n_recovered"],
            }
        )
        lines = [f"model: {model}", shown.to_string(index=False)]
        mine = recovered[recovered["model"] == model] if "model" in recovered else recovered
        if len(mine):
            lines.append("recovered by the repairs applied (passed of rerun):")
            lines += [
                f"  {row.repairs}: {row.recovered} of {row.tried}"
                for row in mine.itertuples(index=False)
            ]
        else:
            lines.append("no failing sample was repaired (workbench repair --store S)")
        blocks.append("\n".join(lines))
    note = (
        "after repair: a failing sample's verdict after the mechanical repairs where one applied "
        "(workbench repair); every other sample keeps its scored verdict"
    )
    return "\n\n".join(blocks) + "\n\n" + note
