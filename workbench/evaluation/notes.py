"""Notes and tags on samples, kept in the results store's own DuckDB file (table ``notes``).

A note belongs to one sample: (task kind, task_id, model, sample_index), the key of the
``executions`` table. Every call of :func:`annotate` adds a row — the sample's whole label as it
now stands, with its time and author — so the history of a label is kept and the latest row is
the current one (view ``latest_notes``). Notes live in their own table: re-evaluating a sample
replaces its verdict, never its notes.

The functions open their own connection to the store's file. In the process that holds a
:class:`~workbench.evaluation.store.Store` open, DuckDB hands out a connection to the same
database, so notes can be written while the store is open.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from workbench.errors import InputError
from workbench.evaluation.store import Store, column_sql
from workbench.execution.records import RESULT_ROW, SAMPLE_KEY

NOTE_KEY: tuple[str, ...] = SAMPLE_KEY  # a note is on a sample, whichever runs it has
NOTE_COLUMNS: tuple[str, ...] = ("tags", "note", "note_author", "note_time")

# The ten bug patterns of Tambon et al., "Bugs in Large Language Models Generated Code: An
# Empirical Study" (2024): a vocabulary for human labels, offered, not required.
TAMBON_PATTERNS: tuple[str, ...] = (
    "Misinterpretation",
    "Syntax Error",
    "Silly Mistake",
    "Prompt-biased code",
    "Missing Corner Case",
    "Wrong Input Type",
    "Hallucinated Object",
    "Wrong Attribute",
    "Incomplete Generation",
    "Non-Prompted Consideration",
)

# The sample key's columns, typed as in the result row.
_KEY_SQL = "".join(f"\n    {column_sql(c)}," for c in RESULT_ROW if c.name in SAMPLE_KEY)
NOTES_SCHEMA = f"""
CREATE SEQUENCE IF NOT EXISTS notes_id;
CREATE TABLE IF NOT EXISTS notes (
    id BIGINT PRIMARY KEY DEFAULT nextval('notes_id'),{_KEY_SQL}
    tags VARCHAR[] NOT NULL,
    note VARCHAR,
    author VARCHAR NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
CREATE VIEW IF NOT EXISTS latest_notes AS
    SELECT * FROM notes
    QUALIFY row_number() OVER (PARTITION BY {", ".join(SAMPLE_KEY)} ORDER BY id DESC) = 1;
"""

StoreLike = Store | str | Path


def store_path(store: StoreLike) -> Path:
    """The file of a store (a ``Store`` or its path)."""
    return store.path if isinstance(store, Store) else Path(store)


def connect(store: StoreLike, schema: str = NOTES_SCHEMA) -> duckdb.DuckDBPyConnection:
    """A connection of its own to an existing store's file, with ``schema`` (a table of the
    file's own, beside the results: the notes, the task defects) created when absent."""
    path = store_path(store)
    if not path.is_file():
        raise InputError("no results store here", file=path)
    con = duckdb.connect(str(path.resolve()))
    con.execute(schema)
    return con


def sample_key(key: Mapping[str, Any] | Sequence[Any] | pd.Series) -> dict[str, Any]:
    """``key`` as a dict of ``NOTE_KEY``: from a mapping or result row (extra fields ignored) or
    a (task, task_id, model, sample_index) tuple."""
    if isinstance(key, pd.Series):
        key = key.to_dict()
    if isinstance(key, Mapping):
        missing = [k for k in NOTE_KEY if k not in key or pd.isna(key[k])]
        if missing:
            raise InputError(f"a sample key needs {list(NOTE_KEY)}", field=missing[0])
        values = [key[k] for k in NOTE_KEY]
    elif isinstance(key, Sequence) and not isinstance(key, str) and len(key) == len(NOTE_KEY):
        values = list(key)
    else:
        raise InputError(
            f"a sample key is a mapping or a tuple of {list(NOTE_KEY)}, not {key!r}", field="key"
        )
    try:
        index = int(values[3])
    except (TypeError, ValueError):
        raise InputError(f"not an integer: {values[3]!r}", field="sample_index") from None
    return dict(zip(NOTE_KEY, [str(values[0]), str(values[1]), str(values[2]), index], strict=True))


def _tags(tags: Iterable[str]) -> list[str]:
    if isinstance(tags, str):
        tags = [tags]
    return list(dict.fromkeys(t.strip() for t in tags if isinstance(t, str) and t.strip()))


def annotate(
    store: StoreLike,
    key: Mapping[str, Any] | Sequence[Any] | pd.Series,
    tags: Iterable[str] | None = None,
    note: str | None = None,
    author: str | None = None,
) -> dict[str, Any]:
    """Label one stored sample with ``tags`` and a ``note``; returns the row written.

    An edit adds a row and the history is kept. What is not given (None) is carried over from
    the sample's latest note, so ``annotate(s, key, note="...")`` keeps its tags; ``tags=[]``
    clears them. ``author`` defaults to the OS user. The sample must be in the store (a typo in
    a key would otherwise label nothing).
    """
    wanted = sample_key(key)
    con = connect(store)
    try:
        where = " AND ".join(f"{k} = ?" for k in NOTE_KEY)
        params = [wanted[k] for k in NOTE_KEY]
        found = con.execute(f"SELECT count(*) FROM executions WHERE {where}", params).fetchall()
        if not found[0][0]:
            raise InputError(
                f"no sample {wanted} in the store",
                file=store_path(store),
                field="key",
            )
        latest = con.execute(
            f"SELECT tags, note FROM latest_notes WHERE {where}", params
        ).fetchall()
        old_tags, old_note = latest[0] if latest else ([], None)
        row = {
            **wanted,
            "tags": _tags(tags) if tags is not None else tag_list(old_tags),
            "note": note if note is not None else old_note,
            "author": author or os_user(),
        }
        written = con.execute(
            "INSERT INTO notes (task, task_id, model, sample_index, tags, note, author) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id, created_at",
            [row[k] for k in (*NOTE_KEY, "tags", "note", "author")],
        ).fetchall()
    finally:
        con.close()
    row["id"], row["created_at"] = written[0]
    return row


def os_user() -> str:
    """The OS user's login name: the default author of a note or a defect mark."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container's uid without a passwd entry)
        return "unknown"


def notes(store: StoreLike, latest: bool = True) -> pd.DataFrame:
    """The notes of a store: the current one per sample (``latest``), or every edit in order.

    Columns: the sample key, ``tags`` (a list), ``note``, ``author``, ``created_at``, ``id``.
    """
    con = connect(store)
    try:
        table = "latest_notes" if latest else "notes"
        return con.execute(
            f"SELECT {', '.join(NOTE_KEY)}, tags, note, author, created_at, id FROM {table} "
            f"ORDER BY {'id' if not latest else ', '.join(NOTE_KEY)}"
        ).df()
    finally:
        con.close()


def with_notes(results: pd.DataFrame, notes_table: pd.DataFrame | None) -> pd.DataFrame:
    """``results`` with each sample's current note as columns ``NOTE_COLUMNS`` (``tags`` an
    empty list and the others missing for a sample without one)."""
    out = results.drop(columns=[c for c in NOTE_COLUMNS if c in results.columns])
    if notes_table is None or notes_table.empty:
        out = out.assign(note=None, note_author=None, note_time=pd.NaT)
    else:
        current = notes_table.sort_values("id").drop_duplicates(list(NOTE_KEY), keep="last")
        current = current.rename(columns={"author": "note_author", "created_at": "note_time"})
        current = current[[*NOTE_KEY, "tags", "note", "note_author", "note_time"]]
        current = current.astype({"sample_index": out["sample_index"].dtype})
        out = out.merge(current, on=list(NOTE_KEY), how="left")
    tags = out["tags"] if "tags" in out.columns else pd.Series(None, index=out.index, dtype=object)
    out["tags"] = [tag_list(t) for t in tags]
    out["note_time"] = pd.to_datetime(out["note_time"], utc=True)  # one type, noted or not
    return out


def tag_list(value: Any) -> list[str]:
    """Tags as a plain list, whatever DuckDB or pandas returned (list, array, missing)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return [str(t) for t in value]
    return []


def tag_counts(frame: pd.DataFrame) -> list[tuple[str, int]]:
    """The tags of ``frame``'s samples (a ``tags`` column of lists) with how many samples carry
    each, the most used first (ties: by name)."""
    counts: dict[str, int] = {}
    for tags in frame["tags"] if "tags" in frame.columns else []:
        for tag in dict.fromkeys(tag_list(tags)):
            counts[tag] = counts.get(tag, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
