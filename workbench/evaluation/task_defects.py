"""Tasks a user sets aside as defective, kept in the results store's own DuckDB file (table
``task_defects``), beside the notes.

A defect belongs to a task, not a sample: its id (``C/1``; a base id covers the completion
records built on it) and optionally one task kind (None: every kind). Every mark and every
restore adds a row — the task, the kind, ``action`` (``set_aside`` or ``restored``), the reason,
the evidence, the author and the time — so nothing is ever lost and the latest row per (task,
kind) is the current state. A ``restored`` row also lifts a defect the workbench ships for this
store (the registry's ``known_failures`` of kind ``dataset``: ``analysis.defects``), with its
reason on record.

Setting a task aside never changes a verdict or the benchmark's score: it adds a second score
beside it (``pass_at_k_table(..., set_aside=...)``, docs/dataset-defects.md).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from workbench.errors import InputError, WorkbenchError
from workbench.evaluation.notes import StoreLike, connect, os_user, store_path
from workbench.execution.records import TASK_KINDS
from workbench.inputs.tasks import base_id
from workbench.registry.languages import DATASET_KIND, language_of_task

SET_ASIDE = "set_aside"
RESTORED = "restored"
ACTIONS: tuple[str, ...] = (SET_ASIDE, RESTORED)
TABLE = "task_defects"

SCHEMA = f"""
CREATE SEQUENCE IF NOT EXISTS {TABLE}_id;
CREATE TABLE IF NOT EXISTS {TABLE} (
    id BIGINT PRIMARY KEY DEFAULT nextval('{TABLE}_id'),
    task_id VARCHAR NOT NULL,
    task VARCHAR,
    language VARCHAR,
    action VARCHAR NOT NULL CHECK (action IN ({", ".join(f"'{a}'" for a in ACTIONS)})),
    reason VARCHAR NOT NULL,
    evidence VARCHAR NOT NULL DEFAULT '',
    author VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
"""
COLUMNS: tuple[str, ...] = (
    "task_id",
    "task",
    "language",
    "action",
    "reason",
    "evidence",
    "author",
    "created_at",
    "id",
)
# "C/1 #0" (a sample as the views name it) or "generation|C/1|model|0" (a browser's key).
_SAMPLE_LIKE = re.compile(r"\s#\d+$|\|")


def _task_id(task_id: Any) -> str:
    """``task_id`` as a task's id; a sample key (a tuple, a mapping, ``C/1 #0``) is refused."""
    if isinstance(task_id, Mapping | Sequence) and not isinstance(task_id, str):
        raise InputError(
            f"a defect is on a task, not a sample: give its task id, not {task_id!r}",
            field="task_id",
        )
    text = str(task_id).strip() if task_id is not None else ""
    if not text:
        raise InputError("a task id is needed (such as C/1)", field="task_id")
    if _SAMPLE_LIKE.search(text):
        raise InputError(
            f"{text!r} names a sample: a defect is on a task (its id, such as C/1)",
            field="task_id",
        )
    return text


def _kind(task: str | None) -> str | None:
    if task is None or task == "":
        return None
    if task not in TASK_KINDS:
        raise InputError(
            f"task kind is one of {', '.join(TASK_KINDS)} (or none: every kind); got {task!r}",
            field="task",
        )
    return task


def _language(con: Any, store: StoreLike, task_id: str, task: str | None) -> str:
    """The language of the store's samples of ``task_id`` (itself or the records built on it),
    or an InputError naming the closest ids the store holds."""
    known = con.execute(
        "SELECT DISTINCT task_id, task, language FROM executions WHERE task_id = ? "
        "OR starts_with(task_id, ? || '-')",
        [task_id, task_id],
    ).df()
    known = known[(known["task_id"] == task_id) | (known["task_id"].map(base_id) == task_id)]
    if task is not None:
        known = known[known["task"] == task]
    if known.empty:
        ids = [r[0] for r in con.execute("SELECT DISTINCT task_id FROM executions").fetchall()]
        close = difflib.get_close_matches(task_id, ids, n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        kind = f" of kind {task}" if task else ""
        raise InputError(
            f"no task {task_id}{kind} in the store{hint}", file=store_path(store), field="task_id"
        )
    return str(known["language"].iloc[0])


def _write(
    store: StoreLike,
    task_id: Any,
    task: str | None,
    action: str,
    reason: str,
    evidence: str,
    author: str | None,
) -> dict[str, Any]:
    wanted, kind = _task_id(task_id), _kind(task)
    con = connect(store, SCHEMA)
    try:
        language = _language(con, store, wanted, kind)
        row = {
            "task_id": wanted,
            "task": kind,
            "language": language,
            "action": action,
            "reason": reason,
            "evidence": evidence or "",
            "author": author or os_user(),
        }
        written = con.execute(
            f"INSERT INTO {TABLE} (task_id, task, language, action, reason, evidence, author) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id, created_at",
            [row[c] for c in COLUMNS[:7]],
        ).fetchall()
    finally:
        con.close()
    row["id"], row["created_at"] = written[0]
    return row


def mark_defective(
    store: StoreLike,
    task_id: str,
    reason: str,
    task: str | None = None,
    evidence: str = "",
    author: str | None = None,
) -> dict[str, Any]:
    """Set the task ``task_id`` aside as defective in ``store`` (every kind, or only ``task``),
    saying why (``reason``, required) and how it was seen (``evidence``); returns the row
    written. The task must be in the store; ``author`` defaults to the OS user. Scores then
    show a second reading without it, beside the benchmark's."""
    if not isinstance(reason, str) or not reason.strip():
        raise InputError("say why the task is defective", field="reason")
    return _write(store, task_id, task, SET_ASIDE, reason.strip(), evidence, author)


def restore_task(
    store: StoreLike,
    task_id: str,
    task: str | None = None,
    reason: str = "",
    author: str | None = None,
) -> dict[str, Any]:
    """Count the task ``task_id`` again in ``store``'s second score: it was set aside here, or it
    is on the workbench's shipped list (a ``restored`` row overrides that for this store). The
    marks stay in the history. Returns the row written; a task that was never set aside is an
    InputError."""
    wanted = _task_id(task_id)
    marked = defect_marks(store, latest=False)
    if not (marked["task_id"].eq(wanted).any() or _shipped(wanted)):
        raise InputError(
            f"{wanted} is not set aside (neither in this store nor on the shipped list)",
            file=store_path(store),
            field="task_id",
        )
    return _write(store, wanted, task, RESTORED, (reason or "").strip(), "", author)


def _shipped(task_id: str) -> bool:
    """Whether the registry lists ``task_id`` (or its base id) as a dataset defect."""
    try:
        entries = language_of_task(task_id).known_failures
    except WorkbenchError:
        return False
    found = entries.get(task_id) or entries.get(base_id(task_id)) or {}
    return found.get("kind") == DATASET_KIND


def defect_marks(store: StoreLike, latest: bool = True) -> pd.DataFrame:
    """The store's marks: the current one per (task, kind) (``latest``), or every mark in order.
    Columns ``COLUMNS``."""
    con = connect(store, SCHEMA)
    try:
        order = "id"
        query = f"SELECT {', '.join(COLUMNS)} FROM {TABLE}"
        if latest:
            query += (
                " QUALIFY row_number() OVER (PARTITION BY task_id, coalesce(task, '') "
                "ORDER BY id DESC) = 1"
            )
        return con.execute(f"{query} ORDER BY {order}").df()
    finally:
        con.close()
