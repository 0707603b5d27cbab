"""Paradigm and scenario pooling: as the paper pools, checked against hand sums, and the same
numbers whether pooled from per-language scores or from per-task results."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.analysis.categories import (
    category_order,
    category_wide,
    overall_average,
    pooled_categories,
)
from workbench.analysis.passk import AVG_LABEL, pass_at_k_table
from workbench.errors import InputError
from workbench.inputs.paper import load_leaderboard, task_counts_for

MODELS = ["GPT-4o-240513", "CodeLlama-7B-Instruct"]


@pytest.fixture(scope="module")
def generation() -> tuple[pd.DataFrame, pd.DataFrame]:
    board = load_leaderboard("generation")
    return board[board["model"].isin(MODELS)], task_counts_for("generation", None)


def test_paradigm_table_for_two_models_by_hand(
    generation: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    scores, counts = generation
    table = pooled_categories(scores, counts, "paradigm").set_index(["model", "category"])[
        "pass_at_1"
    ]
    # Published pass@1 (code_generation.json) times each language's task count; Java has 53
    # tasks, the other four Object Oriented languages 50: C#, Java, Kotlin, Swift, Visual Basic.
    gpt4o_oo = (0.72 * 50 + 0.811 * 53 + 0.84 * 50 + 0.84 * 50 + 0.78 * 50) / 253
    llama_oo = (0.40 * 50 + 0.189 * 53 + 0.16 * 50 + 0.32 * 50 + 0.34 * 50) / 253
    assert table[("GPT-4o-240513", "Object Oriented")] == pytest.approx(gpt4o_oo)
    assert table[("CodeLlama-7B-Instruct", "Object Oriented")] == pytest.approx(llama_oo)
    # Functional: Common Lisp, Elixir, Erlang, Haskell, Racket, Scheme (50 tasks each).
    assert table[("GPT-4o-240513", "Functional")] == pytest.approx(
        (0.6 + 0.66 + 0.44 + 0.9 + 0.66 + 0.76) / 6
    )
    assert table[("CodeLlama-7B-Instruct", "Functional")] == pytest.approx(
        (0.42 + 0.22 + 0.2 + 0.32 + 0.24 + 0.2) / 6
    )
    # Markup Language: HTML, JSON, Markdown.
    assert table[("GPT-4o-240513", "Markup Language")] == pytest.approx((0.32 + 0.74 + 0.32) / 3)
    assert table[("CodeLlama-7B-Instruct", "Markup Language")] == pytest.approx(
        (0.14 + 0.64 + 0.14) / 3
    )


def test_every_task_falls_in_exactly_one_category(
    generation: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    scores, counts = generation
    for kind, n in (("paradigm", 5), ("scenario", 11)):
        pooled = pooled_categories(scores, counts, kind)
        assert len(category_order(kind)) == n
        per_model = pooled.groupby("model").agg(
            tasks=("n_tasks", "sum"), languages=("n_languages", "sum")
        )
        assert (per_model["tasks"] == 2007).all()
        assert (per_model["languages"] == 40).all()


def test_pooling_weights_languages_by_task_count() -> None:
    # Two Object Oriented languages with 90 and 10 tasks: pooled 0.9, not the plain mean 0.5.
    scores = pd.DataFrame(
        {"model": ["m", "m"], "language": ["Java", "Kotlin"], "pass_at_1": [1.0, 0.0]}
    )
    counts = pd.DataFrame({"language": ["Java", "Kotlin"], "n_tasks": [90, 10]})
    pooled = pooled_categories(scores, counts, "paradigm")
    assert pooled["pass_at_1"].item() == pytest.approx(0.9)
    assert pooled["solved"].item() == pytest.approx(90)
    assert overall_average(scores)["pass_at_1"].item() == pytest.approx(0.5)


def test_results_pool_the_same_from_tasks_or_from_language_scores() -> None:
    # Per-task results: Java 9 of 12 tasks, Kotlin 1 of 3, Go 2 of 5, Python 0 of 2.
    solved = {"Java": (9, 12), "Kotlin": (1, 3), "Go": (2, 5), "Python": (0, 2)}
    rows = [
        ("m", "generation", language, f"{language}/{i}", "passed" if i < c else "failed")
        for language, (c, n) in solved.items()
        for i in range(n)
    ]
    results = pd.DataFrame(rows, columns=["model", "task", "language", "task_id", "status"])
    for kind in ("paradigm", "scenario"):
        direct = pass_at_k_table(results, by=kind).set_index(kind)
        languages = pass_at_k_table(results)
        languages = languages[languages["language"] != AVG_LABEL]
        counts = languages[["language", "n_tasks"]]
        pooled = pooled_categories(languages, counts, kind).set_index("category")
        assert set(direct.index) == set(pooled.index)
        for category, row in pooled.iterrows():
            assert direct.loc[category, "pass_at_1"] == pytest.approx(row["pass_at_1"])
            assert direct.loc[category, "n_tasks"] == row["n_tasks"]
    oo = pass_at_k_table(results, by="paradigm").set_index("paradigm").loc["Object Oriented"]
    assert oo["pass_at_1"] == pytest.approx(10 / 15)  # Java and Kotlin pooled


def test_missing_counts_or_unknown_languages_are_errors() -> None:
    scores = pd.DataFrame({"model": ["m"], "language": ["Java"], "pass_at_1": [0.5]})
    with pytest.raises(InputError, match="no task count"):
        pooled_categories(
            scores, pd.DataFrame({"language": ["Kotlin"], "n_tasks": [50]}), "paradigm"
        )
    bad = scores.assign(language="COBOL")
    with pytest.raises(InputError, match="without a paradigm"):
        pooled_categories(bad, pd.DataFrame({"language": ["COBOL"], "n_tasks": [1]}), "paradigm")


def test_wide_table(generation: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    scores, counts = generation
    wide = category_wide(
        pooled_categories(scores, counts, "paradigm"), overall_average(scores), "paradigm"
    )
    assert list(wide.columns) == ["model", *category_order("paradigm"), "AVG"]
    assert wide["model"].tolist() == MODELS  # models.csv order: closed first
    gpt = wide.set_index("model").loc["GPT-4o-240513"]
    assert gpt["AVG"] == pytest.approx(
        scores[scores["model"] == "GPT-4o-240513"]["pass_at_1"].mean()
    )
