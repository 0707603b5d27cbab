"""The language identifier trained on the McEval data: its snippets, its cache (keyed by the
data's digest and the library version), that it is deterministic, that without data there is
none, and its accuracy held out by task on a few languages (the full table: bench/language_id.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from workbench.inputs import language_id
from workbench.inputs.language_id import (
    build_model,
    data_digest,
    held_out_accuracy,
    identifier,
    mask_prose,
    model_key,
    snippets,
)
from workbench.paths import cache_dir
from workbench.registry.languages import language_names


@pytest.fixture(scope="module")
def table(mceval_dir: Path) -> pd.DataFrame:
    return snippets(mceval_dir)


def test_snippets_cover_every_language_with_their_tasks_and_problems(table):
    assert set(table["language"]) == set(language_names())
    assert set(table["kind"]) == {"prompt", "solution", "test", "answer"}
    assert not table.duplicated(["language", "text"]).any()
    # A task's snippets of every kind share its group; translations share a problem.
    rust = table[table["group"] == "Rust/1"]
    assert set(rust["kind"]) == {"prompt", "solution", "test", "answer"}
    assert table.loc[table["group"] == "Python/1", "problem"].iloc[0] == rust["problem"].iloc[0]
    # Languages judged by comparison give their reference answers, not their English prompts.
    html = table[table["language"] == "HTML"]
    assert set(html["kind"]) == {"solution"} and html["text"].str.contains("<").mean() > 0.9


def test_prose_is_masked_but_code_is_kept():
    text = "// Return the sum of two numbers.\nint add(int a, int b) { return a + b; }"
    masked = mask_prose(text)
    assert masked.startswith("// w w w w w w\n")
    assert masked.endswith("int add(int a, int b) { return a + b; }")
    java = "public static void main(String[] args)"
    assert mask_prose(java) == java


def test_the_model_is_cached_by_data_digest_and_library_version(mceval_dir):
    found = identifier(mceval_dir)
    assert found is not None and identifier(mceval_dir) is found  # built once per process
    key = model_key(data_digest(mceval_dir))
    assert found.key == key
    assert (cache_dir() / "language-id" / f"{key}.pkl").is_file()
    assert len(found.languages) == 40
    guess = found.guess(
        'fn main() {\n    let v: Vec<i32> = vec![1, 2];\n    println!("{}", v[0]);\n}'
    )
    assert guess.language == "Rust" and guess.probability > 0.5
    assert abs(sum(guess.probabilities.values()) - 1) < 1e-6 and guess.of("rs") == guess.probability
    # Features are what many problems share; a name of one problem (in all its translations)
    # is not one.
    features = found.model.steps[0][1].vocabulary_
    assert "def" in features and "# include" in features
    assert not {"has_close_elements", "hasCloseElements"} & set(features)


def test_other_data_is_another_key(mceval_dir, tmp_path):
    copy = tmp_path / "mceval" / "generation"
    copy.mkdir(parents=True)
    shutil.copy(mceval_dir / "generation" / "Python.jsonl", copy)
    digest = data_digest(copy.parent)
    path = copy / "Python.jsonl"
    path.write_text(path.read_text(encoding="utf-8")[:-200], encoding="utf-8")
    assert data_digest(copy.parent) != digest
    assert model_key(digest) != model_key(data_digest(copy.parent))


def test_without_data_there_is_no_identifier(tmp_path, monkeypatch):
    assert identifier(tmp_path) is None
    monkeypatch.setenv("MCEVAL_DATA", str(tmp_path / "nowhere"))
    assert identifier() is None


def test_training_is_deterministic(table):
    few = table[table["language"].isin(["C", "CPP", "Python", "Rust"])].head(400)
    first = build_model(few["text"], few["language"], few["problem"])
    second = build_model(few["text"], few["language"], few["problem"])
    texts = list(few["text"].head(50))
    assert (first.predict_proba(texts) == second.predict_proba(texts)).all()


def test_accuracy_held_out_by_task(table):
    languages = ["Python", "Rust", "Go", "Haskell", "Ruby", "C#"]
    few = table[table["language"].isin(languages)]
    result = held_out_accuracy(folds=3, split="group", table=few)
    assert len(result) == len(few) and set(result["guess"]) <= set(languages)
    # No task is both trained on and guessed: every group sits in one fold only, so the
    # accuracy below is on unseen tasks.
    assert result["correct"].mean() >= 0.95
    assert result.groupby("language")["correct"].mean().min() >= 0.9


def test_the_cache_survives_a_new_process(mceval_dir, monkeypatch):
    # A second process finds the cached model instead of training: simulated by clearing the
    # in-process table.
    monkeypatch.setattr(language_id, "_BUILT", {})
    again = identifier(mceval_dir)
    assert again is not None and again.key == model_key(data_digest(mceval_dir))
