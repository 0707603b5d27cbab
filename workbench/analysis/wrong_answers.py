"""What every check says of the failing samples, per model and language (docs/checks.md): how
many of its checks each opened sample passed (a histogram), and the kinds of miss of the wrong
answers, also side by side per model for a comparison.

Both count the scored rows that failed (``rows.failing``). A sample is *opened* when the checks
run (``workbench checks``, ``evaluate --checks``) judged its checks: its ``checks_total`` is
set. A *wrong answer* is a sample whose status is ``failed`` (a check of the test did not hold);
its ``miss`` is set once it is opened and some check failed. Samples not yet opened are counted
as such, so a table says what it covers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from workbench.analysis.rows import failing
from workbench.execution.miss import MISS_KINDS
from workbench.execution.records import Status

# How many of a sample's checks passed, in words (``checks_passed_bin``), in the order shown.
CHECKS_PASSED_BINS: tuple[str, ...] = (
    "no checks read",
    "none",
    "under half",
    "half or more",
    "all but one",
    "all",
)
NOT_OPENED = "not opened"
NO_KIND = "no kind"  # a wrong answer without a kind of miss: not opened, or no check read
OVERALL = "ALL"


def checks_passed_bin(passed: int, total: int) -> str:
    """The bin of a sample whose instrumented run passed ``passed`` of ``total`` checks: ``no
    checks read`` (total 0), ``none``, ``all``, ``all but one`` (two checks or more), else
    ``under half`` or ``half or more``."""
    if total <= 0:
        return CHECKS_PASSED_BINS[0]
    if passed <= 0:
        return "none"
    if passed >= total:
        return "all"
    if passed == total - 1:
        return "all but one"
    return "under half" if passed * 2 < total else "half or more"


def _columns(results: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
    rows = failing(results)
    for name in names:
        if name not in rows.columns:
            rows = rows.assign(**{name: None})
    return rows


def checks_histogram(
    results: pd.DataFrame, by: Sequence[str] = ("model", "language")
) -> pd.DataFrame:
    """Per ``by`` group: ``failing`` samples, ``not opened`` (no checks run yet, or a status
    it does not open: compile errors, timeouts), ``opened``, and how many opened samples fall in
    each bin of ``CHECKS_PASSED_BINS``. Empty when no sample failed."""
    by = list(by)
    rows = _columns(results, ["checks_passed", "checks_total"])
    columns = [*by, "failing", NOT_OPENED, "opened", *CHECKS_PASSED_BINS]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    total = pd.to_numeric(rows["checks_total"], errors="coerce")
    passed = pd.to_numeric(rows["checks_passed"], errors="coerce").fillna(0)
    bins = [
        checks_passed_bin(int(p), int(t)) if pd.notna(t) else NOT_OPENED
        for p, t in zip(passed, total, strict=True)
    ]
    frame = rows[by].assign(bin=pd.Categorical(bins, [NOT_OPENED, *CHECKS_PASSED_BINS]))
    table = frame.groupby([*by, "bin"], observed=False, sort=True).size().unstack("bin")
    table = table[table.sum(axis=1) > 0].fillna(0).astype(int)
    table.insert(0, "failing", table.sum(axis=1))
    table.insert(2, "opened", table["failing"] - table[NOT_OPENED])
    return table.reset_index()[columns].rename_axis(columns=None)


def miss_table(results: pd.DataFrame, by: Sequence[str] = ("model", "language")) -> pd.DataFrame:
    """Per ``by`` group: ``wrong answers`` (status ``failed``), how many have a kind of miss
    (``with miss``), and the count of each kind (``MISS_KINDS``, in their order). Empty when
    there is no wrong answer."""
    by = list(by)
    rows = _columns(results, ["miss"])
    wrong = rows[rows["status"].eq(Status.FAILED)]
    columns = [*by, "wrong answers", "with miss", *MISS_KINDS]
    if wrong.empty:
        return pd.DataFrame(columns=columns)
    kinds = pd.Categorical(wrong["miss"].where(wrong["miss"].isin(MISS_KINDS)), MISS_KINDS)
    counts = wrong[by].assign(miss=kinds).groupby([*by, "miss"], observed=False, sort=True).size()
    table = counts.unstack("miss").fillna(0).astype(int)
    sizes = wrong.groupby(by, sort=True).size()
    table = table.reindex(sizes.index).fillna(0).astype(int)
    table.insert(0, "with miss", table.sum(axis=1))
    table.insert(0, "wrong answers", sizes)
    return table.reset_index()[columns].rename_axis(columns=None)


def miss_side_by_side(
    results: pd.DataFrame, models: Sequence[str], by: str = "language"
) -> pd.DataFrame:
    """The kinds of miss of each model's wrong answers side by side: one row per (``by`` value,
    kind), ``ALL`` rows pooled over every value, a column per model in ``models`` (its wrong
    answers of that kind), kinds no model has left out. A model's ``wrong answers`` row per
    group gives the denominator; ``no kind`` counts wrong answers without one (not opened yet,
    or no check read: a language without a technique)."""
    table = miss_table(results[results["model"].isin(list(models))], by=["model", by])
    columns = [by, "miss", *models]
    if table.empty:
        return pd.DataFrame(columns=columns)
    table[NO_KIND] = table["wrong answers"] - table["with miss"]
    kinds = ["wrong answers", *MISS_KINDS, NO_KIND]
    pooled = table.groupby("model", sort=False)[kinds].sum().reset_index().assign(**{by: OVERALL})
    long = pd.concat([table, pooled], ignore_index=True).melt(
        id_vars=["model", by], value_vars=kinds, var_name="miss", value_name="count"
    )
    wide = long.pivot_table(
        index=[by, "miss"], columns="model", values="count", aggfunc="sum", fill_value=0
    )
    wide = wide.reindex(columns=list(models), fill_value=0)
    wide = wide[wide.sum(axis=1) > 0].reset_index()
    groups = [*sorted(set(wide[by]) - {OVERALL}), OVERALL]
    order = wide[by].map(groups.index) * len(kinds) + wide["miss"].map(kinds.index)
    out = wide.iloc[np.argsort(order.to_numpy(), kind="stable")][columns]
    out = out.reset_index(drop=True).rename_axis(columns=None)
    out[list(models)] = out[list(models)].astype(np.int64)
    return out
