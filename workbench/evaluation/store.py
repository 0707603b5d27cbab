"""The results store: one embedded DuckDB file, one row per run of a sample — (task kind, task,
model, sample) and the run's kind (``row_kind``: ``scored`` for the verdict that counts, other
kinds for runs beside it; ``execution.records.ROW_KINDS``) with its index among runs of that kind
(``run_index``: 1..K for a sample's repeats, else 0).

The table is made from the result row's spec (``execution.records.RESULT_ROW``): its columns,
their types and the key are defined there once. A store written by an earlier release is brought
up to date when it is opened: a column it lacks is added in place; a key it lacks (stores written
before ``row_kind`` or ``run_index`` existed) means a new table, since DuckDB cannot change a
primary key — its rows are copied into it (as ``scored``, run 0) in one transaction, so a failure
leaves the old table.

The runner commits results in groups within a second of their end (``GroupCommit``), so a crash
of the writing process loses at most that last second of work, which a restart runs again.
Identical work is found again by ``cache_key``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from workbench.errors import InputError
from workbench.evaluation.checks import OPENED, scored_with_checks, summary
from workbench.execution.causes import explain_frame
from workbench.execution.records import (
    CAUSE_COLUMNS,
    CHECKS,
    CHECKS_COLUMNS,
    MACHINE_STATUSES,
    RESULT_COLUMNS,
    RESULT_ROW,
    ROW_KEY,
    ROW_KIND,
    ROW_KINDS,
    RUN_INDEX,
    SAMPLE_KEY,
    SCORED,
    Column,
)
from workbench.paths import DEFAULT_STORE
from workbench.programs.checks import CHECK_COLUMNS, CheckResult

TABLE = "executions"

# The columns the runner writes (the store adds ``created_at``): the result row of the spec.
COLUMNS = list(RESULT_COLUMNS)

# Verdicts about the machine, not the sample: never reused from the cache.
NOT_CACHED = tuple(str(s) for s in MACHINE_STATUSES)

Kinds = str | Iterable[str] | None


def column_sql(column: Column) -> str:
    """A column's definition as DuckDB reads it in CREATE TABLE and ADD COLUMN."""
    sql = f"{column.name} {column.type}"
    if column.required:
        sql += " NOT NULL"
    if column.default is not None:
        sql += f" DEFAULT {column.default}"
    return sql


def table_sql(name: str = TABLE) -> str:
    """The CREATE TABLE statement of the result row (``RESULT_ROW``), keyed by ``ROW_KEY``."""
    body = ",\n    ".join([*map(column_sql, RESULT_ROW), f"PRIMARY KEY ({', '.join(ROW_KEY)})"])
    return f"CREATE TABLE {name} (\n    {body}\n)"


INDEX_SQL = f"CREATE INDEX IF NOT EXISTS {TABLE}_cache ON {TABLE} (cache_key)"


def row_kinds(kinds: Kinds) -> tuple[str, ...] | None:
    """``kinds`` as a tuple of row kinds (None: every kind); an unknown kind is an InputError."""
    if kinds is None:
        return None
    chosen = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    unknown = [k for k in chosen if k not in ROW_KINDS]
    if unknown or not chosen:
        raise InputError(
            f"row kinds are {', '.join(ROW_KINDS)}; got {', '.join(unknown) or 'none'}",
            field=ROW_KIND,
        )
    return chosen


