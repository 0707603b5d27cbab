"""pass@k: the estimator, per-task scores, the table's groupings, the paper's pooling and AVG,
exclusions, Wilson intervals and the ``workbench results`` command."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from math import comb

import pandas as pd
import pytest

from workbench.analysis.intervals import effective_sample_size, wilson_interval
from workbench.analysis.passk import pass_at_k, pass_at_k_table, task_scores
from workbench.errors import InputError
from workbench.evaluation.store import Store

COLUMNS = ["model", "task", "subset", "level", "language", "task_id", "sample_index", "status"]


def frame(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (model, task, subset, level, language, task_id, status); sample_index counted."""
    seen: dict[tuple, int] = {}
    out = []
    for model, task, subset, level, language, task_id, status in rows:
        key = (model, task, task_id)
        seen[key] = seen.get(key, -1) + 1
        out.append((model, task, subset, level, language, task_id, seen[key], status))
    return pd.DataFrame(out, columns=COLUMNS)


def simple(language: str, task_id: str, *statuses: str, model: str = "m") -> list[tuple]:
    return [(model, "generation", None, "easy", language, task_id, s) for s in statuses]


def test_estimator_known_values() -> None:
    assert pass_at_k(4, 2, 1) == pytest.approx(0.5)
    assert pass_at_k(10, 0, 1) == 0.0
    assert pass_at_k(5, 5, 1) == 1.0
    assert pass_at_k(10, 3, 5) == pytest.approx(1 - (7 * 6 * 5 * 4 * 3) / (10 * 9 * 8 * 7 * 6))
    # The definition: 1 - C(n - c, k) / C(n, k), for every c of n = 20 at k = 1, 5, 10.
    for k in (1, 5, 10):
        for c in range(21):
            assert pass_at_k(20, c, k) == pytest.approx(1 - comb(20 - c, k) / comb(20, k))
    with pytest.raises(ValueError, match="needs at least 3 samples"):
        pass_at_k(2, 1, 3)
    with pytest.raises(ValueError):
        pass_at_k(2, 3, 1)


def test_task_scores_one_row_per_task() -> None:
    results = frame(
        simple("C", "C/1", "passed", "toolchain_missing", "failed")
        + simple("C", "C/2", "infrastructure_error")
        + [("m", "completion", "span", None, "C", "C/1-0-span", "passed")]
    )
    tasks = task_scores(results).set_index(["task", "task_id"])
    assert list(tasks.columns) == [
        "model",
        "subset",
        "language",
        "level",
        "n_samples",
        "n_passed",
        "n_excluded",
        "pass_at_1",
    ]
    one = tasks.loc[("generation", "C/1")]
    assert (one["n_samples"], one["n_passed"], one["n_excluded"]) == (2, 1, 1)
    assert one["pass_at_1"] == pytest.approx(0.5)
    assert pd.isna(tasks.loc[("generation", "C/2"), "pass_at_1"])  # nothing judged: no score
    span = tasks.loc[("completion", "C/1-0-span")]
    assert span["subset"] == "span" and span["level"] is None and span["pass_at_1"] == 1.0
    assert tasks.loc[("generation", "C/1"), "subset"] is None
    with pytest.raises(InputError, match="field 'status'"):
        task_scores(results.drop(columns="status"))


def test_pass_at_k_with_n_equal_k_and_error_for_n_below_k() -> None:
    results = frame(
        simple("Python", "Python/1", "passed", "failed")
        + simple("Python", "Python/2", "failed", "failed")
    )
    table = pass_at_k_table(results, k=[1, 2]).set_index("language")
    # Python/1: pass@1 = 1/2, pass@2 = 1 (n = k = 2, one passed); Python/2: 0 and 0.
    assert table.loc["Python", "pass_at_1"] == pytest.approx(0.25)
    assert table.loc["Python", "pass_at_2"] == pytest.approx(0.5)
    assert table.loc["Python", "n_tasks"] == 2 and table.loc["Python", "n_samples"] == 4
    assert table.loc["Python", "n_passed"] == 1
    with pytest.raises(InputError, match=r"pass@3 .*n=2"):
        pass_at_k_table(results, k=(1, 3))


def test_columns_are_the_vocabulary() -> None:
    results = frame(simple("Python", "Python/1", "passed", "failed"))
    table = pass_at_k_table(results, k=[2, 1])
    assert list(table.columns) == [
        "model",
        "language",
        "n_tasks",
        "n_samples",
        "n_passed",
        "n_excluded",
        "pass_at_1",
        "pass_at_1_low",
        "pass_at_1_high",
        "pass_at_2",
        "pass_at_2_low",
        "pass_at_2_high",
    ]
    assert table["language"].tolist() == ["Python", "AVG"]
    by_two = pass_at_k_table(results, by=["language", "level"])
    assert list(by_two.columns[:3]) == ["model", "language", "level"]
    assert "AVG" not in set(by_two["language"])  # the macro average belongs to by="language"
    empty = pass_at_k_table(results.iloc[0:0], by="paradigm")
    assert empty.empty and "pass_at_1_high" in empty.columns


