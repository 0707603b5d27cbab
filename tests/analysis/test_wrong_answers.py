"""What every check says of the failing samples (issue 26): the "checks passed" bins, the
histogram and the kinds of miss per model and language, side by side for a comparison, and the
wrong answers clustered by kind of miss and failing check — on the session's real store after
``workbench checks`` (``checked_store``: the real C outputs and the demo)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import DEMO_MODELS, REAL_MODEL
from workbench.analysis.compare_models import compare_models
from workbench.analysis.failure_modes import failure_modes, row_clusters
from workbench.analysis.rows import failing as rows_failing
from workbench.analysis.wrong_answers import (
    CHECKS_PASSED_BINS,
    NO_KIND,
    NOT_OPENED,
    OVERALL,
    checks_histogram,
    checks_passed_bin,
    miss_side_by_side,
    miss_table,
)
from workbench.evaluation.checks import OPENED
from workbench.evaluation.store import Store
from workbench.execution.miss import MISS_KINDS
from workbench.programs.checks import normalise_check


@pytest.mark.parametrize(
    "passed, total, shown",
    [
        (0, 0, "no checks read"),
        (0, 5, "none"),
        (1, 5, "under half"),
        (2, 4, "half or more"),
        (3, 5, "half or more"),
        (4, 5, "all but one"),
        (1, 2, "all but one"),
        (0, 1, "none"),
        (3, 3, "all"),
    ],
)
def test_checks_passed_bins(passed, total, shown):
    assert checks_passed_bin(passed, total) == shown
    assert shown in CHECKS_PASSED_BINS


@pytest.fixture(scope="module")
def results(checked_store) -> pd.DataFrame:
    with Store(checked_store) as db:
        return db.results()


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_the_histogram_counts_every_failing_sample_once(results):
    table = checks_histogram(results).set_index(["model", "language"])
    failing = rows_failing(results)
    sizes = failing.groupby(["model", "language"]).size()
    assert table["failing"].to_dict() == sizes.to_dict()
    assert (table[NOT_OPENED] + table["opened"] == table["failing"]).all()
    assert (table[list(CHECKS_PASSED_BINS)].sum(axis=1) == table["opened"]).all()
    opened = failing["status"].isin(OPENED).groupby([failing["model"], failing["language"]]).sum()
    assert table["opened"].to_dict() == opened.to_dict()
    # Shell has no technique: its opened samples read no checks.
    shell = table.loc[("demo/hasty-coder", "Shell")]
    assert shell["no checks read"] == shell["opened"] > 0


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_the_miss_table_counts_the_wrong_answers_by_kind(results):
    table = miss_table(results).set_index(["model", "language"])
    wrong = results[results["status"] == "failed"]
    assert table["wrong answers"].to_dict() == wrong.groupby(["model", "language"]).size().to_dict()
    assert (table[list(MISS_KINDS)].sum(axis=1) == table["with miss"]).all()
    real = table.loc[(REAL_MODEL, "C")]
    assert real["with miss"] == real["wrong answers"]
    assert real[["edge_case", "partial", "all_wrong"]].gt(0).all()


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_kinds_of_miss_side_by_side_per_language(results):
    side = miss_side_by_side(results, list(DEMO_MODELS))
    assert list(side.columns) == ["language", "miss", *DEMO_MODELS]
    assert side["language"].iloc[-1] == OVERALL
    pooled = side[side["language"] == OVERALL].set_index("miss")
    per_language = side[side["language"] != OVERALL].groupby("miss")[list(DEMO_MODELS)].sum()
    pd.testing.assert_frame_equal(
        pooled[list(DEMO_MODELS)], per_language.loc[pooled.index], check_names=False
    )
    wrong = results[(results["status"] == "failed") & results["model"].isin(DEMO_MODELS)]
    counted = pooled.loc["wrong answers", list(DEMO_MODELS)].to_dict()
    assert counted == wrong["model"].value_counts().to_dict()
    # Shell's wrong answers have no kind: no check technique.
    shell = side[(side["language"] == "Shell")].set_index("miss")
    models = list(DEMO_MODELS)
    assert shell.loc[NO_KIND, models].sum() == shell.loc["wrong answers", models].sum() > 0
    comparison = compare_models(results, list(DEMO_MODELS))
    pd.testing.assert_frame_equal(comparison.misses, side)


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_wrong_answers_cluster_by_kind_of_miss_and_failing_check(results):
    rows = results[results["status"] != "passed"]
    clusters = row_clusters(rows)
    wrong = rows["status"].eq("failed") & rows["miss"].notna()
    expected = (
        rows.loc[wrong, "miss"] + " · " + rows.loc[wrong, "failing_check"].map(normalise_check)
    )
    assert clusters.loc[wrong, "template"].tolist() == expected.tolist()
    # One cluster per template: never merged with another.
    per_cluster = clusters.loc[wrong].groupby("cluster")["template"].nunique()
    assert (per_cluster == 1).all()
    shared = set(clusters.loc[wrong, "cluster"]) & set(clusters.loc[~wrong, "cluster"])
    assert not shared
    # Runtime and compile errors keep their message clusters.
    errors = rows["status"].isin(["runtime_error", "compile_error"])
    assert not clusters.loc[errors, "template"].str.contains(" · ").any()
    table = failure_modes(results, by=["miss"])
    assert set(table["miss"].dropna()) <= set(MISS_KINDS)
    assert table.loc[table["miss"].notna(), "template"].str.match(r"\w+ · ").all()
