"""pass@k as every view shows it (``score_table``): both readings side by side with the number of
defective tasks between them, and a footnote naming each task set aside with its reason and
source — or saying once that none applies — every text escaped."""

from __future__ import annotations

import pandas as pd

from tests.views.conftest import REAL_MODEL
from workbench.evaluation.store import Store
from workbench.evaluation.task_defects import mark_defective
from workbench.views.scores import score_table


def test_both_readings_and_the_footnote_of_the_real_store(store):
    with Store(store) as db:
        results = db.results()
    mark_defective(store, "Python/1", "<b>the test</b> expects [] to raise", author="ann")
    scores = score_table(results, by="task", store=store)
    shown = scores.shown
    columns = list(shown.columns)
    rules, aside = (
        columns.index("pass@1 % (benchmark rules)"),
        columns.index("pass@1 % (defective tasks set aside)"),
    )
    assert columns[rules + 1] == "n_defective_tasks" and aside == rules + 2
    real = shown[(shown["model"] == REAL_MODEL) & (shown["task"] == "generation")].iloc[0]
    assert real["n_defective_tasks"] == 1  # McEval's C/1, shipped
    assert real["pass@1 % (benchmark rules)"] != real["pass@1 % (defective tasks set aside)"]
    text = str(scores)
    assert "C/1 (every kind; registry; 3 samples): the instruction asks for" in text
    assert "Python/1 (every kind; user ann; 4 samples): <b>the test</b> expects" in text
    page = scores._repr_html_()
    assert "&lt;b&gt;the test&lt;/b&gt;" in page and "<b>the test</b>" not in page
    assert "mathjax_ignore" in page


def test_when_no_defective_task_applies_the_footnote_says_so_once(store):
    with Store(store) as db:
        demo = db.results(models=["demo/careful-coder", "demo/hasty-coder"])
    scores = score_table(demo, store=store)
    lines = str(scores).splitlines()
    assert [line for line in lines if line.startswith(("No ", "Set aside"))] == [
        "No defective task (of the 19 on the list) is among these results: the two readings "
        "are the same."
    ]
    table = scores.table
    pd.testing.assert_series_equal(
        table["pass_at_1"], table["pass_at_1_defects_aside"], check_names=False
    )
