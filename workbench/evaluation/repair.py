"""Failing samples rerun after the mechanical repairs (``workbench.programs.repairs``).

``repair_results`` takes result rows (``evaluate``'s or a store's) and their tasks, applies the
repairs to every failing sample they change, assembles each repaired program with the
unchanged assembler and runs it through ``evaluate`` — sandboxed, limited and (with a store)
cached as every run: a repaired program the store has judged already is not run again — and
returns the repaired verdicts as result rows of their own kind (``repaired``), with the repairs
applied. The original verdicts are not touched: ``repair_store`` stores these rows beside them
(the row key holds the row kind), so pass@1 can be read as scored and after repair
(``workbench.analysis.repairs``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.evaluation.runner import RESULT_COLUMNS, evaluate
from workbench.evaluation.store import Store
from workbench.execution.records import REPAIRED, ROW_KIND, SAMPLE_KEY, Status
from workbench.inputs.samples import TOKEN_FIELDS, attach_tasks, tasks_for_samples
from workbench.programs.repairs import REPAIRS, Repaired, repair
from workbench.registry.languages import get_language

# Verdicts a repair may change: the program did not build, did not run, or ran to a wrong answer.
REPAIRABLE = (Status.COMPILE_ERROR, Status.RUNTIME_ERROR, Status.FAILED)
ANSWER_COLUMNS = ("raw_generation", "extraction")
# The result row of a repaired run (``repairs``: the names of the repairs applied, in order),
# and the sample's verdict as scored, before the repairs.
REPAIRED_COLUMNS = [*RESULT_COLUMNS, "scored_status"]


def repaired_programs(
    results: pd.DataFrame, tasks: pd.DataFrame, repairs: Iterable[str] | None = None
) -> list[tuple[dict[str, Any], Repaired]]:
    """(task row joined with the result row, what the repairs made of it) for every failing row
    of ``results`` (status in ``REPAIRABLE``) that one of ``repairs`` (default: all) changes;
    a repair of ``ONLY_FOR`` only where the row's cause is one of its own."""
    names = tuple(repairs) if repairs is not None else tuple(REPAIRS)
    unknown = set(names) - set(REPAIRS)
    if unknown:
        raise ValueError(f"unknown repairs {sorted(unknown)}; expected some of {list(REPAIRS)}")
    failing = results[results["status"].isin(REPAIRABLE) & results["code"].notna()]
    if failing.empty:
        return []
    tokens = [c for c in TOKEN_FIELDS if c in failing.columns]
    columns = [*SAMPLE_KEY, *ANSWER_COLUMNS, "code", "status", "cause", *tokens]
    renamed = {"status": "scored_status", "cause": "scored_cause"}
    rows = attach_tasks(failing[columns].rename(columns=renamed), tasks)
    found = []
    for row in rows.to_dict("records"):
        cause = row["scored_cause"] if isinstance(row["scored_cause"], str) else None
        repaired = repair(row, row["code"], names, cause)
        if repaired is not None:
            found.append((row, repaired))
    return found


def repaired_samples(
    results: pd.DataFrame, tasks: pd.DataFrame, repairs: Iterable[str] | None = None
) -> pd.DataFrame:
    """The failing samples of ``results`` that ``repairs`` change, as samples ``evaluate`` runs
    as they are: the repaired ``code`` and ``program``, the ``repairs`` applied, the row kind
    ``repaired``, and the sample's own text, extraction, token counts and ``scored_status``."""
    rows = []
    for row, repaired in repaired_programs(results, tasks, repairs):
        rows.append(
            {
                **{k: row[k] for k in (*SAMPLE_KEY, *ANSWER_COLUMNS, "scored_status")},
                **{k: row.get(k) for k in TOKEN_FIELDS},
                "completion": None,
                "code": repaired.draft.code,
                "program": repaired.program,
                "repairs": list(repaired.repairs),
                ROW_KIND: REPAIRED,
                "source_file": "repaired",
                "source_line": 0,
            }
        )
    return pd.DataFrame(rows)


def repair_results(
    results: pd.DataFrame,
    tasks: pd.DataFrame,
    *,
    repairs: Iterable[str] | None = None,
    jobs: int | None = None,
    limits: dict[str, float] | None = None,
    store: Store | str | Path | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """The repaired verdicts of the failing rows of ``results`` that ``repairs`` (default:
    every repair) change: one result row per such sample (``REPAIRED_COLUMNS``: the row of
    kind ``repaired`` with the repairs applied and the repaired code and program, its verdict
    and cause, and the sample's ``scored_status``), run by ``evaluate`` on ``jobs`` executions
    at once under the task's limits (``limits`` overrides them). With a ``store``, the rows are
    stored there and work it holds is not run again. Samples no repair changes are not in the
    result: their verdict after repair is the one scored."""
    samples = repaired_samples(results, tasks, repairs)
    if samples.empty:
        return pd.DataFrame(columns=REPAIRED_COLUMNS)
    run = samples.drop(columns="scored_status")
    rows = evaluate(run, tasks, jobs=jobs, store=store, limits=limits, progress=progress)
    return rows.assign(scored_status=samples["scored_status"].to_numpy())[REPAIRED_COLUMNS]


def repair_store(
    store: Store | str | Path,
    tasks: pd.DataFrame | None = None,
    *,
    data: str | Path | None = None,
    models: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
    repairs: Iterable[str] | None = None,
    jobs: int | None = None,
    limits: dict[str, float] | None = None,
    progress: bool = True,
) -> pd.DataFrame:
    """Repair the failing samples of a store (of ``models`` and ``languages`` only, when
    given), rerun them and store the verdicts as rows of kind ``repaired`` beside the scored
    ones, which stay as they are (``repair_results``); returns those rows. The tasks are
    ``tasks``, or those the samples answer in the McEval folder ``data`` (default:
    ``MCEVAL_DATA``, else ``../shared/mceval``). A sample's earlier repaired row that no repair
    gives now is deleted, so the store's repaired rows are those of the current repairs."""
    db = Store(store) if isinstance(store, str | Path) else store
    try:
        scored = db.results(models)
        if languages is not None:
            names = {get_language(name).name for name in languages}  # "cpp" is CPP
            scored = scored[scored["language"].isin(names)]
        failing = scored[scored["status"].isin(REPAIRABLE)]
        rows = pd.DataFrame(columns=REPAIRED_COLUMNS)
        if not failing.empty:
            if tasks is None:
                tasks = tasks_for_samples(failing, data)
            rows = repair_results(
                failing,
                tasks,
                repairs=repairs,
                jobs=jobs,
                limits=limits,
                store=db,
                progress=progress,
            )
        stale = scored.merge(
            rows[list(SAMPLE_KEY)], on=list(SAMPLE_KEY), how="left", indicator=True
        )
        db.forget_samples(stale[stale["_merge"] == "left_only"], kinds=REPAIRED)
        return rows
    finally:
        if db is not store:
            db.close()
