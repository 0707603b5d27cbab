"""What the runner gives the causes read from the answer: the generation's token counts travel
with each sample (``generated_tokens``, ``token_limit_reached``) into ``evaluate``'s rows and the
store, so a cut-off answer that hit its token limit is ``incomplete`` with detail ``token limit``
— also when served from the cache and after ``refresh_causes`` — and a store written before
these columns gains them in place; the language identifier is built before the run starts."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.conftest import require_toolchain
from workbench.evaluation import store as store_module
from workbench.evaluation.runner import evaluate
from workbench.evaluation.store import Store, migrate
from workbench.execution.records import CAUSE_COLUMNS
from workbench.inputs import language_id
from workbench.inputs.tasks import load_tasks

# Python/10 (sum_of_factorials_optimized), cut off inside an open bracket, its fence never closed.
CUT = (
    "```python\ndef sum_of_factorials_optimized(n):\n    total, current = 0, 1\n"
    "    for i in range(1, n + 1):\n        current *= i\n        total += (current"
)
TOKEN_COLUMNS = ["generated_tokens", "token_limit_reached"]


@pytest.fixture(scope="module")
def tasks(mceval_dir: Path) -> pd.DataFrame:
    require_toolchain("Python")
    return load_tasks(mceval_dir, languages=["Python"])


def _samples() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "task": "generation",
            "task_id": "Python/10",
            "model": ["at-limit", "stopped", "elsewhere"],
            "sample_index": 0,
            "raw_generation": CUT,
            "completion": None,
            # As load_samples reads workbench generate's output; the last one came from elsewhere.
            "generated_tokens": [48, 48, None],
            "token_limit_reached": [True, False, None],
        }
    )


def _causes(frame: pd.DataFrame) -> dict[str, tuple]:
    return {row["model"]: (row["cause"], row["cause_detail"]) for row in frame.to_dict("records")}


def test_token_counts_reach_the_rows_the_store_and_the_causes(tmp_path, tasks):
    path = tmp_path / "s.duckdb"
    results = evaluate(_samples(), tasks, store=path, progress=False, jobs=1)
    expected = {
        "at-limit": ("incomplete", "token limit"),
        "stopped": ("incomplete", "fence never closed"),
        "elsewhere": ("incomplete", "fence never closed"),
    }
    assert results["status"].nunique() == 1  # one program, run once
    assert results["status"].iloc[0] in ("compile_error", "runtime_error")
    assert _causes(results) == expected
    assert results["generated_tokens"].tolist()[:2] == [48, 48]
    assert pd.isna(results["generated_tokens"].iloc[2])
    with Store(path) as db:
        stored = db.results().set_index("model")
        assert stored.loc["at-limit", "generated_tokens"] == 48
        assert bool(stored.loc["at-limit", "token_limit_reached"]) is True
        assert bool(stored.loc["stopped", "token_limit_reached"]) is False
        assert pd.isna(stored.loc["elsewhere", "token_limit_reached"])
        # Recomputed from the stored row alone: the same causes.
        before = db.results()[["model", *CAUSE_COLUMNS]]
        assert db.refresh_causes() == 3
        after = db.results()[["model", *CAUSE_COLUMNS]]
    pd.testing.assert_frame_equal(before, after)
    # Served from the store's cache, each sample keeps its own token counts and cause.
    again = evaluate(_samples(), tasks, store=path, progress=False, jobs=1)
    assert again["cached"].all()
    assert _causes(again) == expected


def test_a_store_written_before_the_token_columns_gains_them(tmp_path, tasks):
    path = tmp_path / "old.duckdb"
    results = evaluate(_samples(), tasks, progress=False, jobs=1)
    with Store(path):
        pass
    con = duckdb.connect(str(path))
    try:
        con.execute("DROP INDEX executions_cache")  # DuckDB drops no column under an index
        for column in (*TOKEN_COLUMNS, "repairs"):
            con.execute(f"ALTER TABLE executions DROP COLUMN {column}")
        con.execute(store_module.INDEX_SQL)
        old = results.drop(columns=[*TOKEN_COLUMNS, "repairs"])
        con.register("old_rows", old)
        con.execute(f"INSERT INTO executions ({', '.join(old.columns)}) SELECT * FROM old_rows")
        con.unregister("old_rows")
        assert migrate(con) == "columns added"
    finally:
        con.close()
    with Store(path) as db:
        stored = db.results()
        assert stored[TOKEN_COLUMNS].isna().all().all()
        assert db.refresh_causes() == 3
        # Without the flag the old rows say what the answer shows: a fence never closed.
        assert set(db.results()["cause_detail"]) == {"fence never closed"}


def test_the_identifier_is_built_before_the_run(tasks, monkeypatch):
    monkeypatch.setattr(language_id, "_BUILT", {})
    evaluate(_samples().head(0), tasks, progress=False)
    assert len(language_id._BUILT) == 1  # loaded (or trained) once, before any execution
