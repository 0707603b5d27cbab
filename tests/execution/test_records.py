"""The result row is defined once (``RESULT_ROW``): the store's table, the runner's columns, the
cause record and the keys are read from it, and agree with it."""

from __future__ import annotations

from dataclasses import fields

import duckdb

from workbench.evaluation import runner
from workbench.evaluation.store import COLUMNS, table_sql
from workbench.execution.causes import Cause
from workbench.execution.records import (
    CAUSE_COLUMNS,
    CONTROL,
    FRESH_KINDS,
    PARTS,
    PROBE,
    REPEAT,
    RESULT_COLUMNS,
    RESULT_ROW,
    ROW_KEY,
    ROW_KIND,
    ROW_KINDS,
    RUN_INDEX,
    SAMPLE_KEY,
    SCORED,
    Execution,
)


def test_the_row_spec_is_well_formed() -> None:
    names = [c.name for c in RESULT_ROW]
    assert len(names) == len(set(names))
    assert all(c.part in PARTS for c in RESULT_ROW)
    assert tuple(c.name for c in RESULT_ROW if c.key) == ROW_KEY
    assert ROW_KEY == (*SAMPLE_KEY, ROW_KIND, RUN_INDEX)
    assert all(c.required for c in RESULT_ROW if c.key)  # a key column is never missing
    assert ROW_KINDS[0] == SCORED and len(set(ROW_KINDS)) == len(ROW_KINDS)
    # The health checks' runs are row kinds, always executed (never served from the cache).
    assert set(FRESH_KINDS) == {CONTROL, PROBE, REPEAT} and set(FRESH_KINDS) < set(ROW_KINDS)


def test_the_store_and_the_runner_derive_their_columns_from_it() -> None:
    con = duckdb.connect()
    con.execute(table_sql())
    described = con.execute("DESCRIBE executions").fetchall()
    assert [(r[0], r[1]) for r in described] == [(c.name, c.type) for c in RESULT_ROW]
    assert [r[0] for r in described if r[3] == "PRI"] == list(ROW_KEY)
    assert COLUMNS == runner.RESULT_COLUMNS == list(RESULT_COLUMNS)
    assert "created_at" not in RESULT_COLUMNS  # the store's own
    # The runner fills the sample's columns from the item and the verdict's from the execution.
    verdict = {f.name for f in fields(Execution)}
    assert set(runner.VERDICT_COLUMNS) <= verdict
    assert set(runner.ITEM_COLUMNS) | set(runner.VERDICT_COLUMNS) | set(runner.RUN_COLUMNS) >= {
        c for c in RESULT_COLUMNS if c not in ("cache_key", "cached", *CAUSE_COLUMNS)
    }


def test_a_cause_fills_the_cause_columns() -> None:
    assert tuple(f.name for f in fields(Cause)) == CAUSE_COLUMNS
