"""A store written by the previous release opens in this one: the result row gains its row kind
(in the primary key), every row is kept as ``scored`` with every value it had, no number changes,
and the store then holds other runs of the same samples beside the scored ones. The old stores are
made by the old code itself, read from the repository's history (``tests/evaluation/releases``)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.evaluation.releases import BEFORE_ROW_KIND, release_store
from workbench.analysis.passk import pass_at_k_table
from workbench.errors import InputError
from workbench.evaluation import store as store_module
from workbench.evaluation.notes import annotate, notes
from workbench.evaluation.store import Store, migrate
from workbench.execution.records import RESULT_ROW, ROW_KEY, ROW_KIND, RUN_INDEX, SCORED

TRACEBACK = 'Traceback (most recent call last):\n  File "p.py", line 3\nIndexError: list index out of range\n'


def _row(i: int, model: str, status: str, **extra: object) -> dict:
    return {
        "task": "generation",
        "task_id": f"Python/{i}",
        "model": model,
        "sample_index": 0,
        "language": "Python",
        "level": "easy",
        "program_hash": f"h{i}",
        "cache_key": f"{model}-{i}",
        "status": status,
        "reason": "" if status == "passed" else f"run step exited with {status}",
        "stdout": "",
        "stderr": TRACEBACK if status == "runtime_error" else "",
        "exit_code": 0 if status == "passed" else 1,
        "run_seconds": 0.25 * i,
        "max_rss_kb": 1000 + i,
        "output_truncated": False,
        "code": f"def f{i}(): pass",
        "extraction": "fence:python",
        **extra,
    }


ROWS = [
    _row(1, "a", "passed"),
    _row(2, "a", "runtime_error"),
    _row(3, "a", "failed"),
    _row(1, "b", "passed"),
    _row(2, "b", "passed"),
    _row(3, "b", "toolchain_missing"),
]


def _primary_key(path: Path) -> tuple[str, ...]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        found = con.execute(
            "SELECT constraint_column_names FROM duckdb_constraints() "
            "WHERE table_name = 'executions' AND constraint_type = 'PRIMARY KEY'"
        ).fetchall()
    finally:
        con.close()
    return tuple(found[0][0])


@pytest.fixture
def old_store(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    """A store written by the release before row kinds, with causes and a note: (its path,
    its results as that release reads them)."""
    release = release_store(BEFORE_ROW_KIND)
    path = tmp_path / "old.duckdb"
    with release.Store(path) as old:
        old.put_many(pd.DataFrame(ROWS))
        assert old.refresh_causes() == len(ROWS)
        before = old.results()
    annotate(path, ROWS[1], tags=["Missing Corner Case"], note="kept across the migration")
    assert _primary_key(path) == ("task", "task_id", "model", "sample_index")
    return path, before


def test_an_old_store_gains_the_row_kind_in_its_key(old_store: tuple[Path, pd.DataFrame]) -> None:
    path, before = old_store
    with Store(path) as db:
        after = db.results()
    assert _primary_key(path) == ROW_KEY
    assert (after[ROW_KIND] == SCORED).all()
    assert list(after.columns) == [c.name for c in RESULT_ROW]
    # Every row with every value it had, created_at included.
    keyed = after.drop(columns=ROW_KIND)[list(before.columns)]
    pd.testing.assert_frame_equal(keyed, before, check_dtype=False)
    # No number changes.
    pd.testing.assert_frame_equal(
        pass_at_k_table(after, k=1, by="language"), pass_at_k_table(before, k=1, by="language")
    )
    current = notes(path)
    assert current["note"].tolist() == ["kept across the migration"]


def test_the_migration_is_done_once(old_store: tuple[Path, pd.DataFrame]) -> None:
    path, before = old_store
    Store(path).close()
    con = duckdb.connect(str(path))
    try:
        assert migrate(con) == "current"
        assert con.execute("SELECT count(*) FROM executions").fetchall()[0][0] == len(before)
    finally:
        con.close()


def test_a_failed_migration_leaves_the_old_table(
    old_store: tuple[Path, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, before = old_store
    # The last step of the copy fails: nothing of it may stay.
    monkeypatch.setattr(store_module, "INDEX_SQL", "CREATE INDEX broken ON no_such_table (x)")
    with pytest.raises(duckdb.Error):
        Store(path)
    assert _primary_key(path) == ("task", "task_id", "model", "sample_index")
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        count = con.execute("SELECT count(*) FROM executions").fetchall()[0][0]
    finally:
        con.close()
    assert "executions_new" not in tables
    assert count == len(before)
    monkeypatch.undo()
    with Store(path) as db:  # and the next opening migrates it
        assert len(db.results()) == len(before)


def test_other_runs_of_a_sample_sit_beside_the_scored_one(
    old_store: tuple[Path, pd.DataFrame],
) -> None:
    path, before = old_store
    repaired = {**ROWS[1], ROW_KIND: "repaired", "status": "passed", "cache_key": "r2"}
    with Store(path) as db:
        db.put_many(pd.DataFrame([repaired]))
        assert db.count() == len(before)
        assert db.count(kinds=None) == len(before) + 1
        scored = db.results()
        both = db.results(models=["a"], kinds=[SCORED, "repaired"])
        only = db.results(kinds="repaired")
        with pytest.raises(InputError, match="row kinds are"):
            db.results(kinds="typo")
        with pytest.raises(InputError, match="row kinds are"):
            db.put_many(pd.DataFrame([{**repaired, ROW_KIND: "typo"}]))
    # The scored verdict is unchanged, and no table counts the other run.
    pd.testing.assert_frame_equal(
        scored.drop(columns=ROW_KIND)[list(before.columns)], before, check_dtype=False
    )
    assert sorted(both[ROW_KIND]) == ["repaired", *[SCORED] * 3]
    assert only[["task_id", "model", "status"]].values.tolist() == [["Python/2", "a", "passed"]]
    everything = pd.concat([scored, only], ignore_index=True)
    pd.testing.assert_frame_equal(pass_at_k_table(everything, k=1), pass_at_k_table(scored, k=1))


def test_a_store_without_a_newer_plain_column_gains_it_in_place(tmp_path: Path) -> None:
    # What a column added to RESULT_ROW later does to the stores written before it.
    path = tmp_path / "s.duckdb"
    with Store(path) as db:
        db.put_many(pd.DataFrame(ROWS))
    con = duckdb.connect(str(path))
    try:
        con.execute("DROP INDEX executions_cache")  # DuckDB drops no column under an index
        con.execute("ALTER TABLE executions DROP COLUMN failing_check")
        con.execute(store_module.INDEX_SQL)  # as the table stood: a column is added under it
        assert migrate(con) == "columns added"
        assert migrate(con) == "current"
        described = [r[0] for r in con.execute("DESCRIBE executions").fetchall()]
        kept = con.execute("SELECT count(*), count(failing_check) FROM executions").fetchall()
    finally:
        con.close()
    assert "failing_check" in described
    assert kept == [(len(ROWS), 0)]
    assert _primary_key(path) == ROW_KEY  # no copy: the key was already the row key


def test_a_store_keyed_by_row_kind_gains_the_run_index(tmp_path: Path) -> None:
    # A store as the release before ``run_index`` wrote it: the row kind in its key, no index.
    path = tmp_path / "row-kind.duckdb"
    earlier = [c for c in RESULT_ROW if c.name != RUN_INDEX]
    body = ", ".join(
        [*map(store_module.column_sql, earlier), f"PRIMARY KEY ({', '.join(ROW_KEY[:-1])})"]
    )
    con = duckdb.connect(str(path))
    try:
        con.execute(f"CREATE TABLE executions ({body})")
        rows = pd.DataFrame([{**r, ROW_KIND: SCORED} for r in ROWS])
        control = {**ROWS[0], ROW_KIND: "control", "model": "canonical", "cache_key": "c1"}
        rows = pd.concat([rows, pd.DataFrame([control])], ignore_index=True)
        con.register("old_rows", rows)
        names = ", ".join(c for c in rows.columns)
        con.execute(f"INSERT INTO executions ({names}) SELECT {names} FROM old_rows")
    finally:
        con.close()
    assert _primary_key(path) == ROW_KEY[:-1]
    with Store(path) as db:
        after = db.results(kinds=None)
        # Now a sample holds several runs of one kind: its repeats, told apart by their index.
        repeats = [{**ROWS[1], ROW_KIND: "repeat", RUN_INDEX: i} for i in (1, 2)]
        db.put_many(pd.DataFrame(repeats))
        assert db.count(kinds="repeat") == 2 and db.count() == len(ROWS)
    assert _primary_key(path) == ROW_KEY
    assert len(after) == len(ROWS) + 1 and (after[RUN_INDEX] == 0).all()
    assert sorted(after[ROW_KIND].unique()) == ["control", SCORED]