def _where(models: Iterable[str] | None, kinds: Kinds) -> tuple[str, list[Any]]:
    """A WHERE clause (or '') choosing rows of ``models`` and ``kinds``, and its parameters."""
    clauses, params = [], []
    if models is not None:
        clauses.append("list_contains(?, model)")
        params.append(list(models))
    chosen = row_kinds(kinds)
    if chosen is not None:
        clauses.append(f"list_contains(?, {ROW_KIND})")
        params.append(list(chosen))
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def migrate(con: duckdb.DuckDBPyConnection) -> str:
    """Bring the results table of ``con`` to ``RESULT_ROW``: create it, add missing columns, or
    rebuild it under ``ROW_KEY`` (rows copied as ``scored`` in one transaction). Returns what
    was done: ``created``, ``columns added``, ``rebuilt`` or ``current``."""
    have = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "AND table_schema = current_schema() ORDER BY ordinal_position",
            [TABLE],
        ).fetchall()
    ]
    if not have:
        con.execute(table_sql())
        con.execute(INDEX_SQL)
        return "created"
    key = con.execute(
        "SELECT constraint_column_names FROM duckdb_constraints() WHERE table_name = ? "
        "AND constraint_type = 'PRIMARY KEY' AND schema_name = current_schema()",
        [TABLE],
    ).fetchall()
    if not key or tuple(key[0][0]) != ROW_KEY:
        _rebuild(con, have)
        return "rebuilt"
    missing = [c for c in RESULT_ROW if c.name not in have]
    for column in missing:
        con.execute(f"ALTER TABLE {TABLE} ADD COLUMN {column_sql(column)}")
    con.execute(INDEX_SQL)
    return "columns added" if missing else "current"


def _rebuild(con: duckdb.DuckDBPyConnection, have: list[str]) -> None:
    """The table made again from ``RESULT_ROW`` with every row of the old one: the columns both
    have copied, the others left to their default (``row_kind``: ``scored``)."""
    shared = ", ".join(c.name for c in RESULT_ROW if c.name in have)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(table_sql(f"{TABLE}_new"))
        con.execute(f"INSERT INTO {TABLE}_new ({shared}) SELECT {shared} FROM {TABLE}")
        con.execute(f"DROP TABLE {TABLE}")
        con.execute(f"ALTER TABLE {TABLE}_new RENAME TO {TABLE}")
        con.execute(INDEX_SQL)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


# -- the checks of failing samples (issue 26, docs/checks.md) -------------------------------------
# A child table of the results: one row per executed check of a ``checks`` row, keyed by that
# row's key and the check's index, its columns typed as ``CheckResult`` declares them.
CHECKS_TABLE = "checks"
CHECK_KEY: tuple[str, ...] = (*ROW_KEY, "check_index")
SQL_TYPES = {"int": "INTEGER", "str": "VARCHAR", "bool": "BOOLEAN"}


def checks_table_sql() -> str:
    """The CREATE TABLE statement of the child table ``checks`` (``CHECK_KEY``)."""
    declared = {f.name: str(f.type).split(" ")[0] for f in fields(CheckResult)}
    body = [
        *(f"{c.name} {c.type} NOT NULL" for c in RESULT_ROW if c.key),
        *(f"{name} {SQL_TYPES[declared[name]]}" for name in CHECK_COLUMNS),
        f"PRIMARY KEY ({', '.join(CHECK_KEY)})",
    ]
    return f"CREATE TABLE IF NOT EXISTS {CHECKS_TABLE} (\n    " + ",\n    ".join(body) + "\n)"


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, **frames: pd.DataFrame) -> Iterator[None]:
    """``frames`` registered on ``con`` under their names while the block runs."""
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        yield
    finally:
        for name in frames:
            con.unregister(name)


def _matches(left: str, right: str, keys: Iterable[str]) -> str:
    return " AND ".join(f"{left}.{k} = {right}.{k}" for k in keys)


