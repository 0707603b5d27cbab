"""Models compared sample by sample: a table checked by hand, exact McNemar p-values against
scipy's binomial test, and the demo's two models evaluated for real into a DuckDB store,
checked against the statuses the demo's authors labelled each sample with."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import binomtest

from tests.conftest import DEMO, SKELETON_LANGUAGES, require_toolchain
from workbench.analysis.compare_models import compare_models, mcnemar_exact
from workbench.errors import InputError
from workbench.evaluation.runner import evaluate
from workbench.evaluation.store import Store
from workbench.inputs.samples import load_samples
from workbench.inputs.tasks import load_tasks
from workbench.views.text import format_comparison

CAREFUL, HASTY = "demo/careful-coder", "demo/hasty-coder"
CELLS = ["both_pass", "only_a", "only_b", "both_fail"]


def rows(model: str, language: str, task_id: str, *statuses: str) -> list[dict]:
    return [
        {
            "task": "generation",
            "task_id": task_id,
            "model": model,
            "sample_index": i,
            "language": language,
            "status": status,
            "reason": f"{status} reason",
        }
        for i, status in enumerate(statuses)
        if status is not None
    ]


@pytest.fixture
def hand() -> pd.DataFrame:
    return pd.DataFrame(
        rows("A", "Python", "Python/1", "passed", "passed")
        + rows("B", "Python", "Python/1", "passed", "failed")
        + rows("A", "Python", "Python/2", "compile_error", "timeout")
        + rows("B", "Python", "Python/2", "passed", "runtime_error")
        + rows("A", "Python", "Python/3", "passed", "passed")
        + rows("B", "Python", "Python/3", "toolchain_missing", None)
        + rows("A", "C", "C/1", *["passed"] * 6)
        + rows("B", "C", "C/1", *["failed"] * 6)
        + rows("B", "C", "C/2", "passed")
    )


def test_hand_checked_table(hand):
    table = compare_models(hand, "A", "B").table.set_index("language")
    assert list(table.index) == ["C", "Python", "ALL"]
    expected = {
        # n_tasks, n_pairs, n_excluded, n_unpaired_a, n_unpaired_b, both_pass, only_a, only_b,
        # both_fail
        "C": (1, 6, 0, 0, 1, 0, 6, 0, 0),
        "Python": (2, 4, 1, 1, 0, 1, 1, 1, 1),
        "ALL": (3, 10, 1, 1, 1, 1, 7, 1, 1),
    }
    columns = ["n_tasks", "n_pairs", "n_excluded", "n_unpaired_a", "n_unpaired_b", *CELLS]
    for language, values in expected.items():
        assert tuple(table.loc[language, columns]) == values, language
    assert table.loc["C", "p_value"] == pytest.approx(2 * 0.5**6)  # 0.03125
    assert table.loc["Python", "p_value"] == 1.0
    assert table.loc["ALL", "p_value"] == pytest.approx(2 * (1 + 8) / 2**8)
    assert table.loc["Python", ["pass_rate_a", "pass_rate_b"]].tolist() == [0.5, 0.5]
    assert table.loc["C", ["pass_rate_a", "pass_rate_b"]].tolist() == [1.0, 0.0]


def test_disagreements_list_every_discordant_pair(hand):
    dis = compare_models(hand, "A", "B").disagreements
    keys = set(zip(dis["task_id"], dis["sample_index"], dis["winner"], strict=True))
    assert keys == {("C/1", i, "A") for i in range(6)} | {
        ("Python/1", 1, "A"),
        ("Python/2", 0, "B"),
    }
    python2 = dis[dis["task_id"] == "Python/2"].iloc[0]
    assert (python2["status_a"], python2["status_b"]) == ("compile_error", "passed")
    assert python2["message_a"] == "compile_error reason" and pd.isna(python2["message_b"])
    text = format_comparison(compare_models(hand, "A", "B"), limit=3)
    assert "disagreements: 8 (first 3)" in text and "C/1 #0 (C, generation): A passed" in text


@pytest.mark.parametrize("a,b", [(0, 0), (1, 0), (5, 0), (7, 1), (3, 9), (20, 31), (120, 95)])
def test_mcnemar_is_the_exact_binomial_test_on_discordant_pairs(a, b):
    expected = 1.0 if a + b == 0 else binomtest(a, a + b, 0.5, alternative="two-sided").pvalue
    assert mcnemar_exact(a, b) == pytest.approx(expected, rel=1e-12)
    assert mcnemar_exact(a, b) == pytest.approx(mcnemar_exact(b, a), rel=1e-12)


def test_several_models_compare_every_pair_in_order(hand):
    third = hand[hand["model"] == "A"].assign(model="Z", status="failed")
    result = compare_models(pd.concat([hand, third]), ["A", "B", "Z"])
    pairs = result.table[["model_a", "model_b"]].drop_duplicates()
    pairs = list(pairs.itertuples(index=False, name=None))
    assert pairs == [("A", "B"), ("A", "Z"), ("B", "Z")]
    a_vs_z = result.table[(result.table["model_b"] == "Z") & (result.table["model_a"] == "A")]
    overall = a_vs_z.set_index("language").loc["ALL"]
    assert (overall["only_a"], overall["only_b"], overall["both_fail"]) == (10, 0, 2)
    assert compare_models(pd.concat([hand, third]), "A", "B", "Z").table.equals(result.table)


def test_bad_requests_are_input_errors(hand):
    with pytest.raises(InputError, match=r"no results for model\(s\) \['nobody'\]"):
        compare_models(hand, "A", "nobody")
    with pytest.raises(InputError, match="at least two distinct models"):
        compare_models(hand, "A", "A")
    with pytest.raises(InputError, match="duplicate result rows") as err:
        compare_models(pd.concat([hand, hand.head(1)]), "A", "B")
    assert err.value.field == "sample_index"
    with pytest.raises(InputError) as err:
        compare_models(hand.drop(columns="sample_index"), "A", "B")
    assert err.value.field == "sample_index"


@pytest.fixture(scope="module")
def demo_results(tmp_path_factory) -> pd.DataFrame:
    for language in SKELETON_LANGUAGES:
        require_toolchain(language)
    samples = load_samples(DEMO / "samples.jsonl")
    tasks = load_tasks(DEMO, languages=SKELETON_LANGUAGES)
    path = tmp_path_factory.mktemp("compare") / "demo.duckdb"
    evaluate(samples, tasks, store=path, progress=False, limits={"run_timeout": 5.0})
    with Store(path) as store:
        return store.results()


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_demo_store_matches_the_labelled_statuses(demo_results):
    labels = pd.read_json(DEMO / "samples.jsonl", lines=True)
    labels["language"] = labels["task_id"].str.split("/").str[0]
    ok = labels.assign(ok=labels["expected_status"].eq("passed")).pivot_table(
        index=["language", "task_id", "sample_index"], columns="model", values="ok"
    )
    a, b = ok[CAREFUL].astype(bool), ok[HASTY].astype(bool)
    cells = pd.DataFrame(
        {"both_pass": a & b, "only_a": a & ~b, "only_b": ~a & b, "both_fail": ~a & ~b}
    ).astype(int)
    expected = cells.groupby(level="language").sum()
    expected.loc["ALL"] = expected.sum()

    result = compare_models(demo_results, CAREFUL, HASTY)
    table = result.table.set_index("language")
    assert table.loc[expected.index, CELLS].equals(expected[CELLS])
    assert (table["n_pairs"] == table[CELLS].sum(axis=1)).all()
    assert table.loc["ALL", "n_pairs"] == 36 and table.loc["ALL", "n_tasks"] == 18
    assert table[["n_excluded", "n_unpaired_a", "n_unpaired_b"]].eq(0).all().all()
    for language, row in table.iterrows():
        discordant = row["only_a"] + row["only_b"]
        exact = binomtest(row["only_a"], discordant, 0.5).pvalue if discordant else 1.0
        assert row["p_value"] == pytest.approx(exact, rel=1e-12), language
    # The careful coder wins every disagreement; the hasty coder never does.
    assert len(result.disagreements) == table.loc["ALL", "only_a"] + table.loc["ALL", "only_b"]
    assert set(result.disagreements["winner"]) == {CAREFUL}
    assert result.disagreements["message_b"].notna().all()
    assert table.loc["ALL", "p_value"] < 1e-6


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_demo_store_swapped_models_mirror(demo_results):
    forward = compare_models(demo_results, CAREFUL, HASTY).table.set_index("language")
    backward = compare_models(demo_results, HASTY, CAREFUL).table.set_index("language")
    assert forward["only_a"].equals(backward["only_b"])
    assert forward["both_fail"].equals(backward["both_fail"])
    assert forward["p_value"].to_numpy() == pytest.approx(backward["p_value"].to_numpy())
