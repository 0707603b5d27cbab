"""The benchmark's prompts: the records' instructions, and the explanation task's stage 2 exactly as
the official script builds it (checked against the official example outputs)."""

from __future__ import annotations

import json

import pytest

from workbench.errors import InputError
from workbench.generation.prompts import STAGE2_TEMPLATES, instruction, stage2_instruction
from workbench.inputs.tasks import load_tasks


def _records(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_stage2_reproduces_the_official_examples(examples, mceval_dir):
    tasks = load_tasks(mceval_dir, task="explanation", languages=["C"]).set_index("task_id")
    records = _records(examples / "explanation" / "C.jsonl")
    assert len(records) == 50
    for record in records:
        task = tasks.loc[record["task_id"]].to_dict()
        # Stage 1 sent the explanation record's instruction ...
        assert record["stage1_instruction"] == instruction(task)
        # ... stage 2 the official template around the model's own description.
        description = record["stage1_raw_generation"][0]
        assert record["instruction"] == stage2_instruction(task, description)


def test_generation_and_completion_send_the_records_instruction(examples, mceval_dir):
    for kind, subset in (("generation", None), ("completion", "light")):
        tasks = load_tasks(mceval_dir, task=kind, subset=subset, languages=["C"])
        by_id = tasks.set_index("task_id")
        records = _records(examples / kind / "C.jsonl")
        assert len(records) == 50, kind  # every example read: a short file checks less
        for record in records:
            assert instruction(by_id.loc[record["task_id"]].to_dict()) == record["instruction"]


@pytest.mark.parametrize(
    ("language", "opening"),
    [
        ("AWK", "Using the awk command in Linux, complete the following task:\n"),
        ("HTML", "Generate HTML code according to the following requirements:\n"),
        ("JSON", "Create a JSON object according to the following requirements:\n"),
        ("Markdown", "Generate Markdown code according to the following requirements:\n"),
        ("Python", "Write a Python function `"),
    ],
)
def test_stage2_templates_per_language(mceval_dir, language, opening):
    task = load_tasks(mceval_dir, task="explanation", languages=[language]).iloc[0].to_dict()
    text = stage2_instruction(task, "Adds two numbers.")
    assert text.startswith(opening) and text.endswith("\nAdds two numbers.")
    if language == "Python":
        assert f"`{task['signature']}` to solve the following problem:" in text
    else:
        assert language in STAGE2_TEMPLATES and "`" not in text.split("\n")[0]


def test_a_task_without_instruction_is_an_input_error():
    with pytest.raises(InputError, match="has no instruction") as caught:
        instruction({"task_id": "C/1", "source_file": "x.jsonl", "source_line": 3})
    assert caught.value.field == "instruction" and caught.value.line == 3