def test_paradigm_pools_tasks_not_language_means() -> None:
    # Python and Go are both "Multiple Paradigms": Python 1 task solved, Go 3 tasks unsolved.
    results = frame(
        simple("Python", "Python/1", "passed")
        + simple("Go", "Go/1", "failed")
        + simple("Go", "Go/2", "failed")
        + simple("Go", "Go/3", "failed")
    )
    by_paradigm = pass_at_k_table(results, by="paradigm").set_index("paradigm")
    assert by_paradigm.loc["Multiple Paradigms", "pass_at_1"] == pytest.approx(1 / 4)  # pooled
    assert by_paradigm.loc["Multiple Paradigms", "n_tasks"] == 4
    low, high = wilson_interval(0.25, 4)
    assert by_paradigm.loc["Multiple Paradigms", "pass_at_1_low"] == pytest.approx(low)
    assert by_paradigm.loc["Multiple Paradigms", "pass_at_1_high"] == pytest.approx(high)
    by_language = pass_at_k_table(results).set_index("language")
    assert by_language.loc["AVG", "pass_at_1"] == pytest.approx((1.0 + 0.0) / 2)  # macro average
    by_scenario = pass_at_k_table(results, by="scenario").set_index("scenario")
    assert by_scenario.loc["Scientific Computing", "pass_at_1"] == 1.0  # Python alone
    assert by_scenario.loc["Web Backend", "pass_at_1"] == 0.0  # Go alone


def test_avg_interval_uses_kish_effective_tasks() -> None:
    # Python 8 tasks (3 solved), C 2 tasks (both solved): AVG = (3/8 + 1) / 2.
    statuses = ["passed", "failed", "failed", "passed", "failed", "passed", "failed", "failed"]
    rows = [r for i, s in enumerate(statuses) for r in simple("Python", f"Python/{i}", s)]
    rows += [r for i in range(2) for r in simple("C", f"C/{i}", "passed")]
    table = pass_at_k_table(frame(rows)).set_index("language")
    avg = table.loc["AVG"]
    assert avg["pass_at_1"] == pytest.approx((3 / 8 + 1) / 2)
    assert (avg["n_tasks"], avg["n_samples"], avg["n_passed"]) == (10, 10, 5)
    n_eff = 2**2 / (1 / 8 + 1 / 2)  # L² / Σ 1/n_l = 6.4, fewer than the 10 tasks
    assert effective_sample_size([8, 2]) == pytest.approx(n_eff)
    low, high = wilson_interval((3 / 8 + 1) / 2, n_eff)
    assert (avg["pass_at_1_low"], avg["pass_at_1_high"]) == (
        pytest.approx(low),
        pytest.approx(high),
    )
    # A language solved fully still has an interval of positive width (Wilson, 2 tasks).
    c = table.loc["C"]
    assert c["pass_at_1"] == c["pass_at_1_high"] == 1.0
    assert (
        c["pass_at_1_low"] == pytest.approx(wilson_interval(1.0, 2)[0]) and c["pass_at_1_low"] < 0.5
    )
    # Deterministic: the same table again, byte for byte.
    pd.testing.assert_frame_equal(pass_at_k_table(frame(rows)), pass_at_k_table(frame(rows)))


def test_toolchain_missing_is_excluded_and_reported() -> None:
    results = frame(
        simple("C", "C/1", "passed", "toolchain_missing")  # n=1, c=1
        + simple("C", "C/2", "failed", "failed")  # n=2, c=0
        + simple("C", "C/3", "toolchain_missing", "infrastructure_error")  # not judged
        + simple("Go", "Go/1", "toolchain_missing")  # no judged task at all
    )
    table = pass_at_k_table(results).set_index("language")
    assert table.loc["C", "pass_at_1"] == pytest.approx(0.5)  # (1 + 0) / 2, C/3 left out
    assert table.loc["C", "n_tasks"] == 2
    assert table.loc["C", "n_samples"] == 3
    assert table.loc["C", "n_excluded"] == 3
    assert table.loc["Go", "n_tasks"] == 0 and table.loc["Go", "n_excluded"] == 1
    assert pd.isna(table.loc["Go", "pass_at_1"]) and pd.isna(table.loc["Go", "pass_at_1_low"])
    assert table.loc["AVG", "pass_at_1"] == pytest.approx(0.5)  # Go has no score, not zero
    assert table.loc["AVG", "n_excluded"] == 4
    # AVG over C alone: its effective number of tasks is C's own 2.
    assert table.loc["AVG", "pass_at_1_low"] == pytest.approx(table.loc["C", "pass_at_1_low"])
    # n = 1 for C/1 after exclusion, so pass@2 is refused even though it has two samples
    with pytest.raises(InputError, match=r"pass@2 .*n=1"):
        pass_at_k_table(results, k=2)


