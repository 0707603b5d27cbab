"""``evaluate`` takes what users have: each sample's task kind and completion subset come from its
id and fields, the tasks of every kind present are loaded, and samples join their tasks on
(kind, task id). A given ``--task`` that contradicts the samples names the flags that fit."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tests.conftest import require_toolchain
from workbench.cli import main
from workbench.errors import InputError
from workbench.inputs.samples import attach_tasks, load_samples, task_kind, tasks_for_samples
from workbench.inputs.tasks import completion_subset, load_tasks
from workbench.paths import shared_dir

SHARED = shared_dir()
EXAMPLES = SHARED / "model-outputs" / "mceval-examples" if SHARED is not None else None


@pytest.fixture(scope="module")
def examples() -> Path:
    if EXAMPLES is None or not (EXAMPLES / "generation" / "C.jsonl").is_file():
        pytest.skip("McEval example outputs not found (../shared/model-outputs/mceval-examples)")
    return EXAMPLES


def _write(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_completion_id_names_its_subset(mceval_dir):
    completion = load_tasks(mceval_dir, task="completion")
    assert (completion["task_id"].map(completion_subset) == completion["subset"]).all()
    generation = load_tasks(mceval_dir)
    assert generation["task_id"].map(completion_subset).isna().all()
    assert task_kind("C/1", {"stage1_instruction": "...", "raw_generation": []}) == "explanation"
    assert task_kind("C/1-0-light-span") == "completion" and task_kind("C/1") == "generation"


@pytest.fixture(scope="module")
def mixed_python(mceval_dir, tmp_path_factory) -> Path:
    """Completion outputs merged across subsets in one ``Python.jsonl``, as users have them:
    the canonical answer of two tasks of each of single, multi and span."""
    records = []
    for subset in ("single", "multi", "span"):
        for record in _lines(mceval_dir / "completion" / subset / "Python.jsonl")[:2]:
            answer = record["prompt"] + "\n" + record["canonical_solution"]
            records.append({**record, "raw_generation": [f"```python\n{answer}\n```"]})
    return _write(tmp_path_factory.mktemp("mixed") / "python-model" / "Python.jsonl", records)


def test_mixed_completion_file_evaluates_in_one_call(mixed_python, mceval_dir, tmp_path, capsys):
    require_toolchain("Python")
    store = tmp_path / "results.duckdb"
    folder = str(mixed_python.parent)
    assert (
        main(
            [
                "evaluate",
                "--samples",
                folder,
                "--data",
                str(mceval_dir),
                "--store",
                str(store),
                "--quiet",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "task: completion/single" in printed and "task: completion/span" in printed
    with duckdb.connect(str(store), read_only=True) as db:
        rows = db.sql("SELECT task, subset, status FROM executions WHERE row_kind = 'scored'").df()
    assert set(rows["task"]) == {"completion"}
    assert rows["subset"].value_counts().to_dict() == {"single": 2, "multi": 2, "span": 2}
    assert set(rows["status"]) == {"passed"}  # canonical answers, each joined to its own task


def test_a_given_task_that_contradicts_the_ids_names_the_flags_that_fit(mixed_python, mceval_dir):
    samples = load_samples(mixed_python.parent)
    with pytest.raises(InputError, match="use --task completion --subset single") as caught:
        tasks_for_samples(samples, mceval_dir, task="generation")
    assert caught.value.line == 1 and caught.value.field == "task_id"
    with pytest.raises(
        InputError, match="in the multi subset.*use --task completion --subset multi"
    ):
        tasks_for_samples(samples, mceval_dir, task="completion", subset="single")
    # A fitting --task keeps the old behaviour: the tasks of that kind (every subset).
    tasks = tasks_for_samples(samples, mceval_dir, task="completion")
    assert set(tasks["task"]) == {"completion"} and set(tasks["language"]) == {"Python"}
    assert len(attach_tasks(samples, tasks)) == 6


def test_explanation_outputs_need_no_flag_and_refuse_task_generation(examples, mceval_dir):
    samples = load_samples(examples / "explanation" / "C.jsonl")
    assert set(samples["task"]) == {"explanation"}
    with pytest.raises(InputError, match="stage1_\\* fields.*use --task explanation"):
        tasks_for_samples(samples, mceval_dir, task="generation")
    # Generation outputs may be judged as explanation on purpose: their ids fit both.
    plain = load_samples(examples / "generation" / "C.jsonl")
    tasks = tasks_for_samples(plain, mceval_dir, task="explanation")
    assert set(attach_tasks(plain, tasks)["task"]) == {"explanation"}


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_real_outputs_of_three_kinds_evaluate_in_one_call(examples, mceval_dir, tmp_path):
    require_toolchain("C")
    # The official example outputs concatenated into one C.jsonl of one model: generation and
    # explanation share their ids (C/1), so only the kind tells their samples apart.
    merged = [
        r
        for kind in ("generation", "explanation", "completion")
        for r in _lines(examples / kind / "C.jsonl")
    ]
    folder = _write(tmp_path / "examples-model" / "C.jsonl", merged).parent
    samples = load_samples(folder)
    assert samples["task"].value_counts().to_dict() == {
        "generation": 50,
        "explanation": 50,
        "completion": 50,
    }
    store = tmp_path / "results.duckdb"
    assert (
        main(
            [
                "evaluate",
                "--samples",
                str(folder),
                "--data",
                str(mceval_dir),
                "--store",
                str(store),
                "--quiet",
            ]
        )
        == 0
    )
    with duckdb.connect(str(store), read_only=True) as db:
        rows = db.sql(
            "SELECT task, subset, task_id, raw_generation, status FROM executions "
            "WHERE row_kind = 'scored'"
        ).df()
    assert len(rows) == 150
    assert rows.groupby(["task", rows["subset"].fillna("")]).size().to_dict() == {
        ("completion", "light"): 50,
        ("explanation", ""): 50,
        ("generation", ""): 50,
    }
    # Each sample was judged as its own kind: C/1's explanation row holds the stage-2 rewrite.
    stored = rows.set_index(["task", "task_id"])["raw_generation"]
    for kind in ("generation", "explanation"):
        first = _lines(examples / kind / "C.jsonl")[0]
        assert stored[(kind, "C/1")] == first["raw_generation"][0]
    assert "infrastructure_error" not in set(rows["status"])
    assert (rows["status"] == "passed").any() and (rows["status"] != "passed").any()


def test_duplicates_are_per_kind_and_a_flat_task_field_must_fit_the_id(examples, tmp_path):
    first = _lines(examples / "generation" / "C.jsonl")[0]
    explained = _lines(examples / "explanation" / "C.jsonl")[0]
    assert len(load_samples(_write(tmp_path / "a" / "C.jsonl", [first, explained]))) == 2
    with pytest.raises(InputError, match="duplicate sample generation C/1") as caught:
        load_samples(_write(tmp_path / "b" / "C.jsonl", [first, first]))
    assert caught.value.line == 2
    flat = {"task_id": "C/1", "model": "m", "raw_generation": "x", "task": "completion"}
    with pytest.raises(InputError, match="'completion' does not fit the id 'C/1'") as caught:
        load_samples(_write(tmp_path / "flat.jsonl", [flat]))
    assert caught.value.field == "task"


def test_unknown_task_error_says_what_the_id_names(mixed_python, mceval_dir):
    samples = load_samples(mixed_python.parent)
    tasks = load_tasks(mceval_dir, languages=["Python"])
    with pytest.raises(InputError, match="names a completion/single task; loaded: generation"):
        attach_tasks(samples, tasks)
