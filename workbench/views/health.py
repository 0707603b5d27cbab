"""The health findings where a user reads the numbers (docs/health.md): the report's "Can these
numbers be trusted?" section, the mark of a language with an ``error`` finding on a pass@1 table
shown in a notebook (its message on hover and below the table), and the line the FailureBrowser
shows beside its count. The findings are computed by ``analysis.health``; this only shows them.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

from workbench.analysis.health import ERROR_RULES, health
from workbench.views.detail import esc

MARK = "⚠"  # after the name of a language with an error finding
STYLE = """
table.wb-health td.sev-error { color: #b00; font-weight: bold; }
table.wb-health td.sev-warning { color: #a60; }
table.wb-health pre { margin: 0; font-size: 11px; white-space: pre-wrap; }
"""


def error_findings(results: pd.DataFrame) -> pd.DataFrame:
    """The ``error`` findings of ``results`` (rows of every kind: controls included), from the
    only checks that find errors (``ERROR_RULES``): cheap enough for a browser's start."""
    findings = health(results, rules=ERROR_RULES)
    return findings[findings["severity"].eq("error")].reset_index(drop=True)


def error_marks(findings: pd.DataFrame) -> dict[str, list[str]]:
    """Language -> the messages of its ``error`` findings, in the findings' order."""
    errors = findings[findings["severity"].eq("error")]
    marks: dict[str, list[str]] = {}
    for language, message in zip(errors["language"], errors["message"], strict=True):
        marks.setdefault(str(language), []).append(str(message))
    return marks


def marked(language: Any, marks: dict[str, list[str]]) -> str:
    """A language's name as a marked table shows it: with ``MARK`` when it has an error."""
    return f"{language} {MARK}" if str(language) in marks else str(language)


def mark_languages(table: pd.DataFrame, findings: pd.DataFrame) -> Styler:
    """``table`` (a pass@1 table: languages as its index or in a ``language`` column) with each
    language that has an ``error`` finding marked ``⚠``: the finding's message on hover over
    the language's row and, in full, below the table. A table of no such language is shown as
    it is."""
    marks = error_marks(findings)
    by_index = "language" not in table.columns
    languages = pd.Series(table.index if by_index else table["language"], index=table.index)
    tips = pd.DataFrame("", index=table.index, columns=table.columns)
    for position, language in enumerate(languages):
        if str(language) in marks:
            tips.iloc[position, :] = " · ".join(marks[str(language)])
    styler = table.style.set_tooltips(tips, props="max-width: 40em; white-space: normal;")
    if by_index:
        styler = styler.format_index(lambda v: marked(v, marks), axis=0)
    else:
        styler = styler.format(lambda v: marked(v, marks), subset=["language"])
    if not marks:
        return styler
    notes = "".join(
        f"<div>{MARK} <b>{esc(language)}</b>: {esc(message)}</div>"
        for language, messages in marks.items()
        for message in messages
    )
    caption = (
        f"{MARK} marks a language whose numbers this machine cannot vouch for "
        f"(`wb.health`, docs/health.md):{notes}"
    )
    return styler.set_caption(caption).set_table_styles(
        [{"selector": "caption", "props": "caption-side: bottom; text-align: left;"}],
        overwrite=False,
    )


def health_line(findings: pd.DataFrame) -> str:
    """One small HTML line naming each language with an ``error`` finding, its messages on
    hover; empty when there is none (the FailureBrowser shows it beside its count)."""
    marks = error_marks(findings)
    if not marks:
        return ""
    names = " ".join(
        f'<span title="{esc(" · ".join(messages))}"><b>{esc(language)}</b></span>'
        for language, messages in marks.items()
    )
    return (
        f' · <span class="wb-health" style="color:#b00">{MARK} not to be trusted here: '
        f"{names} (hover for why; <code>wb.health</code>)</span>"
    )


def section_health(results: pd.DataFrame) -> str:
    """The report's "Can these numbers be trusted?" section: every finding of ``results`` (rows
    of every kind), errors first, with its evidence; or what was checked when none."""
    findings = health(results)
    head = f"<style>{STYLE}</style><h2>Can these numbers be trusted?</h2>"
    if findings.empty:
        return (
            f"{head}<p>No health check found anything: the controls (canonical solutions known "
            "to pass) passed, answers held code, no one error dominates a language's failures, "
            "timeouts are not concentrated, and no model is off its published numbers "
            "(docs/health.md).</p>"
        )
    counts = findings["severity"].value_counts()
    tally = ", ".join(f"{int(counts[s])} {s}" for s in ("error", "warning", "info") if s in counts)
    rows = "".join(
        f'<tr><td class="sev-{esc(f["severity"])}">{esc(f["severity"])}</td>'
        f"<td>{esc(f['rule'])}</td><td>{esc(f['model'])}</td><td>{esc(f['language'])}</td>"
        f"<td>{esc(f['task'])}</td><td>{esc(f['message'])}"
        '<details><summary class="muted">evidence</summary>'
        f"<pre>{esc(json.dumps(f['evidence'], indent=1, ensure_ascii=False))}</pre>"
        "</details></td></tr>"
        for f in findings.to_dict("records")
    )
    return (
        f"{head}<p>{tally} (docs/health.md: what each check looks for and what to do). An "
        "<b>error</b> means a number below is not about the model.</p>"
        '<table class="t wb-health"><tr><th>severity</th><th>check</th><th>model</th>'
        f"<th>language</th><th>task</th><th>finding</th></tr>{rows}</table>"
    )