def test_task_kind_and_difficulty_groupings() -> None:
    results = frame(
        [
            ("m", "completion", "single", "easy", "Python", "Python/1", "passed"),
            ("m", "completion", "multi", "hard", "Python", "Python/2", "failed"),
            ("m", "generation", None, "easy", "Python", "Python/1", "failed"),
            ("m", "generation", None, None, "Python", "Python/3", "passed"),
        ]
    )
    by_task = pass_at_k_table(results, by="task").set_index("task")
    assert by_task["pass_at_1"].to_dict() == {
        "completion/multi": 0.0,
        "completion/single": 1.0,
        "generation": 0.5,
    }
    by_level = pass_at_k_table(results, by="difficulty").set_index("difficulty")
    assert by_level["pass_at_1"].to_dict() == {"easy": 0.5, "hard": 0.0, "unknown": 1.0}
    by_both = pass_at_k_table(results, by=["task", "level"]).set_index(["task", "level"])
    assert by_both.loc[("generation", "easy"), "pass_at_1"] == 0.0
    with pytest.raises(ValueError, match="by must be one of"):
        pass_at_k_table(results, by="nonsense")
    with pytest.raises(ValueError, match="by must be one of"):
        pass_at_k_table(results, by=["language", "language"])


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "workbench.cli", *args], capture_output=True, text=True
    )


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_results_command_csv_and_json(tmp_path) -> None:
    path = tmp_path / "r.duckdb"
    rows = [
        ("a", "Python/1", 0, "Python", "passed"),
        ("a", "Python/1", 1, "Python", "failed"),
        ("a", "Python/2", 0, "Python", "passed"),
        ("a", "Python/2", 1, "Python", "passed"),
        ("a", "Go/1", 0, "Go", "failed"),
        ("a", "Go/1", 1, "Go", "failed"),
        ("a", "C/1", 0, "C", "toolchain_missing"),
        ("a", "C/1", 1, "C", "toolchain_missing"),
    ]
    with Store(path) as store:
        for model, task_id, i, language, status in rows:
            store.put(
                {
                    "task": "generation",
                    "task_id": task_id,
                    "model": model,
                    "sample_index": i,
                    "language": language,
                    "level": "easy",
                    "program_hash": "h",
                    "cache_key": f"{task_id}-{i}",
                    "status": status,
                }
            )

    csv = _cli("results", "--store", str(path), "--k", "1,2", "--format", "csv")
    assert csv.returncode == 0, csv.stderr
    table = pd.read_csv(io.StringIO(csv.stdout)).set_index("language")
    # Python: (1/2 + 1) / 2 = 0.75 at k=1, (1 + 1) / 2 at k=2; Go: 0; C: not judged.
    assert table.loc["Python", "pass_at_1"] == pytest.approx(0.75)
    assert table.loc["Python", "pass_at_2"] == pytest.approx(1.0)
    assert table.loc["Go", "pass_at_1"] == 0.0
    assert table.loc["C", "n_excluded"] == 2 and table.loc["C", "n_tasks"] == 0
    assert table.loc["AVG", "pass_at_1"] == pytest.approx(0.375)
    assert table.loc["AVG", "pass_at_2"] == pytest.approx(0.5)
    low, high = wilson_interval(0.75, 2)
    assert table.loc["Python", "pass_at_1_low"] == pytest.approx(low, abs=1e-9)
    assert table.loc["Python", "pass_at_1_high"] == pytest.approx(high, abs=1e-9)

    js = _cli("results", "--store", str(path), "--by", "paradigm", "--format", "json")
    assert js.returncode == 0, js.stderr
    records = {r["paradigm"]: r for r in json.loads(js.stdout)}
    # Python and Go pooled: 3 tasks, scores 0.5, 1, 0 -> 0.5 (the language means also give 0.5
    # here; the pooling itself is checked with unequal task counts above).
    assert records["Multiple Paradigms"]["pass_at_1"] == pytest.approx(0.5)
    assert records["Multiple Paradigms"]["n_tasks"] == 3
    assert records["Procedural"]["pass_at_1"] is None  # C: only a missing toolchain
    assert records["Procedural"]["n_excluded"] == 2

    text = _cli("results", "--store", str(path))
    assert text.returncode == 0, text.stderr
    assert "AVG" in text.stdout and "pass@1 % (benchmark rules)" in text.stdout
    assert "pass@1 % (defective tasks set aside)" in text.stdout and "[" in text.stdout  # CI
    # C/1 (no program stored: named by its id) is on the shipped list, never judged here.
    assert "C/1 (every kind; registry; 2 samples):" in text.stdout

    bad = _cli("results", "--store", str(path), "--k", "3")
    assert bad.returncode == 2 and "pass@3" in bad.stderr and "n=2" in bad.stderr


