"""``generate`` end to end with tiny random models: every mode, the official evaluator's layout
field by field (against the official example outputs), resuming (also after a real SIGKILL), and
the output fed to ``evaluate`` through the real sandbox."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import duckdb
import pandas as pd
import pytest

from tests.conftest import require_toolchain
from tests.generation.conftest import offline_env
from workbench.cli import main
from workbench.errors import InputError
from workbench.execution.records import STATUSES
from workbench.generation.generate import generate
from workbench.generation.output import read_records
from workbench.generation.prompts import stage2_instruction
from workbench.inputs.samples import TOKEN_FIELDS, load_samples
from workbench.inputs.tasks import load_tasks


def _lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _settings(folder):
    return json.loads((folder / "generation-settings.json").read_text())


def _example(examples, kind, task_id):
    return next(r for r in _lines(examples / kind / "C.jsonl") if r["task_id"] == task_id)


def _same_layout(ours, example, extra):
    """Our record holds every field of the official example (but the example's
    ``humaneval_instruction``, which the dataset does not have) in the same order and of the same
    type, and only ``extra`` fields besides."""
    fields = [k for k in example if k != "humaneval_instruction"]
    assert [k for k in ours if k in example] == fields
    assert set(ours) - set(fields) == extra
    for key in fields:
        assert type(ours[key]) is type(example[key]), key
    assert all(isinstance(t, str) for t in ours["raw_generation"])


def _tasks(mceval_dir, task="generation", languages=("C",), limit=2, subset=None):
    tasks = load_tasks(mceval_dir, task=task, subset=subset, languages=list(languages))
    return tasks.groupby(["language", "subset"], dropna=False, sort=False).head(limit)


def test_greedy_generation_in_the_official_layout(tiny_model, mceval_dir, examples, tmp_path):
    tasks = _tasks(mceval_dir, languages=("C", "AWK"))
    out = tmp_path / "tiny-gpt2"
    samples = generate(tiny_model, tasks, max_new_tokens=12, out=out, progress=False)

    assert sorted(p.name for p in out.iterdir()) == [
        "AWK.jsonl",
        "C.jsonl",
        "generation-settings.json",
    ]
    dataset = {r["task_id"]: r for r in _lines(mceval_dir / "generation" / "C.jsonl")}
    records = _lines(out / "C.jsonl")
    assert [r["task_id"] for r in records] == ["C/1", "C/2"]  # the dataset's order
    for record in records:
        example = _example(examples, "generation", record["task_id"])
        _same_layout(record, example, {"level", "model_input", *TOKEN_FIELDS})
        # The task record is the dataset's, unchanged; the example agrees with it.
        assert {k: record[k] for k in dataset[record["task_id"]]} == dataset[record["task_id"]]
        assert all(record[k] == example[k] for k in example if k != "raw_generation")
        assert len(record["raw_generation"]) == 1
        assert record["model_input"] == record["instruction"]  # no chat template: as is

    assert list(samples["task_id"]) == ["C/1", "C/2", "AWK/1", "AWK/2"]
    assert set(samples["task"]) == {"generation"} and set(samples["model"]) == {"tiny-gpt2"}
    assert list(samples["sample_index"]) == [0, 0, 0, 0]
    assert samples.loc[0, "raw_generation"] == records[0]["raw_generation"][0]
    assert samples.loc[0, "model_input"] == records[0]["instruction"]

    settings = _settings(out)
    assert settings["decoding"] == "greedy" and settings["temperature"] == 0.0
    assert settings["top_p"] == 0.95 and settings["max_new_tokens"] == 12
    assert settings["model"] == str(tiny_model) and settings["revision"] is None
    assert settings["chat_template"] is False and settings["dtype"] == "float32"
    assert settings["versions"]["transformers"]
    (run,) = settings["runs"]
    assert run["sequences"] == 4 and run["tokens"] > 0


def test_each_sample_says_how_many_tokens_and_whether_it_hit_the_limit(
    tiny_model, mceval_dir, tmp_path
):
    tasks = _tasks(mceval_dir, limit=2)
    out = tmp_path / "tiny-gpt2"
    options = {"temperature": 0.8, "out": out, "progress": False}
    generate(tiny_model, tasks.head(1), n=2, max_new_tokens=5, **options)
    generate(tiny_model, tasks, n=3, max_new_tokens=5, **options)  # resumed: merged by index
    for record in _lines(out / "C.jsonl"):
        count, limit = record["generated_tokens"], record["token_limit_reached"]
        assert len(count) == len(limit) == len(record["raw_generation"]) == 3
        for tokens, reached in zip(count, limit, strict=True):
            # At the limit exactly when no end-of-sequence token came within 5 tokens.
            assert 1 <= tokens <= 5 and isinstance(reached, bool)
            assert tokens == 5 or not reached
    samples = load_samples(out)
    assert samples["generated_tokens"].between(1, 5).all()
    # A random tiny model rarely ends a sequence within 5 tokens: most samples hit the limit.
    assert samples["token_limit_reached"].sum() >= len(samples) // 2


def test_explanation_in_two_passes(tiny_model, mceval_dir, examples, tmp_path):
    tasks = _tasks(mceval_dir, task="explanation")
    out = tmp_path / "tiny-gpt2"
    samples = generate(tiny_model, tasks, max_new_tokens=12, out=out, progress=False)

    explanation = {r["task_id"]: r for r in _lines(mceval_dir / "explanation" / "C.jsonl")}
    stage1 = _lines(out / "stage1" / "C.jsonl")
    assert [r["task_id"] for r in stage1] == ["C/1", "C/2"]
    for first, record in zip(stage1, _lines(out / "C.jsonl"), strict=True):
        task_id = record["task_id"]
        # Stage 1: the explanation record's own instruction, answered once.
        assert first["model_input"] == explanation[task_id]["instruction"]
        assert len(first["raw_generation"]) == 1
        # Stage 2: the official layout, the description carried over verbatim.
        # The explanation data has no level.
        extra = {"model_input", "stage1_model_input", *TOKEN_FIELDS}
        _same_layout(record, _example(examples, "explanation", task_id), extra)
        assert record["stage1_instruction"] == explanation[task_id]["instruction"]
        assert record["stage1_raw_generation"] == first["raw_generation"]
        task = tasks[tasks["task_id"] == task_id].iloc[0].to_dict()
        assert record["instruction"] == stage2_instruction(task, first["raw_generation"][0])
        assert record["instruction"].startswith("Write a C function `")
        assert record["model_input"] == record["instruction"]
        assert record["stage1_model_input"] == first["model_input"]
    assert set(samples["task"]) == {"explanation"}
    # The stage-1 folder is not read as samples.
    assert len(load_samples(out)) == 2
    assert _settings(out)["runs"][0]["sequences"] == 4  # two descriptions, two rewrites


def test_completion_every_subset_with_n_samples(tiny_model, mceval_dir, examples, tmp_path):
    tasks = _tasks(mceval_dir, task="completion", limit=1)
    assert sorted(tasks["subset"]) == ["light", "multi", "single", "span"]
    out = tmp_path / "tiny-gpt2"
    samples = generate(
        tiny_model, tasks, n=3, temperature=0.8, max_new_tokens=8, out=out, progress=False
    )
    records = {r["task_id"]: r for r in _lines(out / "C.jsonl")}
    assert set(records) == set(tasks["task_id"])
    light = records["C/1-0-light-span"]
    example = _example(examples, "completion", "C/1-0-light-span")
    _same_layout(light, example, {"model_input", *TOKEN_FIELDS})
    for record in records.values():
        assert len(record["raw_generation"]) == 3 and "sample_indices" not in record
        assert record["model_input"] == record["instruction"]
    assert set(samples["task"]) == {"completion"}
    indices = samples.groupby("task_id")["sample_index"].apply(list)
    assert all(found == [0, 1, 2] for found in indices)
    settings = _settings(out)
    assert settings["decoding"] == "sampling" and settings["n"] == 3
    assert settings["temperature"] == 0.8 and settings["top_p"] == 0.95


def test_chat_template_prompt_is_kept_with_each_sample(chat_model, mceval_dir, tmp_path):
    tasks = _tasks(mceval_dir, limit=1)
    out = tmp_path / "out.jsonl"  # one file for every language
    samples = generate(
        chat_model, tasks, max_new_tokens=8, system_prompt="You write C.", out=out, progress=False
    )
    (record,) = _lines(out)
    assert record["model_input"] == (
        f"<|system|>\nYou write C.<|end|>\n<|user|>\n{record['instruction']}<|end|>\n"
        "<|assistant|>\n"
    )
    assert samples.loc[0, "model_input"] == record["model_input"]
    assert set(samples["model"]) == {"out"}
    settings = json.loads((tmp_path / "out.generation-settings.json").read_text())
    assert settings["chat_template"] is True and settings["system_prompt"] == "You write C."


def test_resume_generates_only_what_is_missing(tiny_model, mceval_dir, tmp_path):
    tasks = _tasks(mceval_dir, limit=3)
    out = tmp_path / "tiny-gpt2"
    options = {"temperature": 0.8, "max_new_tokens": 8, "out": out, "progress": False}
    generate(tiny_model, tasks.head(2), n=1, **options)
    first = {r["task_id"]: r["raw_generation"] for r in _lines(out / "C.jsonl")}

    samples = generate(tiny_model, tasks, n=2, **options)
    assert _settings(out)["runs"][1]["sequences"] == 3 * 2 - 2
    records = _lines(out / "C.jsonl")
    assert [r["task_id"] for r in records] == ["C/1", "C/2", "C/3"]
    for record in records:
        assert len(record["raw_generation"]) == 2 and "sample_indices" not in record
        if record["task_id"] in first:  # what was there is kept
            assert record["raw_generation"][0] == first[record["task_id"]][0]
    assert len(samples) == 6 and not samples.duplicated(["task_id", "sample_index"]).any()

    # Other settings would mix two kinds of samples in one output: refused before loading.
    with pytest.raises(InputError, match="generated with temperature=0.8") as caught:
        generate(tiny_model, tasks, n=2, **{**options, "temperature": 0.5})
    assert caught.value.field == "temperature"


def test_a_line_cut_short_is_dropped_on_resume(tiny_model, mceval_dir, tmp_path):
    tasks = _tasks(mceval_dir, limit=2)
    out = tmp_path / "tiny-gpt2"
    generate(tiny_model, tasks.head(1), max_new_tokens=8, out=out, progress=False)
    with open(out / "C.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"task_id": "C/2", "prompt": "#incl')  # killed while writing
    samples = generate(tiny_model, tasks, max_new_tokens=8, out=out, progress=False)
    assert [r["task_id"] for r in _lines(out / "C.jsonl")] == ["C/1", "C/2"]
    assert _settings(out)["runs"][1]["sequences"] == 1
    assert len(samples) == 2


@pytest.mark.slow
def test_sigkill_loses_at_most_the_batch_in_flight(tiny_model, mceval_dir, tmp_path):
    out = tmp_path / "tiny-gpt2"
    command = [sys.executable, "-m", "workbench.cli", "generate", "--model", str(tiny_model)]
    command += ["--data", str(mceval_dir), "--languages", "C", "--limit", "8", "--quiet"]
    command += ["--max-new-tokens", "48", "--batch-size", "1", "--out", str(out)]
    records_file = out / "C.jsonl"
    with open(tmp_path / "stderr.txt", "wb") as log:
        proc = subprocess.Popen(command, env=offline_env(), stderr=log)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            if records_file.is_file() and records_file.read_bytes().count(b"\n") >= 2:
                break
            time.sleep(0.02)
        running = proc.poll() is None
        if running:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert running, (tmp_path / "stderr.txt").read_text()[-2000:]

    kept = {r["task_id"]: r["raw_generation"] for r in read_records(records_file)}
    assert 2 <= len(kept) < 8  # each finished batch (one task) was on disk, the rest is not
    tasks = _tasks(mceval_dir, limit=8)
    samples = generate(tiny_model, tasks, max_new_tokens=48, batch_size=1, out=out, progress=False)
    runs = _settings(out)["runs"]
    assert len(runs) == 1 and runs[0]["sequences"] == 8 - len(kept)  # the killed run never ended
    records = _lines(records_file)
    assert [r["task_id"] for r in records] == list(tasks["task_id"])
    assert all(len(r["raw_generation"]) == 1 for r in records)
    for record in records:
        if record["task_id"] in kept:
            assert record["raw_generation"] == kept[record["task_id"]]
    assert len(samples) == 8 and samples["task_id"].is_unique


def test_generated_samples_evaluate_end_to_end(tiny_model, mceval_dir, tmp_path, capsys):
    require_toolchain("C")
    require_toolchain("Python")
    out, store = tmp_path / "tiny-gpt2", tmp_path / "results.duckdb"
    code = main(
        ["run", "--model", str(tiny_model), "--data", str(mceval_dir), "--languages", "C", "Python"]
        + ["--limit", "2", "--max-new-tokens", "16", "--out", str(out), "--store", str(store)]
        + ["--quiet"]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "model: tiny-gpt2" in printed and "pass@1" in printed
    with duckdb.connect(str(store), read_only=True) as db:
        rows = db.sql(
            "SELECT task, task_id, model, status FROM executions WHERE row_kind = 'scored'"
        ).df()
    assert len(rows) == 4 and set(rows["task"]) == {"generation"}
    assert set(rows["status"]) <= set(STATUSES) and set(rows["model"]) == {"tiny-gpt2"}
    # A random model's text does not pass, and never crashes the judge.
    assert "infrastructure_error" not in set(rows["status"])


def test_explanation_and_completion_output_evaluates_without_task(tiny_model, mceval_dir, tmp_path):
    require_toolchain("C")
    tasks = pd.concat(
        [
            _tasks(mceval_dir, task="explanation", limit=1),
            _tasks(mceval_dir, task="completion", limit=1),
        ]
    )
    out, store = tmp_path / "mixed-model", tmp_path / "results.duckdb"
    generate(tiny_model, tasks, max_new_tokens=12, out=out, progress=False)
    # One C.jsonl holds both kinds: evaluate tells them apart by their ids and stage1_* fields.
    assert (
        main(
            ["evaluate", "--samples", str(out), "--data", str(mceval_dir), "--store", str(store)]
            + ["--quiet"]
        )
        == 0
    )
    with duckdb.connect(str(store), read_only=True) as db:
        rows = db.sql(
            "SELECT task, subset, task_id, status FROM executions "
            "WHERE row_kind = 'scored' ORDER BY ALL"
        ).df()
    assert sorted(zip(rows["task"], rows["subset"].fillna(""), strict=True)) == [
        ("completion", "light"),
        ("completion", "multi"),
        ("completion", "single"),
        ("completion", "span"),
        ("explanation", ""),
    ]
    assert set(rows["status"]) <= set(STATUSES)
