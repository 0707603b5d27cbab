"""Tests that expect a string the task's own text spells differently (C/1's "Masssively"): the
search, on a made-up table and on the real McEval data, and the defect shown in the sandbox."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import require_toolchain
from workbench.analysis.defects import expected_string_mismatches, quoted_strings
from workbench.evaluation.verify import known_failure
from workbench.execution.execute import execute
from workbench.execution.records import Program
from workbench.inputs.tasks import load_tasks
from workbench.programs.assemble import join_parts

# Found by the search on the real data and confirmed by running (docs/dataset-defects.md).
CONFIRMED = {"C/1", "TypeScript/1", "VimScript/1", "Kotlin/20", "VimScript/3"}


def _task(task_id: str, instruction: str, test: str, canonical: str) -> dict[str, str]:
    return {
        "task_id": task_id,
        "language": "C",
        "task": "generation",
        "instruction": instruction,
        "docstring": "",
        "test": test,
        "canonical_solution": canonical,
    }


def test_quoted_strings_reads_every_quote_style_once():
    text = """Return "a b" or 'c d', `e f`, “g h”; again "a b"."""
    assert quoted_strings(text) == ["a b", "c d", "e f", "g h"]


def test_a_misspelt_expected_string_is_found_and_a_matching_one_is_not():
    tasks = pd.DataFrame(
        [
            _task(
                "C/1",
                'Return "Hello, Massively Multilingual"',
                'assert(strcmp(f(), "Hello, Masssively Multilingual") == 0);',
                'return "Hello, Masssively Multilingual";',
            ),
            # the test checks another, similar input: listed, but not shared with the canonical
            _task("C/2", 'f("xxyyzz") is "n"', 'assert(f("xxyyazz") == "a");', "return c;"),
            # the test says what the instruction says: nothing to find
            _task("C/3", 'Return "Not a triangle"', 'assert(g() == "Not a triangle");', ""),
            # only a printed line end differs: how a string is printed, not what it says
            _task("C/4", 'printf("Not a triangle\\n")', '// "Not a triangle"', ""),
        ]
    )
    found = expected_string_mismatches(tasks)
    assert found[["task_id", "stated", "expected", "shared_with_canonical"]].values.tolist() == [
        ["C/1", "Hello, Massively Multilingual", "Hello, Masssively Multilingual", True],
        ["C/2", "xxyyzz", "xxyyazz", False],
    ]
    assert found["similarity"].between(0.8, 1, inclusive="left").all()


def test_every_strong_candidate_in_the_real_data_is_a_listed_dataset_defect(mceval_dir):
    """The rerun guard: a candidate whose test spelling the canonical solution shares is the C/1
    kind; each must be in the registry's known_failures (kind dataset), and the confirmed ones
    must still be found (bench/dataset_defects.py prints the same search as tables)."""
    found = expected_string_mismatches(load_tasks(mceval_dir, task="generation"))
    strong = set(found.loc[found["shared_with_canonical"], "task_id"])
    assert strong == CONFIRMED
    for task_id in strong:
        assert known_failure(task_id)["kind"] == "dataset", task_id
        assert known_failure(f"{task_id}-0-span")["kind"] == "dataset", task_id


@pytest.mark.parametrize(
    ("task_id", "tests_spelling", "instructions_spelling"),
    [("C/1", "Masssively", "Massively"), ("VimScript/3", '"Not define"', '"Not defined"')],
)
def test_an_answer_that_follows_the_instruction_fails(
    mceval_dir, task_id, tests_spelling, instructions_spelling
):
    tasks = load_tasks(mceval_dir, languages=[task_id.split("/")[0]]).set_index("task_id")
    task = tasks.loc[task_id]
    require_toolchain(task["language"])
    as_instructed = task["canonical_solution"].replace(tests_spelling, instructions_spelling)
    assert as_instructed != task["canonical_solution"]

    def run(answer: str):
        program = join_parts(task["prompt"], answer, task["test"])
        return execute(Program(task["language"], program, task_id=task_id))

    assert run(task["canonical_solution"]).status == "passed"
    assert run(as_instructed).status == "failed"