def test_defective_tasks_set_aside_give_a_second_score_beside_the_first() -> None:
    results = frame(
        simple("C", "C/1", "failed", "failed")  # the defective task: a correct answer fails
        + simple("C", "C/2", "passed", "failed")
        + simple("C", "C/3", "passed", "passed")
        + [("m", "completion", "light", None, "C", "C/1-0-light-span", "failed")]
        + simple("Go", "Go/1", "failed")  # every task of Go set aside: no second score
        + simple("Go", "Go/2", "toolchain_missing")  # a machine status: n_excluded, not defective
    )
    plain = pass_at_k_table(results)
    table = pass_at_k_table(results, set_aside=["C/1", "Go/1", "Go/2"]).set_index("language")
    # Under the benchmark's rules nothing changes: the first columns are the plain table's.
    pd.testing.assert_frame_equal(table.reset_index()[plain.columns], plain)
    c = table.loc["C"]
    assert c["n_defective_tasks"] == 2  # C/1 and its completion record (the base id names both)
    assert c["pass_at_1"] == pytest.approx((0 + 0.5 + 1 + 0) / 4)
    assert c["pass_at_1_defects_aside"] == pytest.approx((0.5 + 1) / 2)
    assert c["pass_at_1_defects_aside_low"] == pytest.approx(wilson_interval(0.75, 2)[0])
    go = table.loc["Go"]
    assert go["n_defective_tasks"] == 1 and go["n_excluded"] == 1  # Go/2 was never judged
    assert pd.isna(go["pass_at_1_defects_aside"]) and go["pass_at_1"] == 0
    assert table.loc["AVG", "pass_at_1_defects_aside"] == pytest.approx(0.75)  # C alone
    assert table.loc["AVG", "n_defective_tasks"] == 3


def test_a_set_aside_entry_names_a_task_kind_or_one_completion_record() -> None:
    results = frame(
        simple("Erlang", "Erlang/48", "passed")
        + [
            ("m", "completion", "single", None, "Erlang", "Erlang/48-0-single", "failed"),
            ("m", "completion", "span", None, "Erlang", "Erlang/48-0-span", "failed"),
        ]
    )
    by_kind = pd.DataFrame({"task_id": ["Erlang/48"], "task": ["completion"]})
    table = pass_at_k_table(results, by="task", set_aside=by_kind).set_index("task")
    assert table["n_defective_tasks"].to_dict() == {
        "completion/single": 1,
        "completion/span": 1,
        "generation": 0,
    }
    assert table.loc["generation", "pass_at_1_defects_aside"] == 1.0
    one = pass_at_k_table(results, by="task", set_aside=["Erlang/48-0-span"]).set_index("task")
    assert one["n_defective_tasks"].to_dict() == {
        "completion/single": 0,
        "completion/span": 1,
        "generation": 0,
    }


def test_the_shipped_defects_set_c1_of_the_real_outputs_aside(tmp_path, mceval_dir) -> None:
    """C/1 of the official example outputs writes "Massively" as instructed and fails the
    "Masssively" test: with the shipped defects set aside, its score leaves the second column
    and the benchmark's column is what it was."""
    from tests.conftest import require_toolchain
    from workbench.analysis.defects import shipped_defects
    from workbench.evaluation.runner import evaluate
    from workbench.inputs.samples import load_samples
    from workbench.inputs.tasks import load_tasks
    from workbench.paths import shared_path

    require_toolchain("C")
    try:
        outputs = shared_path("model-outputs", "mceval-examples", "generation", "C.jsonl")
    except InputError as exc:
        pytest.skip(str(exc))
    first = [f"C/{n}" for n in range(1, 9)]
    samples = load_samples(outputs, model="mceval-example")
    samples = samples[samples["task_id"].isin(first)]
    tasks = load_tasks(mceval_dir, languages=["C"])
    results = evaluate(samples, tasks, store=tmp_path / "c.duckdb", progress=False)
    assert results.set_index("task_id").loc["C/1", "cause"] == "wrong_answer"
    plain = pass_at_k_table(results)
    table = pass_at_k_table(results, set_aside=shipped_defects())
    pd.testing.assert_frame_equal(table[plain.columns], plain)
    c = table.set_index("language").loc["C"]
    assert c["n_defective_tasks"] == 1 and c["n_tasks"] == 8
    others = results[results["task_id"] != "C/1"]
    assert c["pass_at_1_defects_aside"] == pytest.approx(others["status"].eq("passed").mean())
    assert c["pass_at_1_defects_aside"] > c["pass_at_1"]
