"""pass@k as every view shows it: two readings side by side — under the benchmark's rules, and
with the defective tasks set aside — never one in place of the other, and a footnote that lists
the tasks set aside with their reason and source (or says once that none applies).

The numbers are ``pass_at_k_table``'s (``set_aside=defective_tasks(store)``); this module only
names and lays them out, for the command line's text, the HTML report and a notebook
(``score_table``: a table that displays what it holds, its footnote under it).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from workbench.analysis.defects import SHIPPED, applied_defects, defective_tasks
from workbench.analysis.passk import (
    COUNT_COLUMNS,
    DEFECTIVE_COUNT,
    DEFECTS_ASIDE,
    k_values,
    pass_at_k_table,
)
from workbench.evaluation.store import Store
from workbench.views.detail import plural

RULES = "benchmark rules"
ASIDE = "defective tasks set aside"


def reading(k: int, aside: bool = False) -> str:
    """A score column's title: ``pass@1 % (benchmark rules)`` or ``… (defective tasks set
    aside)``."""
    return f"pass@{k} % ({ASIDE if aside else RULES})"


def _percent_with_interval(score: float, low: float, high: float) -> str:
    if pd.isna(score):
        return "–"
    return f"{score * 100:.1f} [{low * 100:.1f}, {high * 100:.1f}]"


def shown_scores(table: pd.DataFrame, ks: Sequence[int] | int = 1) -> pd.DataFrame:
    """``pass_at_k_table``'s table as the views show it: the groups and counts, then per k the
    benchmark's score and the score with the defective tasks set aside (each ``% [95%
    interval]``) with ``n_defective_tasks`` between them. A table computed without ``set_aside``
    shows the first reading only."""
    ks = k_values(ks)
    groups = [
        c
        for c in table.columns
        if c not in COUNT_COLUMNS and c != DEFECTIVE_COUNT and not c.startswith("pass_at_")
    ]
    out = table[[*groups, *COUNT_COLUMNS]].copy()
    readings = (False, True) if DEFECTIVE_COUNT in table.columns else (False,)
    for k in ks:
        for aside in readings:
            column = f"pass_at_{k}" + (f"_{DEFECTS_ASIDE}" if aside else "")
            if aside and DEFECTIVE_COUNT not in out.columns:
                out[DEFECTIVE_COUNT] = table[DEFECTIVE_COUNT]
            out[reading(k, aside)] = [
                _percent_with_interval(p, low, high)
                for p, low, high in zip(
                    table[column], table[f"{column}_low"], table[f"{column}_high"], strict=True
                )
            ]
    return out.reset_index(drop=True)


def footnote_lines(applied: pd.DataFrame, listed: int | None = None) -> list[str]:
    """The footnote of a score table: each defective task the second reading set aside, with its
    kind, reason, source and the samples it holds — or one line saying none applies."""
    if applied.empty:
        known = f" (of the {listed} on the list)" if listed else ""
        return [f"No defective task{known} is among these results: the two readings are the same."]
    entries = plural(len(applied), "defective task entry", "defective task entries")
    lines = [f"Set aside in the second reading ({entries}):"]
    for row in applied.to_dict("records"):
        kind = row["task"] if isinstance(row.get("task"), str) and row["task"] else "every kind"
        source = row["source"] if row["source"] == SHIPPED else f"{row['source']} {row['author']}"
        lines.append(
            f"  {row['task_id']} ({kind}; {source}; {row['n_samples']} samples): {row['reason']}"
        )
    return lines


def footnote_html(applied: pd.DataFrame, listed: int | None = None) -> str:
    """``footnote_lines`` as an HTML paragraph (every text escaped)."""
    lines = footnote_lines(applied, listed)
    if applied.empty:
        return f'<p class="muted">{html.escape(lines[0])}</p>'
    items = "".join(f"<li>{html.escape(line.strip())}</li>" for line in lines[1:])
    return f'<div class="muted">{html.escape(lines[0])}<ul>{items}</ul></div>'


@dataclass
class ScoreTable:
    """pass@k in both readings and its footnote, as a notebook displays it (``score_table``).

    ``table``: ``pass_at_k_table``'s frame (fractions; every column); ``defects``: the defective
    tasks that apply (``applied_defects``); ``listed``: how many the list holds."""

    table: pd.DataFrame
    defects: pd.DataFrame
    listed: int
    ks: tuple[int, ...] = (1,)

    @property
    def shown(self) -> pd.DataFrame:
        """The table as shown: percentages with their intervals, both readings."""
        return shown_scores(self.table, self.ks)

    def _repr_html_(self) -> str:
        table = self.shown.to_html(
            index=False, escape=True, classes=["tex2jax_ignore", "mathjax_ignore"]
        )
        return table + footnote_html(self.defects, self.listed)

    def __str__(self) -> str:
        return "\n".join(
            [self.shown.to_string(index=False), "", *footnote_lines(self.defects, self.listed)]
        )

    __repr__ = __str__


def score_table(
    results: pd.DataFrame,
    k: int | Sequence[int] = 1,
    by: str | Sequence[str] = "language",
    *,
    store: Store | str | Path | None = None,
    defects: pd.DataFrame | None = None,
    table: pd.DataFrame | None = None,
) -> ScoreTable:
    """pass@k of ``results`` per model and ``by`` group in both readings, with the footnote:
    the defective tasks are ``defects``, else ``defective_tasks(store)`` (the shipped list and
    the store's own marks), else the shipped list. ``table``: the scores already computed with
    those defects set aside (``difficulty_table(..., set_aside=...)``), shown as they are."""
    listed = defects if defects is not None else defective_tasks(store)
    if table is None:
        table = pass_at_k_table(results, k=k, by=by, set_aside=listed)
    return ScoreTable(table, applied_defects(results, listed), len(listed), k_values(k))
