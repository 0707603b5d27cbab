"""Failing real answers rerun after the mechanical repairs, through the real runner, sandbox and
toolchains: each repair turns its sample into a pass in a repaired row, the original verdicts
are not touched, and samples no repair changes are not rerun; ``workbench repair`` stores those
rows beside the scored ones (cached as any run) and ``workbench results --repaired`` reads
pass@1 as scored and after repair."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.conftest import require_toolchain
from workbench.cli.main import main
from workbench.evaluation.repair import REPAIRED_COLUMNS, repair_results, repair_store
from workbench.evaluation.runner import evaluate
from workbench.evaluation.store import Store
from workbench.execution.records import REPAIRED
from workbench.inputs.tasks import load_tasks

FACTORIALS = "Python/10"  # sum_of_factorials_optimized; its prompt imports nothing
BODY = (
    "sum_factorials = 0\ncurrent = 1\nfor i in range(1, n + 1):\n    current *= i\n"
    "    sum_factorials += current\nreturn sum_factorials"
)
ANSWERS = {
    "missing-import": (
        FACTORIALS,
        "```python\ndef sum_of_factorials_optimized(n):\n"
        "    return sum(math.factorial(i) for i in range(1, n + 1))\n```",
    ),
    "java-missing-import": (
        "Java/20",
        "```java\nclass Solution {\n  public int minCostClimbingStairs(int[] cost) {\n"
        "    List<Integer> dp = new ArrayList<>();\n    dp.add(0);\n    dp.add(0);\n"
        "    for (int i = 2; i <= cost.length; i++) {\n"
        "      dp.add(Math.min(dp.get(i - 1) + cost[i - 1], dp.get(i - 2) + cost[i - 2]));\n"
        "    }\n    return dp.get(cost.length);\n  }\n}\n```",
    ),
    "top-level-print": (
        FACTORIALS,
        "```python\ndef sum_of_factorials_optimized(n):\n"
        "    return sum(__import__('math').factorial(i) for i in range(1, n + 1))\n\n"
        'print(sum_of_factorials_optimized("3"))\n```',
    ),
    "indentation": (FACTORIALS, f"```python\n{BODY}\n```"),
    "prose": (
        FACTORIALS,
        "```python\ndef sum_of_factorials_optimized(n):\n    total, current = 0, 1\n"
        "    for i in range(1, n + 1):\n        current *= i\n        total += current\n"
        "    return total\nThis function sums the factorials.\n```",
    ),
    "wrong-logic": (
        FACTORIALS,
        "```python\ndef sum_of_factorials_optimized(n):\n    return n\n```",
    ),
    "passing": (
        FACTORIALS,
        "```python\ndef sum_of_factorials_optimized(n):\n    import math\n"
        "    return sum(math.factorial(i) for i in range(1, n + 1))\n```",
    ),
}
REPAIR_OF = {
    "missing-import": ["add_import"],
    "java-missing-import": ["add_import"],
    "top-level-print": ["drop_top_level"],
    "indentation": ["fix_indentation"],
    "prose": ["drop_prose"],
}


@pytest.fixture(scope="module")
def judged(mceval_dir):
    require_toolchain("Python")
    require_toolchain("Java")
    tasks = load_tasks(mceval_dir, languages=["Python", "Java"])
    samples = pd.DataFrame(
        {
            "task": "generation",
            "task_id": [task_id for task_id, _ in ANSWERS.values()],
            "model": list(ANSWERS),
            "sample_index": 0,
            "raw_generation": [raw for _, raw in ANSWERS.values()],
            "completion": None,
        }
    )
    results = evaluate(samples, tasks, jobs=2, progress=False, cache=False)
    repaired = repair_results(results, tasks, jobs=2)
    return results.set_index("model", drop=False), repaired.set_index("model", drop=False)


def test_each_repair_turns_its_sample_into_a_pass(judged):
    results, repaired = judged
    assert list(repaired.columns) == REPAIRED_COLUMNS
    assert set(repaired.index) == set(REPAIR_OF)
    for label, names in REPAIR_OF.items():
        row = repaired.loc[label]
        assert row["repairs"] == names, (label, row["repairs"])
        assert row["status"] == "passed", (label, row["reason"], row["stderr"][:400])
        assert pd.isna(row["cause"])
        # The scored verdict is kept beside it, and the original row is unchanged.
        assert row["scored_status"] == results.loc[label, "status"] != "passed"


def test_the_original_verdicts_and_causes_stay(judged):
    results, _ = judged
    assert results.loc["missing-import", "status"] == "runtime_error"
    assert (
        results.loc["missing-import", "cause"],
        results.loc["missing-import", "cause_detail"],
    ) == (
        "missing_import",
        "math",
    )
    assert results.loc["java-missing-import", "status"] == "compile_error"
    assert results.loc["java-missing-import", "cause"] == "missing_import"
    assert results.loc["top-level-print", "cause"] == "extra_code"
    assert results.loc["indentation", "cause"] == "syntax"
    assert results.loc["passing", "status"] == "passed"


def test_a_repaired_program_is_the_assemblers_program_of_the_repaired_code(judged):
    _, repaired = judged
    row = repaired.loc["missing-import"]
    assert row["code"].startswith("import math\ndef sum_of_factorials_optimized")
    assert row["program"].startswith("import math\ndef sum_of_factorials_optimized")
    assert row["program"].rstrip().endswith("test_sum_of_factorials_optimized()")
    indented = repaired.loc["indentation", "program"]
    assert '    """\n    sum_factorials = 0\n    current = 1\n' in indented


