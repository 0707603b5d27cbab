"""McEval vs MultiPL-E: the alias join, the unpaired-model report and the correlations."""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

from workbench.analysis.multiple import PANELS, correlations, join_mceval_multiple
from workbench.inputs.paper import load_leaderboard, load_multiple_leaderboard


def test_join_drops_no_model_silently() -> None:
    joined = join_mceval_multiple()
    mceval_names = set(load_leaderboard("generation")["source_model"])
    multiple_names = set(load_multiple_leaderboard()["model"])
    unmatched = joined.unmatched
    assert (
        set(joined.points["mceval_name"])
        | set(unmatched.loc[unmatched["source"] == "mceval_generation", "name"])
        == mceval_names
    )
    assert (
        set(joined.points["multiple_name"])
        | set(unmatched.loc[unmatched["source"] == "multiple_bigcode", "name"])
        == multiple_names
    )
    assert not set(joined.points["mceval_name"]) & set(unmatched["name"])
    assert len(joined.points) == 11
    assert "GPT-4o-240513" in set(unmatched["name"])  # closed models have no MultiPL-E row
    assert "CodeLlama-34B" in set(unmatched["name"])  # a base model McEval did not evaluate


def test_approximate_pairings_are_flagged() -> None:
    points = join_mceval_multiple().points.set_index("model")
    assert points.loc["CodeShell-7B-Chat", "match"] == "approximate"
    assert points.loc["CodeShell-7B-Chat", "multiple_name"] == "CodeShell-7B"
    assert points.loc["Nxcode-CQ-7B-orpo", "match"] == "exact"
    assert points.loc["OctoCoder-15B", "match"] == "spelling"


def test_panel_values() -> None:
    points = join_mceval_multiple().points.set_index("model")
    board = load_leaderboard("generation")
    gemma = board[board["model"] == "CodeGemma-7B-it"]
    row = points.loc["CodeGemma-7B-it"]
    assert row["mceval_python"] == pytest.approx(
        gemma.loc[gemma["language"] == "Python", "pass_at_1"].item()
    )
    assert row["mceval_multilingual"] == pytest.approx(gemma["pass_at_1"].mean())
    multiple = load_multiple_leaderboard()
    theirs = multiple[multiple["model"] == "CodeGemma-7b-it"]
    assert row["multiple_python"] == pytest.approx(
        theirs.loc[theirs["language"] == "python", "pass_at_1"].item()
    )
    assert row["multiple_multilingual"] == pytest.approx(
        theirs.loc[theirs["language"] != "python", "pass_at_1"].mean()
    )
    assert row["multiple_languages"] == 10


def test_unknown_models_are_reported() -> None:
    mine = pd.DataFrame(
        {
            "model": ["MyCoder-1B"] * 2 + ["OctoCoder-15B"] * 2,
            "language": ["python", "lua"] * 2,
            "pass_at_1": [0.1, 0.2, 0.3, 0.4],
        }
    )
    joined = join_mceval_multiple(multiple=mine, multiple_source="my_results")
    mine_rows = joined.unmatched[joined.unmatched["name"] == "MyCoder-1B"]
    assert set(mine_rows["reason"]) == {
        "not on the McEval generation leaderboard",
        "no alias entry: joined by its own name",
    }
    # A name without alias entry that equals a canonical name still pairs, and says so.
    paired = joined.points.set_index("model")
    assert paired.loc["OctoCoder-15B", "match"] == "no alias entry"
    assert paired.loc["OctoCoder-15B", "multiple_multilingual"] == pytest.approx(0.4)


def test_correlations_match_scipy() -> None:
    points = join_mceval_multiple().points
    corr = correlations(points).set_index("panel")
    for panel, _, x, y, _, _ in PANELS:
        expected = stats.pearsonr(points[x], points[y]).statistic
        assert corr.loc[panel, "pearson_r"] == pytest.approx(expected)
        assert corr.loc[panel, "spearman_rho"] == pytest.approx(
            stats.spearmanr(points[x], points[y]).statistic
        )
        assert corr.loc[panel, "n"] == 11
    # Too few models: no correlation, no crash.
    few = correlations(points.head(2))
    assert few["pearson_r"].isna().all()
