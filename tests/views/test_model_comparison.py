"""``ModelComparison``: its table is ``compare_models``'; clicking a count lists exactly those
samples, and a sample shows both models' answers side by side."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import DEMO
from workbench.analysis.compare_models import CELLS, compare_models
from workbench.errors import InputError
from workbench.evaluation.store import Store
from workbench.inputs.tasks import load_tasks
from workbench.views.model_comparison import ModelComparison

CAREFUL, HASTY = "demo/careful-coder", "demo/hasty-coder"


@pytest.fixture(scope="module")
def results(real_store) -> pd.DataFrame:
    with Store(real_store) as db:
        return db.results()


@pytest.fixture(scope="module")
def view(real_store) -> ModelComparison:
    return ModelComparison(real_store, [CAREFUL, HASTY], tasks=load_tasks(DEMO))


def test_the_table_is_compare_models(view, results):
    expected = compare_models(results, CAREFUL, HASTY).table
    pd.testing.assert_frame_equal(view.table(), expected, check_dtype=False)
    # One button per count: the grid shows every cell of every language.
    buttons = [w for w in view.grid.children if hasattr(w, "on_click")]
    assert len(buttons) == len(expected) * len(CELLS)
    assert [b.description for b in buttons[:4]] == [str(expected.iloc[0][c]) for c in CELLS]


def test_a_cell_click_lists_its_samples(view, results):
    comparison = compare_models(results, CAREFUL, HASTY)
    table = comparison.table.set_index("language")
    for language in ("Python", "C", "ALL"):
        for cell in CELLS:
            rows = view.click(language, cell)
            assert len(rows) == table.loc[language, cell], (language, cell)
            assert view.rows is rows and len(view.samples.options) == len(rows)
    only_careful = view.click("Python", "only_a")
    listed = comparison.disagreements
    listed = listed[(listed["language"] == "Python") & (listed["winner"] == CAREFUL)]
    assert set(zip(only_careful["task_id"], only_careful["sample_index"], strict=True)) == set(
        zip(listed["task_id"], listed["sample_index"], strict=True)
    )
    assert (only_careful["status_a"] == "passed").all()
    assert (only_careful["status_b"] != "passed").all()


def test_a_button_click_is_a_cell_click(view):
    buttons = [w for w in view.grid.children if hasattr(w, "on_click")]
    python_row = view.table()["language"].tolist().index("Python")
    buttons[python_row * len(CELLS) + CELLS.index("only_a")].click()
    assert len(view.rows) == int(view.table().set_index("language").loc["Python", "only_a"])
    assert "only A passes" in view.heading.value


def test_a_sample_shows_both_answers_side_by_side(view):
    rows = view.click("Python", "only_a")
    row = view.select(rows[rows["task_id"] == "Python/1"].iloc[0]["key"])
    html = view.detail.value
    assert row["status_a"] == "passed" and row["cause_b"] == "index_out_of_range"
    assert '<div class="side">' in html
    assert "sum(numbers[0::2]) - sum(numbers[1::2])" in html  # the careful answer
    assert "numbers[0] + sum(" in html  # the hasty one
    assert "IndexError: list index out of range" in html
    assert "alternating sum" in html  # the instruction, from the demo's tasks
    assert 'class="diff"' in html


def test_bad_cells_and_keys_are_refused(view):
    with pytest.raises(InputError, match="cell"):
        view.click("Python", "both")
    with pytest.raises(InputError, match="no paired sample"):
        view.select("generation|Python/99|0")