# -- workbench repair: rows of kind repaired in the store, the scored rows untouched ----------
STORED = ("missing-import", "indentation", "wrong-logic", "passing")


@pytest.fixture
def python_store(tmp_path, mceval_dir):
    """A store of four Python samples: two a repair recovers, one no repair changes, one
    passing."""
    require_toolchain("Python")
    tasks = load_tasks(mceval_dir, languages=["Python"])
    samples = pd.DataFrame(
        {
            "task": "generation",
            "task_id": FACTORIALS,
            "model": list(STORED),
            "sample_index": 0,
            "raw_generation": [ANSWERS[label][1] for label in STORED],
            "completion": None,
        }
    )
    path = tmp_path / "s.duckdb"
    evaluate(samples, tasks, store=path, progress=False, jobs=2)
    return path


def test_workbench_repair_stores_repaired_rows_and_keeps_the_scored_ones(
    python_store, mceval_dir, capsys
):
    with Store(python_store) as db:
        scored_before = db.results()
    argv = ["repair", "--store", str(python_store), "--data", str(mceval_dir), "--quiet"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    with Store(python_store) as db:
        scored_after = db.results()
        repaired = db.results(kinds=REPAIRED).set_index("model")
    pd.testing.assert_frame_equal(scored_after, scored_before)  # not one scored value changed
    scored = scored_after.set_index("model")
    assert scored.loc["missing-import", ["status", "cause"]].tolist() == [
        "runtime_error",
        "missing_import",
    ]
    assert sorted(repaired.index) == ["indentation", "missing-import"]
    assert (repaired["status"] == "passed").all()
    assert [list(r) for r in repaired["repairs"]] == [["fix_indentation"], ["add_import"]]
    assert "2 failing samples changed by a repair" in out
    assert "add_import: 1 of 1" in out and "fix_indentation: 1 of 1" in out
    # Again: the repaired programs are served from the store, nothing is added twice.
    assert main(argv) == 0
    with Store(python_store) as db:
        again = db.results(kinds=REPAIRED)
        assert db.count(kinds=None) == len(STORED) + 2
    assert again["cached"].all()


def test_results_repaired_shows_pass_at_1_as_scored_and_after(python_store, mceval_dir, capsys):
    repair_store(python_store, data=mceval_dir, progress=False)
    capsys.readouterr()
    assert main(["results", "--store", str(python_store), "--repaired", "--format", "json"]) == 0
    table = pd.DataFrame(json.loads(capsys.readouterr().out))
    python = table[table["language"] == "Python"].set_index("model")
    # Scored: only "passing" passes; after repair, the two repaired samples pass too, and the
    # sample no repair changes keeps its verdict.
    assert python["pass_at_1"].to_dict() == {
        "indentation": 0.0,
        "missing-import": 0.0,
        "passing": 1.0,
        "wrong-logic": 0.0,
    }
    assert python["pass_at_1_after_repair"].to_dict() == {
        "indentation": 1.0,
        "missing-import": 1.0,
        "passing": 1.0,
        "wrong-logic": 0.0,
    }
    assert python["n_recovered"].sum() == 2
    assert main(["results", "--store", str(python_store), "--repaired"]) == 0
    text = capsys.readouterr().out
    assert "after repair %" in text and "add_import: 1 of 1" in text
    assert main(["results", "--store", str(python_store), "--repaired", "--k", "1,10"]) == 2


def test_a_repaired_row_no_repair_gives_any_more_is_deleted(python_store, mceval_dir):
    with Store(python_store) as db:
        passing = db.results(models=["passing"])
        db.put_many(passing.assign(row_kind=REPAIRED, repairs=[["drop_prose"]]))
        assert db.count(kinds=REPAIRED) == 1
    # Another language's samples only: this one's repaired rows are left alone.
    assert repair_store(python_store, data=mceval_dir, languages=["C"], progress=False).empty
    with Store(python_store) as db:
        assert db.count(kinds=REPAIRED) == 1
    # The language as the registry or a user spells it.
    repair_store(python_store, data=mceval_dir, languages=["python"], progress=False)
    with Store(python_store) as db:
        assert sorted(db.results(kinds=REPAIRED)["model"]) == ["indentation", "missing-import"]
