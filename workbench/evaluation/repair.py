"""Failing samples rerun after the mechanical repairs (``workbench.programs.repairs``).

``repair_results`` takes result rows (``evaluate``'s or a store's) and their tasks, applies the
repairs to every failing sample they change, assembles each repaired program with the
unchanged assembler and runs it through ``execute`` — sandboxed and limited as every run — and
returns the repaired verdicts, one row per repaired sample, with the repairs applied. The
original verdicts are not touched: these rows are meant to be stored beside them as rows of
their own kind (``repaired``), so pass@1 can be read as scored and after repair.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.evaluation.runner import VERDICT_COLUMNS
from workbench.execution.causes import CAUSE_COLUMNS, explain
from workbench.execution.execute import execute
from workbench.execution.records import Program, Status
from workbench.inputs.samples import attach_tasks
from workbench.programs.repairs import REPAIRS, Repaired, repair
from workbench.registry.languages import get_language
from workbench.registry.limits import task_limits

# Verdicts a repair may change: the program did not build, did not run, or ran to a wrong answer.
REPAIRABLE = (Status.COMPILE_ERROR, Status.RUNTIME_ERROR, Status.FAILED)
SAMPLE_COLUMNS = ("task", "task_id", "model", "sample_index")
ANSWER_COLUMNS = ("raw_generation", "extraction")
REPAIRED_COLUMNS = [
    *SAMPLE_COLUMNS,
    "language",
    "repairs",  # the names of the repairs applied, in order (``REPAIRS``)
    "scored_status",  # the sample's verdict as scored, before the repairs
    *ANSWER_COLUMNS,
    "code",  # the answer's code after the repairs
    "program",
    "program_hash",
    *VERDICT_COLUMNS,
    *CAUSE_COLUMNS,
]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


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
    columns = [*SAMPLE_COLUMNS, *ANSWER_COLUMNS, "code", "status", "cause"]
    renamed = {"status": "scored_status", "cause": "scored_cause"}
    rows = attach_tasks(failing[columns].rename(columns=renamed), tasks)
    found = []
    for row in rows.to_dict("records"):
        cause = row["scored_cause"] if isinstance(row["scored_cause"], str) else None
        repaired = repair(row, row["code"], names, cause)
        if repaired is not None:
            found.append((row, repaired))
    return found


def _run(row: dict[str, Any], repaired: Repaired, limits: dict[str, float] | None) -> dict:
    language = get_language(row["language"])
    support = row.get("support_dir")
    program = Program(
        language.name,
        repaired.program,
        Path(support) if isinstance(support, str) and support else None,
        row["task_id"],
        _text(row.get("canonical_solution")),
    )
    verdict = execute(program, task_limits(language, row["task_id"], limits)).to_dict()
    out = {
        **{k: row.get(k) for k in (*SAMPLE_COLUMNS, "scored_status", *ANSWER_COLUMNS)},
        "language": language.name,
        "repairs": list(repaired.repairs),
        "code": repaired.draft.code,
        "program": repaired.program,
        "program_hash": program.digest,
        **{k: verdict[k] for k in VERDICT_COLUMNS},
    }
    return {**out, **explain(out).as_dict()}


def repair_results(
    results: pd.DataFrame,
    tasks: pd.DataFrame,
    *,
    repairs: Iterable[str] | None = None,
    jobs: int | None = None,
    limits: dict[str, float] | None = None,
) -> pd.DataFrame:
    """The repaired verdicts of the failing rows of ``results`` that ``repairs`` (default:
    every repair) change: one row per such sample (``REPAIRED_COLUMNS``: the sample's key, the
    repairs applied, its verdict as scored, the repaired code and program, the new verdict and
    its cause), each program run with ``execute`` on ``jobs`` threads (default: the cores) under
    the task's limits (``limits`` overrides them, as for ``evaluate``). Samples no repair
    changes are not in the result: their verdict after repair is the one scored."""
    work = repaired_programs(results, tasks, repairs)
    with ThreadPoolExecutor(jobs or os.cpu_count() or 1) as pool:
        rows = list(pool.map(lambda item: _run(*item, limits), work))
    return pd.DataFrame(rows, columns=REPAIRED_COLUMNS)
