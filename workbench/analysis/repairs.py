"""What the mechanical repairs win: pass@1 as scored and after repair, and which repairs turned
how many failing samples into passes.

A results frame may hold, beside each sample's ``scored`` row, a ``repaired`` row: the sample's
answer after the repairs of ``workbench.programs.repairs``, run again (``workbench repair``). The
scored verdicts are never changed; "after repair" is a view in which a failing sample's verdict
is its repaired row's, where it has one, and every other sample keeps the verdict it was scored
with. A repaired run the machine could not judge (``toolchain_missing``,
``infrastructure_error``) changes nothing: the sample keeps its scored verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from workbench.analysis.passk import AVG_LABEL, group_labels, pass_at_k_table
from workbench.analysis.rows import failing, is_failing, of_kind
from workbench.execution.records import ANSWER_CAUSES, MACHINE_STATUSES, REPAIRED, SAMPLE_KEY

KEY = list(SAMPLE_KEY)
# The repaired row's columns ``after_repair`` puts beside a scored row.
REPAIR_COLUMNS: tuple[str, ...] = ("repairs", "repaired_status", "repaired_cause")
# ``repair_scores``: the scored pass@1 and its interval, then the same after repair (this
# suffix), and the failing samples rerun after a repair and recovered by it.
AFTER = "_after_repair"
RERUN_COUNTS: tuple[str, ...] = ("n_repaired", "n_recovered")


def repair_names(value: Any) -> tuple[str, ...]:
    """The repairs of a row's ``repairs`` cell (a list, an array from the store, or missing)."""
    if isinstance(value, list | tuple | np.ndarray):
        return tuple(str(v) for v in value)
    return ()


def repaired_rows(results: pd.DataFrame) -> pd.DataFrame:
    """The ``repaired`` rows of ``results`` whose sample failed as scored and whose repaired run
    was judged (not a machine status): the ones that count after repair, one per sample."""
    repaired = of_kind(results, REPAIRED)
    if repaired.empty:
        return repaired
    judged = repaired[~repaired["status"].isin(MACHINE_STATUSES)]
    failed = failing(results)[KEY]
    return judged.merge(failed, on=KEY, how="inner").drop_duplicates(KEY, keep="last")


def with_repairs(results: pd.DataFrame) -> pd.DataFrame:
    """The scored rows of ``results`` as scored, with ``REPAIR_COLUMNS`` beside them where a
    repaired run counts (``repaired_rows``): the list of repairs applied, its status and its
    cause; missing (None) for the other samples."""
    scored = of_kind(results)
    repaired = repaired_rows(results)
    beside = repaired.reindex(columns=[*KEY, "repairs", "status", "cause"]).rename(
        columns={"status": "repaired_status", "cause": "repaired_cause"}
    )
    out = scored.drop(columns=[c for c in REPAIR_COLUMNS if c in scored.columns])
    out = out.merge(beside, on=KEY, how="left")
    out.index = scored.index
    out["repairs"] = [list(repair_names(v)) or None for v in out["repairs"]]
    return out


def after_repair(results: pd.DataFrame) -> pd.DataFrame:
    """``with_repairs``' rows with their verdict after repair: ``status`` and ``cause`` the
    repaired run's where one counts, else as scored; ``scored_status`` keeps the scored one."""
    out = with_repairs(results)
    out["scored_status"] = out["status"]
    hit = out["repaired_status"].notna()
    out.loc[hit, "status"] = out.loc[hit, "repaired_status"]
    if "cause" in out.columns:
        out.loc[hit, "cause"] = out.loc[hit, "repaired_cause"]
    return out


def repair_scores(results: pd.DataFrame, by: str | Sequence[str] = "language") -> pd.DataFrame:
    """pass@1 per (model, ``by``) as scored and after repair (``pass_at_k_table``'s columns,
    and the same scores suffixed ``_after_repair``), with ``n_repaired`` (failing samples rerun
    after a repair) and ``n_recovered`` (those that passed then). Samples no repair applies to
    keep their scored verdict in the after-repair score."""
    scored = of_kind(results)
    after = after_repair(results)
    table = pass_at_k_table(scored, k=1, by=by)
    if table.empty:
        return table
    dims = [by] if isinstance(by, str) else list(by)
    keys = ["model", *dims]
    scores = ["pass_at_1", "pass_at_1_low", "pass_at_1_high", "n_passed"]
    fixed = pass_at_k_table(after, k=1, by=by)[[*keys, *scores]]
    table = table.merge(fixed, on=keys, how="left", suffixes=("", AFTER))
    table = table.merge(_rerun_counts(after, dims), on=keys, how="left")
    table[list(RERUN_COUNTS)] = table[list(RERUN_COUNTS)].fillna(0).astype(int)
    return table


def _rerun_counts(after: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """Per (model, group) of ``after_repair``'s rows: the samples rerun after a repair and those
    that passed then; per model under ``AVG`` too when grouped by language alone."""
    rerun = after[after["repaired_status"].notna()]
    frame = pd.DataFrame(
        {
            "model": rerun["model"],
            **{dim: group_labels(rerun, dim) for dim in dims},
            "n_repaired": 1,
            "n_recovered": rerun["status"].eq("passed").astype(int),
        },
        index=rerun.index,
    )
    counts = list(RERUN_COUNTS)
    table = frame.groupby(["model", *dims], dropna=False)[counts].sum().reset_index()
    if dims == ["language"]:
        total = frame.groupby("model")[counts].sum().reset_index().assign(language=AVG_LABEL)
        table = pd.concat([table, total], ignore_index=True)
    return table


def recovered(results: pd.DataFrame, by: Iterable[str] = ("model",)) -> pd.DataFrame:
    """Which repairs turned how many samples into a pass: per ``by`` group and combination of
    repairs applied (``drop_prose+add_import``), the failing samples rerun (``tried``) and those
    that passed (``recovered``), most recovered first."""
    by = list(by)
    rerun = repaired_rows(results)
    columns = [*by, "repairs", "tried", "recovered"]
    if rerun.empty:
        return pd.DataFrame(columns=columns)
    frame = rerun.assign(
        repairs=rerun["repairs"].map(lambda v: "+".join(repair_names(v))),
        tried=1,
        recovered=rerun["status"].eq("passed").astype(int),
    )
    table = frame.groupby([*by, "repairs"], sort=True)[["tried", "recovered"]].sum().reset_index()
    order = table.sort_values(
        [*by, "recovered", "tried"], ascending=[True] * len(by) + [False, False]
    )
    return order.reset_index(drop=True)[columns]


def effect(results: pd.DataFrame) -> dict[str, Any]:
    """One line of what the repairs win on ``results`` (scored rows and their repaired rows):
    the judged samples, how many passed as scored and after repair, the repaired runs, and the
    failures the answer itself explains (``ANSWER_CAUSES``) with their counts."""
    scored = of_kind(results)
    judged = scored[~scored["status"].isin(MACHINE_STATUSES)]
    after = after_repair(results)
    after = after[~after["scored_status"].isin(MACHINE_STATUSES)]
    failures = judged[is_failing(judged["status"])]
    answer = failures["cause"].value_counts()
    return {
        "samples": len(judged),
        "passed": int(judged["status"].eq("passed").sum()),
        "after repair": int(after["status"].eq("passed").sum()),
        "repaired runs": len(of_kind(results, REPAIRED)),
        "failing": len(failures),
        "answer causes": ", ".join(f"{c} {n}" for c, n in answer.items() if c in ANSWER_CAUSES),
    }
