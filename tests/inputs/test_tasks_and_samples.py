"""Loading tasks and samples: real McEval counts, both sample layouts, and located errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.conftest import DEMO
from workbench.errors import InputError
from workbench.inputs.samples import attach_tasks, load_samples
from workbench.inputs.tasks import base_id, load_tasks
from workbench.programs.prepare import prepare


def test_generation_counts_match_the_benchmark(mceval_dir):
    tasks = load_tasks(mceval_dir)
    assert len(tasks) == 2007
    assert tasks["level"].value_counts().to_dict() == {"easy": 1221, "middle": 401, "hard": 385}
    assert tasks["language"].nunique() == 40
    assert tasks["task_id"].is_unique


def test_explanation_and_completion_counts(mceval_dir):
    assert len(load_tasks(mceval_dir, task="explanation")) == 2007
    sizes = {
        s: len(load_tasks(mceval_dir, task="completion", subset=s))
        for s in ("single", "multi", "span", "light")
    }
    assert sizes == {"single": 2998, "multi": 2998, "span": 4014, "light": 2007}


def test_completion_levels_are_joined_from_generation(mceval_dir):
    light = load_tasks(mceval_dir, task="completion", subset="light", languages=["Rust"])
    assert light["level"].notna().all()
    gen = load_tasks(mceval_dir, languages=["Rust"]).set_index("task_id")["level"]
    row = light[light["task_id"] == "Rust/1-0-light-span"].iloc[0]
    assert row["base_id"] == "Rust/1" and row["level"] == gen["Rust/1"]
    assert "[MASK]" in row["mask_code"]


def test_language_aliases_and_support_folders(mceval_dir):
    tasks = load_tasks(mceval_dir, languages=["C++", "go", "AWK"])
    assert sorted(tasks["language"].unique()) == ["AWK", "CPP", "Go"]
    support = tasks.groupby("language")["support_dir"].first()
    assert support["Go"].endswith("generation/go") and support["AWK"].endswith("generation/AWK")
    assert pd.isna(support["CPP"])


def test_base_id():
    assert base_id("Rust/1-0-light-span") == "Rust/1"
    assert base_id("Common Lisp/12") == "Common Lisp/12"


def test_hub_source_fails_clearly_offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    with pytest.raises(InputError, match="cannot download hf://"):
        load_tasks("hf://Multilingual-Multimodal-NLP/McEval")


def write_lines(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_flat_samples_keep_raw_text_extra_fields_and_order():
    samples = load_samples(DEMO / "samples.jsonl")
    assert len(samples) == 72
    assert set(samples["model"]) == {"demo/careful-coder", "demo/hasty-coder"}
    assert {"expected_status", "note", "synthetic"} <= set(samples.columns)
    assert samples["source_line"].tolist() == list(range(1, 73))


def test_official_layout_one_row_per_generation(tmp_path):
    record = json.loads((DEMO / "generation" / "Python.jsonl").read_text().splitlines()[0])
    folder = tmp_path / "my-model"
    folder.mkdir()
    record["raw_generation"] = ["```python\nprint(1)\n```", "bare text"]
    write_lines(folder / "Python.jsonl", [json.dumps(record)])
    samples = load_samples(folder)
    assert samples[["model", "sample_index"]].values.tolist() == [["my-model", 0], ["my-model", 1]]
    single = load_samples(folder / "Python.jsonl", model="named")
    assert set(single["model"]) == {"named"}


@pytest.mark.parametrize(
    "line,field,message",
    [
        ('{"task_id": "Python/1", "model": "m", "raw_generation": "x"', None, "malformed JSON"),
        ('{"model": "m", "raw_generation": "x"}', "task_id", "missing"),
        (
            '{"task_id": "Cobol/1", "model": "m", "raw_generation": "x"}',
            "task_id",
            "unknown language",
        ),
        ('{"task_id": "Python/1", "raw_generation": "x"}', "model", "missing"),
        ('{"task_id": "Python/1", "model": "m"}', "raw_generation", "missing"),
        (
            '{"task_id": "Python/1", "model": "m", "sample_index": -1, "raw_generation": "x"}',
            "sample_index",
            "non-negative",
        ),
    ],
)
def test_bad_sample_lines_name_file_line_and_field(tmp_path, line, field, message):
    good = '{"task_id": "Python/1", "model": "m", "sample_index": 0, "raw_generation": "x"}'
    path = write_lines(tmp_path / "s.jsonl", [good, line])
    with pytest.raises(InputError, match=message) as err:
        load_samples(path)
    assert err.value.file == str(path) and err.value.line == 2 and err.value.field == field
    assert f"{path}:2" in str(err.value)


def test_samples_for_tasks_not_in_the_data_are_located(tmp_path):
    tasks = load_tasks(DEMO, languages=["Python"])
    path = write_lines(
        tmp_path / "s.jsonl",
        [
            '{"task_id": "Python/1", "model": "m", "raw_generation": "x"}',
            '{"task_id": "Python/999", "model": "m", "raw_generation": "x"}',
        ],
    )
    with pytest.raises(InputError, match="Python/999") as err:
        attach_tasks(load_samples(path), tasks)
    assert (err.value.line, err.value.field) == (2, "task_id")


def test_bad_task_file_is_located(tmp_path):
    gen = tmp_path / "generation"
    gen.mkdir()
    write_lines(gen / "Python.jsonl", ['{"task_id": "Python/1", "prompt": "x"}', "{oops"])
    with pytest.raises(InputError, match="malformed JSON") as err:
        load_tasks(tmp_path, languages=["Python"])
    assert err.value.line == 2


def test_prepare_keeps_raw_code_and_program():
    tasks = load_tasks(DEMO)
    samples = load_samples(DEMO / "samples.jsonl")
    prepared = prepare(samples, tasks)
    assert {"raw_generation", "code", "extraction", "program", "program_hash"} <= set(
        prepared.columns
    )
    row = prepared[
        (prepared["task_id"] == "Java/2") & (prepared["model"] == "demo/careful-coder")
    ].iloc[0]
    assert row["program"].rstrip().endswith("}")
    assert isinstance(prepared, pd.DataFrame) and prepared["program_hash"].str.len().eq(64).all()
