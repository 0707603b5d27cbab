"""Notes and tags in the store's DuckDB file: history kept, the latest per sample, found again
by a new process, kept through a re-evaluation, and refused for a sample that is not there."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import DEMO, PROJECT
from workbench.errors import InputError
from workbench.evaluation.notes import TAMBON_PATTERNS, annotate, notes, with_notes
from workbench.evaluation.runner import evaluate
from workbench.evaluation.store import Store
from workbench.inputs.samples import load_samples
from workbench.inputs.tasks import load_tasks

KEY = ("generation", "Python/1", "demo/hasty-coder", 0)


def row(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``KEY``."""
    return table[
        (table["task_id"] == KEY[1])
        & (table["model"] == KEY[2])
        & (table["sample_index"] == KEY[3])
    ]


def test_an_edit_adds_a_row_and_the_latest_is_current(store):
    first = annotate(store, KEY, tags=["Missing Corner Case"], note="empty list", author="ann")
    second = annotate(store, KEY, note="empty list: numbers[0] raises", author="bob")
    assert first["id"] < second["id"]
    assert second["tags"] == ["Missing Corner Case"]  # not given: carried over
    cleared = annotate(store, KEY, tags=[], author="bob")
    assert cleared["tags"] == [] and cleared["note"] == "empty list: numbers[0] raises"

    history = notes(store, latest=False)
    assert history["author"].tolist() == ["ann", "bob", "bob"]
    assert list(history["tags"].iloc[0]) == ["Missing Corner Case"]
    latest = notes(store)
    assert len(latest) == 1 and latest["id"].iloc[0] == cleared["id"]


def test_the_author_defaults_to_the_os_user(store):
    import getpass

    assert annotate(store, KEY, note="x")["author"] == getpass.getuser()


def test_a_new_process_finds_the_note(store):
    with Store(store) as db:  # written while the store is open in this process
        annotate(db, KEY, tags=["Silly Mistake"], note="off by one <b>", author="ann")
    code = (
        "import json, sys; from workbench.evaluation.notes import notes; "
        "t = notes(sys.argv[1]); "
        "print(json.dumps([{**r, 'tags': list(r['tags'])} for r in "
        "t.drop(columns=['created_at']).to_dict('records')]))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(store)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    [found] = json.loads(proc.stdout)
    assert (found["task"], found["task_id"], found["model"], found["sample_index"]) == KEY
    assert found["tags"] == ["Silly Mistake"] and found["note"] == "off by one <b>"
    assert found["author"] == "ann"


def test_re_evaluation_keeps_the_notes(store):
    annotate(store, KEY, tags=["Missing Corner Case"], note="kept")
    samples = load_samples(DEMO / "samples.jsonl")
    one = samples[(samples["task_id"] == "Python/1") & (samples["model"] == KEY[2])]
    with Store(store) as db:
        before = db.results()
        db.forget_unpassed(KEY[2], ["Python/1"])  # the row is gone, as before a rerun
        evaluate(one, load_tasks(DEMO, languages=["Python"]), store=db, cache=False, progress=False)
        after = db.results()
    assert row(after)["created_at"].iloc[0] > row(before)["created_at"].iloc[0]
    merged = with_notes(after, notes(store))
    assert row(merged)["note"].iloc[0] == "kept"
    assert row(merged)["tags"].iloc[0] == ["Missing Corner Case"]


def test_a_key_not_in_the_store_is_refused(store):
    with pytest.raises(InputError, match="no sample"):
        annotate(store, ("generation", "Python/99", "demo/hasty-coder", 0), note="typo")
    with pytest.raises(InputError, match="sample_index"):
        annotate(store, {"task": "generation", "task_id": "Python/1", "model": "m"}, note="x")
    with pytest.raises(InputError, match="no results store"):
        annotate(store.parent / "absent.duckdb", KEY, note="x")


def test_the_tambon_vocabulary_has_ten_patterns():
    assert len(TAMBON_PATTERNS) == len(set(TAMBON_PATTERNS)) == 10
    assert "Hallucinated Object" in TAMBON_PATTERNS
