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


def test_each_shipped_test_line_is_a_line_of_the_tasks_mceval_test(mceval_dir):
    """A shipped defect names McEval's task by a line of its test (``test_line``): that line
    must be in the task's test, or the defect would silently stop applying."""
    from workbench.analysis.defects import shipped_defects
    from workbench.inputs.tasks import completion_subset

    shipped = shipped_defects()
    assert shipped.loc[shipped["task_id"] == "C/1", "test_line"].notna().all()
    for entry in shipped[shipped["test_line"].notna()].to_dict("records"):
        subset = completion_subset(entry["task_id"]) or (
            "single" if entry["task"] == "completion" else None
        )
        kind = "completion" if subset else "generation"
        tasks = load_tasks(mceval_dir, task=kind, subset=subset, languages=[entry["language"]])
        wanted = entry["task_id"]  # a base id names its completion records too
        ids = tasks["task_id"].map(lambda t, w=wanted: t == w or t.split("-", 1)[0] == w)
        [test] = tasks.loc[ids, "test"].head(1)
        lines = {" ".join(line.split()) for line in test.splitlines()}
        assert entry["test_line"] in lines, entry["task_id"]


@pytest.mark.parametrize(
    ("task_id", "tests_spelling", "instructions_spelling"),
    [
        ("C/1", "Masssively", "Massively"),
        pytest.param("VimScript/3", '"Not define"', '"Not defined"', marks=pytest.mark.toolchains),
    ],
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


# -- set aside in a store: the shipped list, a user's marks, and the two readings ------------------


@pytest.fixture
def store(real_store, tmp_path):
    """A copy of the session's real store (the demo and the real C outputs) to mark in."""
    import shutil

    copy = tmp_path / "store.duckdb"
    shutil.copy(real_store, copy)
    return copy


def _scores(store, by="language"):
    from workbench.analysis.defects import defective_tasks
    from workbench.analysis.passk import pass_at_k_table
    from workbench.evaluation.store import Store

    with Store(store) as db:
        results = db.results()
    plain = pass_at_k_table(results, by=by)
    both = pass_at_k_table(results, by=by, set_aside=defective_tasks(store))
    # The benchmark's reading never moves: the first columns are the plain table's.
    pd.testing.assert_frame_equal(both[plain.columns], plain)
    return both.set_index(["model", by])


def test_the_shipped_c1_is_set_aside_for_mceval_and_not_for_the_demos_c1(store):
    """Task ids repeat across data sets: the registry's C/1 names McEval's task (its test line is
    in the program), never the bundled demo's C/1."""
    from tests.conftest import REAL_MODEL
    from workbench.analysis.defects import applied_defects, defective_tasks
    from workbench.evaluation.store import Store

    table = _scores(store)
    # C/1 of the real outputs, in its three task kinds (generation, explanation, completion).
    assert table.loc[(REAL_MODEL, "C"), "n_defective_tasks"] == 3
    for demo in ("demo/careful-coder", "demo/hasty-coder"):
        assert table.loc[(demo, "C"), "n_defective_tasks"] == 0
        assert (
            table.loc[(demo, "C"), "pass_at_1_defects_aside"] == table.loc[(demo, "C"), "pass_at_1"]
        )
    real = table.loc[(REAL_MODEL, "C")]
    assert real["pass_at_1_defects_aside"] > real["pass_at_1"]  # C/1 failed as instructed
    with Store(store) as db:
        applied = applied_defects(db.results(), defective_tasks(store))
    assert applied["task_id"].tolist() == ["C/1"] and applied["source"].tolist() == ["registry"]
    assert applied["n_samples"].tolist() == [3]


def test_a_task_marked_defective_moves_the_second_reading_only(store):
    """The acceptance of issue 25 on the demo: marking Python/1 (which only the careful model
    passes twice and the hasty one fails) changes the score with defective tasks set aside and
    leaves the benchmark's score as it was; restoring it brings the two readings together."""
    from workbench.analysis.defects import defective_tasks
    from workbench.evaluation.task_defects import defect_marks, mark_defective, restore_task

    before = _scores(store)
    written = mark_defective(
        store,
        "Python/1",
        "the test needs numbers[0] of an empty list",
        evidence="see C",
        author="t",
    )
    assert written["task"] is None and written["language"] == "Python" and written["author"] == "t"
    after = _scores(store)
    hasty, careful = ("demo/hasty-coder", "Python"), ("demo/careful-coder", "Python")
    for key in (hasty, careful):
        assert after.loc[key, "pass_at_1"] == before.loc[key, "pass_at_1"]
        assert after.loc[key, "n_defective_tasks"] == 1
    assert (
        after.loc[hasty, "pass_at_1_defects_aside"] != before.loc[hasty, "pass_at_1_defects_aside"]
    )
    listed = defective_tasks(store).set_index("task_id").loc["Python/1"]
    assert listed["source"] == "user" and listed["author"] == "t"
    assert listed["reason"] == "the test needs numbers[0] of an empty list"

    restore_task(store, "Python/1", reason="the test is right", author="u")
    again = _scores(store)
    assert again.loc[hasty, "n_defective_tasks"] == 0
    assert again.loc[hasty, "pass_at_1_defects_aside"] == again.loc[hasty, "pass_at_1"]
    history = defect_marks(store, latest=False)
    assert history["action"].tolist() == ["set_aside", "restored"]  # provenance kept
    assert history["author"].tolist() == ["t", "u"]


def test_a_store_may_restore_a_shipped_defect_for_one_task_kind(store):
    from tests.conftest import REAL_MODEL
    from workbench.analysis.defects import defective_tasks
    from workbench.evaluation.task_defects import restore_task

    restore_task(store, "C/1", task="generation", reason="we score as the benchmark does")
    kinds = defective_tasks(store).query("task_id == 'C/1'")["task"].tolist()
    assert sorted(kinds) == ["completion", "explanation"]  # the other kinds stay set aside
    table = _scores(store, by="task")
    assert table.loc[(REAL_MODEL, "generation"), "n_defective_tasks"] == 0
    assert table.loc[(REAL_MODEL, "explanation"), "n_defective_tasks"] == 1


def test_a_mark_names_a_task_the_store_holds_and_says_why(store):
    from workbench.errors import InputError
    from workbench.evaluation.task_defects import mark_defective, restore_task

    for sample in (("generation", "C/1", "m", 0), "C/1 #0", "generation|C/1|m|0"):
        with pytest.raises(InputError, match="sample") as caught:
            mark_defective(store, sample, "typo")
        assert caught.value.field == "task_id"
    with pytest.raises(InputError, match="no task C/999 in the store") as caught:
        mark_defective(store, "C/999", "typo")
    assert caught.value.field == "task_id" and str(store) in str(caught.value)
    with pytest.raises(InputError) as caught:
        mark_defective(store, "C/1", "typo", task="completions")
    assert caught.value.field == "task"
    with pytest.raises(InputError) as caught:
        mark_defective(store, "C/1", "  ")
    assert caught.value.field == "reason"
    with pytest.raises(InputError, match="not set aside") as caught:
        restore_task(store, "C/2")
    assert caught.value.field == "task_id"
