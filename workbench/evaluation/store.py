"""The results store: one embedded DuckDB file, one row per (task kind, task, model, sample).

The runner commits results in groups within a second of their end (``GroupCommit``), so a crash
of the writing process loses at most that last second of work, which a restart runs again.
Identical work is found again by ``cache_key``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from workbench.execution.causes import CAUSE_COLUMNS, explain_frame

DEFAULT_STORE = Path("workbench.duckdb")

SCHEMA = """
CREATE TABLE IF NOT EXISTS executions (
    task VARCHAR NOT NULL,
    task_id VARCHAR NOT NULL,
    model VARCHAR NOT NULL,
    sample_index INTEGER NOT NULL,
    language VARCHAR NOT NULL,
    subset VARCHAR,
    level VARCHAR,
    program_hash VARCHAR NOT NULL,
    cache_key VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    reason VARCHAR,
    exit_code INTEGER,
    signal INTEGER,
    stdout VARCHAR,
    stderr VARCHAR,
    compile_seconds DOUBLE,
    run_seconds DOUBLE,
    output_truncated BOOLEAN,
    max_rss_kb BIGINT,
    toolchain_version VARCHAR,
    sandbox VARCHAR,
    raw_generation VARCHAR,
    code VARCHAR,
    extraction VARCHAR,
    program VARCHAR,
    cached BOOLEAN DEFAULT FALSE,
    created_at TIMESTAMPTZ DEFAULT current_timestamp,
    PRIMARY KEY (task, task_id, model, sample_index)
);
CREATE INDEX IF NOT EXISTS executions_cache ON executions (cache_key);
"""
# Why each non-passing row failed (workbench/execution/causes.py): derived from the row, so
# added in place to a store written before they existed, and recomputed by ``refresh_causes``.
CAUSE_SCHEMA = "".join(
    f"ALTER TABLE executions ADD COLUMN IF NOT EXISTS {column} VARCHAR;\n"
    for column in CAUSE_COLUMNS
)

COLUMNS = [
    "task",
    "task_id",
    "model",
    "sample_index",
    "language",
    "subset",
    "level",
    "program_hash",
    "cache_key",
    "status",
    "reason",
    "exit_code",
    "signal",
    "stdout",
    "stderr",
    "compile_seconds",
    "run_seconds",
    "output_truncated",
    "max_rss_kb",
    "toolchain_version",
    "sandbox",
    "raw_generation",
    "code",
    "extraction",
    "program",
    "cached",
    *CAUSE_COLUMNS,
]

# Verdicts about the machine, not the sample: never reused from the cache.
NOT_CACHED = ("toolchain_missing", "infrastructure_error")


class Store:
    """A DuckDB results file; safe to share between threads of one process."""

    def __init__(self, path: str | Path = DEFAULT_STORE) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._con = duckdb.connect(str(self.path))
        self._lock = threading.Lock()
        with self._lock:
            self._con.execute(SCHEMA)
            self._con.execute(CAUSE_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def put(self, row: Mapping[str, Any]) -> None:
        """Insert or replace one result and commit it (``created_at``: now, also on a rerun)."""
        values = [row.get(c) for c in COLUMNS]
        placeholders = ", ".join("?" for _ in COLUMNS)
        with self._lock:
            self._con.execute(
                f"INSERT OR REPLACE INTO executions ({', '.join(COLUMNS)}, created_at) "
                f"VALUES ({placeholders}, current_timestamp)",
                values,
            )

    def cached(self, cache_key: str) -> dict[str, Any] | None:
        """A stored verdict for identical work (same program, test, toolchain, limits), if any."""
        with self._lock:
            cur = self._con.execute(
                f"SELECT {', '.join(COLUMNS)} FROM executions WHERE cache_key = ? "
                f"AND status NOT IN {NOT_CACHED} LIMIT 1",
                [cache_key],
            )
            rows = cur.fetchall()  # fetch to the end: DuckDB keeps a half-read result open
        return dict(zip(COLUMNS, rows[0], strict=True)) if rows else None

    def cached_many(self, cache_keys: Iterable[str]) -> pd.DataFrame:
        """Stored verdicts for many cache keys in one query: one row per key found, with every
        column of ``COLUMNS`` (a key looked up one at a time costs a query each)."""
        keys = pd.DataFrame({"cache_key": pd.unique(pd.Series(list(cache_keys), dtype=object))})
        if keys.empty:
            return pd.DataFrame(columns=COLUMNS)
        cols = ", ".join(f"e.{c}" for c in COLUMNS)
        with self._lock:
            self._con.register("wb_lookup_keys", keys)
            try:
                return self._con.execute(
                    f"SELECT DISTINCT ON (e.cache_key) {cols} FROM executions e "
                    "JOIN wb_lookup_keys k ON e.cache_key = k.cache_key "
                    f"WHERE e.status NOT IN {NOT_CACHED}"
                ).df()
            finally:
                self._con.unregister("wb_lookup_keys")

    def put_many(self, rows: pd.DataFrame) -> None:
        """Insert or replace many results in one transaction (all or none are committed);
        ``created_at`` is the time of this write, so a replaced verdict is dated by its rerun."""
        if rows.empty:
            return
        frame = rows.reindex(columns=COLUMNS).drop_duplicates(
            ["task", "task_id", "model", "sample_index"], keep="last"
        )
        names = ", ".join(COLUMNS)
        with self._lock:
            self._con.register("wb_put_rows", frame)
            try:
                self._con.execute(
                    f"INSERT OR REPLACE INTO executions ({names}, created_at) "
                    f"SELECT {names}, current_timestamp FROM wb_put_rows"
                )
            finally:
                self._con.unregister("wb_put_rows")

    def results(self, models: Iterable[str] | None = None) -> pd.DataFrame:
        """All stored results (optionally for some models) as a DataFrame."""
        query = "SELECT * FROM executions"
        params: list[Any] = []
        if models is not None:
            models = list(models)
            query += f" WHERE model IN ({', '.join('?' for _ in models)})"
            params = models
        with self._lock:
            return self._con.execute(
                query + " ORDER BY task, task_id, model, sample_index", params
            ).df()

    def forget_unpassed(self, model: str, task_ids: Iterable[str] | None = None) -> int:
        """Delete ``model``'s non-passing rows (of ``task_ids`` only, when given) so the next run
        executes them again (a verdict taken under load is worth re-checking); returns how many
        were deleted."""
        query = "DELETE FROM executions WHERE model = ? AND status <> 'passed'"
        params: list[Any] = [model]
        if task_ids is not None:
            query += " AND list_contains(?, task_id)"
            params.append(list(task_ids))
        with self._lock:
            before = self._con.execute("SELECT count(*) FROM executions").fetchall()[0][0]  # type: ignore[index]
            # fetchall finishes the statement: DuckDB refuses new work on this connection before
            self._con.execute(query, params).fetchall()
            after = self._con.execute("SELECT count(*) FROM executions").fetchall()[0][0]  # type: ignore[index]
        return int(before - after)

    def refresh_causes(self, models: Iterable[str] | None = None) -> int:
        """Recompute the cause columns of the stored rows (of ``models`` only, when given) from
        what each row holds, without running anything: after the registry's cause rules
        changed, or for a store written before causes existed. Returns the rows updated."""
        keys = ["task", "task_id", "model", "sample_index"]
        # A passing row needs only its status: its outputs are not read.
        inputs = ", ".join(
            f"CASE WHEN status = 'passed' THEN NULL ELSE {c} END AS {c}"
            for c in ("reason", "stdout", "stderr", "exit_code", "signal")
            + ("extraction", "code", "raw_generation", "program")
        )
        query = f"SELECT {', '.join(keys)}, language, status, {inputs} FROM executions"
        params: list[Any] = []
        if models is not None:
            models = list(models)
            query += f" WHERE model IN ({', '.join('?' for _ in models)})"
            params = models
        with self._lock:
            rows = self._con.execute(query, params).df()
            if rows.empty:
                return 0
            update = pd.concat([rows[keys], explain_frame(rows)], axis=1)
            self._con.register("wb_causes", update)
            try:
                assignments = ", ".join(f"{c} = u.{c}" for c in CAUSE_COLUMNS)
                matches = " AND ".join(f"executions.{k} = u.{k}" for k in keys)
                self._con.execute(
                    f"UPDATE executions SET {assignments} FROM wb_causes u WHERE {matches}"
                ).fetchall()
            finally:
                self._con.unregister("wb_causes")
        return len(update)

    def count(self) -> int:
        with self._lock:
            return int(self._con.execute("SELECT count(*) FROM executions").fetchall()[0][0])  # type: ignore[index]


class GroupCommit:
    """Commits finished rows from a background thread, a group per transaction.

    A DuckDB upsert costs about as much CPU for one row as for dozens (docs/benchmark.md), CPU
    taken from the executions of a parallel run; rows that finish within ``window`` seconds of
    each other are therefore committed together. A row is durable at most ``window`` seconds
    (plus one commit) after it finished: a SIGKILL loses only those, and a restart runs them
    again. ``flush`` commits at once what is queued. ``on_commit`` is called with each committed
    group (the progress bar counts committed verdicts).
    """

    def __init__(
        self,
        store: Store,
        on_commit: Callable[[list[dict[str, Any]]], None] | None = None,
        window: float = 1.0,
        max_rows: int = 512,
    ) -> None:
        self.store, self.on_commit = store, on_commit
        self.window, self.max_rows = window, max_rows
        self._rows: list[dict[str, Any]] = []
        self._added = self._committed = 0
        self._flush_to = 0  # commit without waiting out the window until this many are committed
        self._cond = threading.Condition()
        self._closing = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name="wb-group-commit", daemon=True)
        self._thread.start()

    def add(self, row: dict[str, Any]) -> None:
        """Queue ``row`` for the next commit (raises if an earlier commit failed)."""
        if self._error is not None:
            raise self._error
        with self._cond:
            self._rows.append(row)
            self._added += 1
            # Wake the thread for a group's first row (it then waits out the window) or a full
            # group, not for every row. All waiters: ``flush`` may be waiting too.
            if len(self._rows) == 1 or len(self._rows) >= self.max_rows:
                self._cond.notify_all()

    def flush(self) -> None:
        """Commit every row added so far without waiting out the window; return once they are
        committed (raises if a commit failed)."""
        with self._cond:
            self._flush_to = max(self._flush_to, self._added)
            self._cond.notify_all()
            while self._committed < self._flush_to and self._error is None:
                self._cond.wait()
        if self._error is not None:
            raise self._error

    def close(self) -> None:
        """Commit everything queued, stop the thread, and raise a commit error if one happened."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._rows and not self._closing:
                    self._cond.wait()
                if not self._rows:
                    return
                first = time.monotonic()
                while (
                    not self._closing
                    and self._committed >= self._flush_to
                    and len(self._rows) < self.max_rows
                    and (left := self.window - (time.monotonic() - first)) > 0
                ):
                    self._cond.wait(left)
                group, self._rows = self._rows, []
            try:
                self.store.put_many(pd.DataFrame(group, dtype=object))
            except BaseException as exc:  # noqa: BLE001 — reported to the runner on add/close
                with self._cond:
                    self._error = exc
                    self._cond.notify_all()
                return
            with self._cond:
                self._committed += len(group)
                self._cond.notify_all()
            if self.on_commit is not None:
                self.on_commit(group)
