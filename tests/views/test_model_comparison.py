"""``ModelComparison``: its table is ``compare_models``'; clicking a count lists exactly those
samples, and a sample shows both models' answers side by side."""

from __future__ import annotations

from html import escape as html_escape

import pandas as pd
import pytest

from tests.conftest import DEMO
from workbench.analysis.compare_models import CELLS, compare_models
from workbench.analysis.defects import defective_tasks
from workbench.errors import InputError
from workbench.evaluation.store import Store
from workbench.inputs.tasks import load_tasks
from workbench.views.model_comparison import GRID_CELLS, ModelComparison

CAREFUL, HASTY = "demo/careful-coder", "demo/hasty-coder"


@pytest.fixture(scope="module")
def results(real_store) -> pd.DataFrame:
    with Store(real_store) as db:
        return db.results()


@pytest.fixture(scope="module")
def view(real_store) -> ModelComparison:
    return ModelComparison(real_store, [CAREFUL, HASTY], tasks=load_tasks(DEMO))


def test_the_table_is_compare_models(view, results):
    expected = compare_models(results, CAREFUL, HASTY, set_aside=defective_tasks()).table
    pd.testing.assert_frame_equal(view.table(), expected, check_dtype=False)
    # One button per count: the grid shows every cell of every language, the discordant first.
    buttons = [w for w in view.grid.children if hasattr(w, "on_click")]
    assert len(buttons) == len(expected) * len(CELLS)
    assert [b.description for b in buttons[:4]] == [str(expected.iloc[0][c]) for c in GRID_CELLS]


def test_the_table_leads_with_the_discordant_pairs_and_p_marked_below_005(view):
    texts = [getattr(w, "value", None) or w.description for w in view.grid.children]
    header = texts[: texts.index("<b>C</b>")]
    assert [h.removeprefix("<b>").removesuffix("</b>") for h in header[:4]] == [
        "language",
        f"only A ({CAREFUL})",
        f"only B ({HASTY})",
        "p",
    ]
    table = view.table().set_index("language")
    width = len(header)
    overall = texts[width * (table.index.get_loc("ALL") + 1) :][:width]
    assert table.loc["ALL", "p_value"] < 0.05
    assert overall[3] == f"<b>{table.loc['ALL', 'p_value']:.3g} *</b>"  # marked
    python = texts[width * (table.index.get_loc("Python") + 1) :][:width]
    assert table.loc["Python", "p_value"] > 0.05 and "*" not in python[3]


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
    buttons[python_row * len(CELLS) + GRID_CELLS.index("only_a")].click()
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


def test_each_side_shows_what_the_failure_browsers_detail_shows(view):
    table = view.table()
    language = table.loc[(table["both_fail"] > 0) & (table["language"] != "ALL"), "language"]
    rows = view.click(language.iloc[0], "both_fail")
    row = view.select(rows.iloc[0]["key"])
    left, right = view.detail.value.split('<div class="side">')[1].split("</div><div>")[:2]
    for half, suffix in ((left, "_a"), (right, "_b")):
        assert row[f"status{suffix}"] != "passed"
        for heading in ("model's answer", "program that ran", "stdout"):
            assert f"<h4>{heading}" in half, (suffix, heading)
        assert "compile log" in half or "<h4>stderr</h4>" in half
        error = row[f"error_line{suffix}"]
        assert isinstance(error, str) and error
        assert html_escape(error) in half  # the error line, as a fact and in the output


def test_open_in_browser_shows_that_sides_sample(view):
    rows = view.click("Python", "only_a")
    row = view.select(rows.iloc[0]["key"])
    browser = view.open_in_browser("b")
    assert view.browser_box.children == (browser,)
    chosen = browser.selected
    assert (chosen["model"], chosen["task_id"], chosen["sample_index"]) == (
        HASTY,
        row["task_id"],
        row["sample_index"],
    )
    assert set(browser.matches["model"]) == {HASTY}
    assert view.open_in_browser("a") is browser and browser.selected["model"] == CAREFUL


def test_bad_cells_and_keys_are_refused(view):
    with pytest.raises(InputError, match="cell"):
        view.click("Python", "both")
    with pytest.raises(InputError, match="no paired sample"):
        view.select("generation|Python/99|0")
