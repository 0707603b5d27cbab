"""Result-set comparison per language (base model vs fine-tune): deltas, AVG, set labels."""

from __future__ import annotations

import pandas as pd
import pytest

from workbench.analysis.deltas import compare_table, scores_from_results
from workbench.errors import InputError
from workbench.inputs.paper import load_leaderboard


def test_deltas_and_avg_over_common_languages() -> None:
    scores = pd.DataFrame(
        {
            "model": ["base", "base", "base", "tuned", "tuned"],
            "language": ["Python", "Rust", "Go", "Python", "Rust"],
            "pass_at_1": [0.5, 0.2, 0.9, 0.6, 0.4],
        }
    )
    table = compare_table(scores, ["base", "tuned"])
    by = table.set_index(["language", "model"])
    assert by.loc[("Rust", "tuned"), "delta"] == pytest.approx(0.2)
    assert by.loc[("Python", "base"), "delta"] == 0.0
    assert pd.isna(by.loc[("Go", "tuned"), "pass_at_1"])
    # AVG over Python and Rust only (Go has no score for "tuned").
    assert by.loc[("AVG", "base"), "pass_at_1"] == pytest.approx(0.35)
    assert by.loc[("AVG", "tuned"), "delta"] == pytest.approx(0.15)
    assert table["language"].tolist()[-2:] == ["AVG", "AVG"]


def test_needs_two_sets() -> None:
    scores = pd.DataFrame({"model": ["a"], "language": ["C"], "pass_at_1": [0.1]})
    with pytest.raises(InputError):
        compare_table(scores)
    with pytest.raises(InputError, match="no scores"):
        compare_table(scores, ["a", "b"])


def _rows(model: str, status: str, task: str = "generation") -> list[dict]:
    return [
        dict(
            task_id=f"C/{i}",
            language="C",
            task=task,
            subset=None,
            model=model,
            sample_index=0,
            status=status if i else "passed",
        )
        for i in range(4)
    ]


def test_scores_from_executions() -> None:
    base = pd.DataFrame(_rows("CodeQwen", "failed") + _rows("CodeQwen", "failed", "explanation"))
    tuned = pd.DataFrame(_rows("mCoder-local", "passed"))
    scores = scores_from_results({"base": base, "fine-tune": tuned})
    assert scores.set_index("model")["pass_at_1"].to_dict() == {"base": 0.25, "fine-tune": 1.0}
    assert set(scores["n_tasks"]) == {4}
    assert "AVG" not in set(scores["language"])  # compare_table makes its own over common ones
    # A set with several models is split per model, never averaged across them.
    both = pd.concat([base, tuned.assign(model="other")])
    split = scores_from_results({"run": both})
    assert sorted(split["model"]) == ["run: CodeQwen", "run: other"]
    with pytest.raises(InputError, match="no completion results"):
        scores_from_results({"base": base}, task="completion", subset="span")


def test_shipped_comparison_table() -> None:
    board = load_leaderboard("explanation")
    table = compare_table(board, ["CodeQwen1.5-7B-Chat", "mCoder"])
    assert len(table) == 41 * 2
    avg = table[table["language"] == "AVG"].set_index("model")["pass_at_1"]
    assert avg["mCoder"] == pytest.approx(board[board["model"] == "mCoder"]["pass_at_1"].mean())
