"""Causes in the results store: the demo evaluated into a real DuckDB file carries them for every
row (fresh executions and cache hits), and a store written before causes existed is migrated in
place and filled by ``Store.refresh_causes`` without running anything."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.conftest import SKELETON_LANGUAGES, require_toolchain
from tests.evaluation.releases import BEFORE_CAUSES, release_store
from workbench.evaluation.runner import RESULT_COLUMNS, evaluate
from workbench.evaluation.store import Store
from workbench.execution.causes import CAUSE_COLUMNS, CAUSES
from workbench.execution.records import SAMPLE_KEY
from workbench.inputs.samples import load_samples
from workbench.inputs.tasks import load_tasks
from workbench.ops.demo import DEMO_DATA

KEYS = list(SAMPLE_KEY)
# Demo samples whose failure the demo's README explains, and the cause that says it.
KNOWN = {
    ("Python/1", "demo/hasty-coder", 0): ("index_out_of_range", "IndexError"),
    ("Python/2", "demo/hasty-coder", 1): ("syntax", "SyntaxError"),
    ("C/3", "demo/hasty-coder", 1): ("missing_import", "<stdbool.h>"),
    ("C/3", "demo/hasty-coder", 0): ("null_or_none", "SIGSEGV"),
    ("CPP/1", "demo/hasty-coder", 0): ("undefined_name", "has no member named"),
    ("Java/1", "demo/hasty-coder", 1): (
        "index_out_of_range",
        "java.lang.StringIndexOutOfBoundsException",
    ),
    ("Java/2", "demo/hasty-coder", 1): ("type_error", "unexpected type"),
    ("JavaScript/2", "demo/hasty-coder", 0): ("syntax", "SyntaxError"),
    ("JavaScript/2", "demo/hasty-coder", 1): ("type_error", "TypeError"),
    ("Shell/2", "demo/hasty-coder", 0): ("signature_mismatch", "usage message"),
    ("Shell/3", "demo/hasty-coder", 0): ("timeout", "run step"),
}


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """The demo evaluated once into a fresh store: (its path, the returned results)."""
    for language in SKELETON_LANGUAGES:
        require_toolchain(language)
    samples = load_samples(DEMO_DATA / "samples.jsonl")
    tasks = load_tasks(DEMO_DATA, languages=SKELETON_LANGUAGES)
    path = tmp_path_factory.mktemp("causes") / "demo.duckdb"
    results = evaluate(
        samples, tasks, store=path, progress=False, limits={"run_timeout": 5.0}, jobs=2
    )
    return path, results


def _values(column: pd.Series) -> list[str]:
    """A column's values with missing ones as '' (NaN, None and pandas' NA alike)."""
    return [value if isinstance(value, str) else "" for value in column]


def _stored(path: Path) -> pd.DataFrame:
    with Store(path) as db:
        return db.results()


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_every_recorded_row_has_its_cause(demo_store: tuple[Path, pd.DataFrame]) -> None:
    path, results = demo_store
    assert list(results.columns) == RESULT_COLUMNS
    stored = _stored(path)
    assert set(CAUSE_COLUMNS) <= set(stored.columns)
    passed = stored["status"] == "passed"
    assert stored.loc[passed, list(CAUSE_COLUMNS)].isna().all().all()
    assert stored.loc[~passed, "cause"].isin(CAUSES).all()
    for (task_id, model, index), (cause, detail) in KNOWN.items():
        row = stored[
            (stored["task_id"] == task_id)
            & (stored["model"] == model)
            & (stored["sample_index"] == index)
        ].iloc[0]
        assert (row["cause"], row["cause_detail"]) == (cause, detail), row.to_dict()
    # The returned table says the same as the store.
    merged = results.merge(stored, on=KEYS, suffixes=("", "_stored"))
    for column in CAUSE_COLUMNS:
        assert _values(merged[column]) == _values(merged[f"{column}_stored"])


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_wrong_answers_name_the_failing_check(demo_store: tuple[Path, pd.DataFrame]) -> None:
    stored = _stored(demo_store[0])
    failed = stored[stored["status"] == "failed"]
    assert (failed["cause"] == "wrong_answer").all()
    python = failed[failed["language"] == "Python"]
    assert python["failing_check"].str.startswith("assert candidate(").all()
    c = failed[failed["task_id"] == "C/1"].iloc[0]
    assert c["failing_check"] == "count_digit(0, 0) == 1"
    shell = failed[failed["language"] == "Shell"]
    assert shell["failing_check"].str.contains(r'echo "Test \d+ failed"').all()


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_cache_hits_get_causes_too(demo_store: tuple[Path, pd.DataFrame], tmp_path: Path) -> None:
    path, first = demo_store
    copy = tmp_path / "again.duckdb"
    copy.write_bytes(path.read_bytes())
    samples = load_samples(DEMO_DATA / "samples.jsonl")
    tasks = load_tasks(DEMO_DATA, languages=SKELETON_LANGUAGES)
    again = evaluate(samples, tasks, store=copy, progress=False, limits={"run_timeout": 5.0})
    hits = again[again["cached"].astype(bool)]
    assert len(hits) == len(again[~again["status"].isin(["toolchain_missing"])])
    merged = first.merge(again, on=KEYS, suffixes=("", "_again"))
    for column in CAUSE_COLUMNS:
        assert _values(merged[column]) == _values(merged[f"{column}_again"])


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_an_old_store_is_migrated_and_refreshed(
    demo_store: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    path, _ = demo_store
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    # The table as the release before causes wrote it.
    con.execute(release_store(BEFORE_CAUSES).SCHEMA)
    columns = [r[0] for r in con.execute("DESCRIBE executions").fetchall()]
    assert not set(CAUSE_COLUMNS) & set(columns)
    con.execute(f"ATTACH '{path}' AS demo (READ_ONLY)")
    names = ", ".join(columns)
    con.execute(f"INSERT INTO executions ({names}) SELECT {names} FROM demo.executions")
    con.close()

    with Store(old) as db:
        migrated = db.results()
        assert set(CAUSE_COLUMNS) <= set(migrated.columns)
        assert migrated["cause"].isna().all()
        one = "demo/careful-coder"
        assert db.refresh_causes(models=[one]) == int((migrated["model"] == one).sum())
        partly = db.results()
        assert partly.loc[partly["model"] != one, "cause"].isna().all()
        assert db.refresh_causes() == len(migrated)
        refreshed = db.results()
    expected = _stored(path)
    merged = expected.merge(refreshed, on=KEYS, suffixes=("", "_refreshed"))
    assert len(merged) == len(expected)
    for column in CAUSE_COLUMNS:
        assert _values(merged[column]) == _values(merged[f"{column}_refreshed"])
    # Opening it again changes nothing: the migration is idempotent.
    with Store(old) as db:
        assert db.results()["cause"].notna().sum() == refreshed["cause"].notna().sum()


def test_refresh_of_an_empty_store_updates_nothing(tmp_path: Path) -> None:
    with Store(tmp_path / "empty.duckdb") as db:
        assert db.refresh_causes() == 0