class Store:
    """A DuckDB results file; safe to share between threads of one process.

    Reads (``results``, ``count``) take the ``scored`` rows unless given ``kinds``: a row kind,
    several, or None for every kind (``execution.records.ROW_KINDS``).
    """

    def __init__(self, path: str | Path = DEFAULT_STORE) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._con = duckdb.connect(str(self.path))
        self._lock = threading.Lock()
        with self._lock:
            migrate(self._con)
            self._con.execute(checks_table_sql())

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def put(self, row: Mapping[str, Any]) -> None:
        """Insert or replace one result and commit it (``created_at``: now, also on a rerun)."""
        self.put_many(pd.DataFrame([dict(row)], dtype=object))

    def cached(self, cache_key: str) -> dict[str, Any] | None:
        """A stored verdict for identical work (same program, test, toolchain, limits), if any."""
        found = self.cached_many([cache_key])
        return None if found.empty else found.iloc[0].to_dict()

    def cached_many(self, cache_keys: Iterable[str]) -> pd.DataFrame:
        """Stored verdicts for many cache keys in one query: one row per key found, with every
        column of ``COLUMNS`` (a key looked up one at a time costs a query each). Rows of any
        kind serve: a cache key names the work, whatever run did it."""
        keys = pd.DataFrame({"cache_key": pd.unique(pd.Series(list(cache_keys), dtype=object))})
        if keys.empty:
            return pd.DataFrame(columns=COLUMNS)
        cols = ", ".join(f"e.{c}" for c in COLUMNS)
        with self._lock:
            self._con.register("wb_lookup_keys", keys)
            try:
                return self._con.execute(
                    f"SELECT DISTINCT ON (e.cache_key) {cols} FROM {TABLE} e "
                    "JOIN wb_lookup_keys k ON e.cache_key = k.cache_key "
                    f"WHERE e.status NOT IN {NOT_CACHED}"
                ).df()
            finally:
                self._con.unregister("wb_lookup_keys")

    def put_many(self, rows: pd.DataFrame) -> None:
        """Insert or replace many results in one transaction (all or none are committed);
        ``created_at`` is the time of this write, so a replaced verdict is dated by its rerun.
        A row without a ``row_kind`` is ``scored``, without a ``run_index`` the run 0."""
        if rows.empty:
            return
        frame = rows.reindex(columns=COLUMNS)
        frame[ROW_KIND] = frame[ROW_KIND].where(frame[ROW_KIND].notna(), SCORED)
        frame[RUN_INDEX] = frame[RUN_INDEX].fillna(0).astype("int64")  # one run of its kind
        row_kinds(frame[ROW_KIND].unique())  # an unknown kind is an error, not a stored row
        frame = frame.drop_duplicates(list(ROW_KEY), keep="last")
        names = ", ".join(COLUMNS)
        with self._lock:
            self._con.register("wb_put_rows", frame)
            try:
                self._con.execute(
                    f"INSERT OR REPLACE INTO {TABLE} ({names}, created_at) "
                    f"SELECT {names}, current_timestamp FROM wb_put_rows"
                )
            finally:
                self._con.unregister("wb_put_rows")

    def results(
        self, models: Iterable[str] | None = None, *, kinds: Kinds = SCORED
    ) -> pd.DataFrame:
        """The stored results (of ``models`` only, when given) as a DataFrame: the ``scored``
        rows, or those of ``kinds`` (a row kind, several, or None for all)."""
        where, params = _where(models, kinds)
        with self._lock:
            return self._con.execute(
                f"SELECT * FROM {TABLE}{where} ORDER BY {', '.join(ROW_KEY)}", params
            ).df()

    def forget_unpassed(
        self, model: str, task_ids: Iterable[str] | None = None, *, kinds: Kinds = SCORED
    ) -> int:
        """Delete ``model``'s non-passing rows (of ``task_ids`` only, when given; of ``kinds``,
        by default the scored ones) so the next run executes them again (a verdict taken under
        load is worth re-checking); returns how many were deleted."""
        where, params = _where([model], kinds)
        query = f"DELETE FROM {TABLE}{where} AND status <> 'passed'"
        if task_ids is not None:
            query += " AND list_contains(?, task_id)"
            params.append(list(task_ids))
        with self._lock:
            before = self._count()
            # fetchall finishes the statement: DuckDB refuses new work on this connection before
            self._con.execute(query, params).fetchall()
            return before - self._count()

    def forget_samples(self, samples: pd.DataFrame, *, kinds: Kinds) -> int:
        """Delete the rows of ``kinds`` (never every kind: name them) of the samples listed in
        ``samples`` (its ``SAMPLE_KEY`` columns); returns how many were deleted. What a run of
        another kind no longer gives (a repair that no longer applies) leaves with it."""
        chosen = row_kinds(kinds)
        if chosen is None or samples.empty:
            return 0
        keys = samples[list(SAMPLE_KEY)].drop_duplicates()
        matches = " AND ".join(f"{TABLE}.{k} = k.{k}" for k in SAMPLE_KEY)
        with self._lock:
            before = self._count()
            self._con.register("wb_forget_keys", keys)
            try:
                self._con.execute(
                    f"DELETE FROM {TABLE} USING wb_forget_keys k WHERE {matches} "
                    f"AND list_contains(?, {TABLE}.{ROW_KIND})",
                    [list(chosen)],
                ).fetchall()
            finally:
                self._con.unregister("wb_forget_keys")
            return before - self._count()

    def refresh_causes(self, models: Iterable[str] | None = None) -> int:
        """Recompute the cause columns of the stored rows of every kind (of ``models`` only,
        when given) from what each row holds, without running anything: after the registry's
        cause rules changed, or for a store written before causes existed. Returns the rows
        updated."""
        keys = list(ROW_KEY)
        models = None if models is None else list(models)  # read twice: here and apply_checks
        # A passing row needs only its status: its outputs are not read.
        inputs = ", ".join(
            f"CASE WHEN status = 'passed' THEN NULL ELSE {c} END AS {c}"
            for c in ("reason", "stdout", "stderr", "exit_code", "signal")
            + ("extraction", "code", "raw_generation", "program", "token_limit_reached")
        )
        where, params = _where(models, None)
        query = f"SELECT {', '.join(keys)}, language, status, {inputs} FROM {TABLE}{where}"
        with self._lock:
            rows = self._con.execute(query, params).df()
            if rows.empty:
                return 0
            update = pd.concat([rows[keys], explain_frame(rows)], axis=1)
            self._con.register("wb_causes", update)
            try:
                assignments = ", ".join(f"{c} = u.{c}" for c in CAUSE_COLUMNS)
                matches = " AND ".join(f"{TABLE}.{k} = u.{k}" for k in keys)
                self._con.execute(
                    f"UPDATE {TABLE} SET {assignments} FROM wb_causes u WHERE {matches}"
                ).fetchall()
            finally:
                self._con.unregister("wb_causes")
        self.apply_checks(models)  # the first failing check's values outlive a refresh
        return len(update)

    # -- the checks of failing samples (issue 26) ----------------------------------------------
    def put_checks(self, rows: pd.DataFrame, checks: pd.DataFrame) -> None:
        """Store a checks run (``evaluation.checks.run_checks``) in one transaction: its rows of
        kind ``checks`` with their checks columns, and their per-check rows, which replace any
        those samples had; then their scored rows gain the checks columns (``apply_checks``)."""
        if rows.empty:
            return
        names = [*COLUMNS, *CHECKS_COLUMNS]
        frame = rows.reindex(columns=names).drop_duplicates(list(ROW_KEY), keep="last")
        row_kinds(frame[ROW_KIND].unique())
        per_check = checks.reindex(columns=[*ROW_KEY, *CHECK_COLUMNS])
        listed = ", ".join(names)
        with self._lock, registered(self._con, wb_check_rows=frame, wb_checks=per_check):
            self._con.execute("BEGIN TRANSACTION")
            try:
                self._con.execute(
                    f"INSERT OR REPLACE INTO {TABLE} ({listed}, created_at) "
                    f"SELECT {listed}, current_timestamp FROM wb_check_rows"
                )
                self._con.execute(
                    f"DELETE FROM {CHECKS_TABLE} WHERE EXISTS (SELECT 1 FROM wb_check_rows r "
                    f"WHERE {_matches(CHECKS_TABLE, 'r', ROW_KEY)})"
                ).fetchall()
                columns = ", ".join([*ROW_KEY, *CHECK_COLUMNS])
                self._con.execute(
                    f"INSERT INTO {CHECKS_TABLE} ({columns}) SELECT {columns} FROM wb_checks"
                )
                self._con.execute("COMMIT")
            except BaseException:
                self._con.execute("ROLLBACK")
                raise
        self.apply_checks(frame["model"].unique())

    def checks(self, models: Iterable[str] | None = None) -> pd.DataFrame:
        """The per-check rows of the stored checks runs (of ``models`` only, when given): the
        ``checks`` row's key and ``CHECK_COLUMNS``, in the order the checks ran."""
        where, params = _where(models, None)
        with self._lock:
            return self._con.execute(
                f"SELECT * FROM {CHECKS_TABLE}{where} ORDER BY {', '.join(CHECK_KEY)}", params
            ).df()

    def apply_checks(self, models: Iterable[str] | None = None) -> int:
        """Each ``checks`` row's summary made again from its per-check rows (``summary``: counts,
        miss kind, first failing check), then copied to the scored row of the same answer
        (``scored_with_checks``: the verdict unchanged). Called after a checks run, by
        ``refresh_causes`` (which rewrites the cause columns from the output) and after
        ``evaluate`` rewrote scored rows. Returns how many scored rows have checks."""
        models = None if models is None else list(models)
        where, params = _where(models, CHECKS)
        keys = ", ".join(ROW_KEY)
        with self._lock:
            rows = self._con.execute(
                f"SELECT {keys}, code, checks_note FROM {TABLE}{where}", params
            ).df()
        if rows.empty:
            return 0
        per_check = self.checks(models)
        made = {
            key: summary(group.to_dict("records"))
            for key, group in per_check.groupby(list(ROW_KEY), sort=False)
        }
        empty = summary([])
        found = [made.get(key, empty) for key in rows[list(ROW_KEY)].itertuples(index=False)]
        rows = pd.concat([rows, pd.DataFrame(found, index=rows.index)], axis=1)
        scored_where, scored_params = _where(models, SCORED)
        wanted = ", ".join(
            [
                *ROW_KEY,
                "code",
                "status",
                *CHECKS_COLUMNS,
                "failing_check",
                "expected",
                "actual",
            ]
        )
        with self._lock:
            scored = self._con.execute(
                f"SELECT {wanted} FROM {TABLE}{scored_where} AND list_contains(?, status)",
                [*scored_params, list(OPENED)],
            ).df()
        given = scored_with_checks(scored, rows)
        given = given[given["checks_total"].notna()]
        self._update(
            rows, ["checks_passed", "checks_total", "miss", "failing_check", "expected", "actual"]
        )
        self._update(given, [*CHECKS_COLUMNS, "failing_check", "expected", "actual"])
        return len(given)

    def _update(self, rows: pd.DataFrame, columns: list[str]) -> None:
        """Set ``columns`` of the stored rows with the keys of ``rows`` to their values."""
        if rows.empty:
            return
        frame = rows[[*ROW_KEY, *columns]].astype(object)
        frame = frame.where(frame.notna(), None)
        assignments = ", ".join(f"{c} = u.{c}" for c in columns)
        with self._lock, registered(self._con, wb_update=frame):
            self._con.execute(
                f"UPDATE {TABLE} SET {assignments} FROM wb_update u "
                f"WHERE {_matches(TABLE, 'u', ROW_KEY)}"
            ).fetchall()

    def count(self, *, kinds: Kinds = SCORED) -> int:
        """How many rows the store holds (the scored ones, or those of ``kinds``)."""
        with self._lock:
            return self._count(kinds)

    def _count(self, kinds: Kinds = None) -> int:
        where, params = _where(None, kinds)
        found = self._con.execute(f"SELECT count(*) FROM {TABLE}{where}", params).fetchall()
        return int(found[0][0])


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
