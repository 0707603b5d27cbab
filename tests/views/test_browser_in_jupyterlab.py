"""``FailureBrowser`` and ``ModelComparison`` in a real JupyterLab, seen in headless Chromium that
may reach nothing but the local Jupyter server: the widget renders, a click on a filter value goes
to the kernel and the table follows, a click on a row shows its detail beside the list and on
screen, a note's text is found by the search box and a tag by its filter, the comparison's two
sides each show their error line, and the page tries no other request and logs no error.
``WORKBENCH_SCREENSHOTS=1`` refreshes docs/img/failure-browser.png and model-comparison.png."""

from __future__ import annotations

import os

import nbformat
import pytest

from tests.browser import jupyter_lab, offline_chromium
from tests.conftest import PROJECT
from tests.views.conftest import REAL_MODEL
from workbench.analysis.rows import in_task_order
from workbench.evaluation.notes import annotate
from workbench.evaluation.store import Store
from workbench.views.model_comparison import paired_samples
from workbench.views.samples import FACETS

SCREENSHOT = PROJECT / "docs" / "img" / "failure-browser.png"
COMPARISON_SCREENSHOT = PROJECT / "docs" / "img" / "model-comparison.png"
CELL = """import workbench as wb
browser = wb.FailureBrowser({store!r}, page_size=8)
browser.select(("completion", "C/1-0-light-span", {model!r}, 0))
browser"""
# Both demo models fail this pair: each side has an error line of its own to show.
COMPARISON = """view = wb.ModelComparison({store!r}, ["demo/careful-coder", "demo/hasty-coder"])
view.click({language!r}, "both_fail")
view.select(view.rows.iloc[0]["key"])
view"""
NOTE = "reads the wrong halves"
TAGS = ["Silly Mistake", "dataset-typo"]


TOKEN = "wb"
WIDGET = ".widget-select-multiple select"
ERROR = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"


def _wait_for_idle_kernel(page, lab: str) -> None:
    """Until the notebook's kernel has started and is idle (a key pressed before is lost)."""
    for _ in range(240):
        kernels = page.request.get(f"{lab}/api/kernels?token=wb").json()
        if kernels and all(k["execution_state"] == "idle" for k in kernels):
            page.wait_for_timeout(1000)
            return
        page.wait_for_timeout(500)
    pytest.fail(f"the notebook's kernel did not start: {kernels}")


@pytest.fixture
def lab(tmp_path):
    """A JupyterLab server serving ``tmp_path`` (tests/browser.py)."""
    with jupyter_lab(tmp_path / "lab", tmp_path, TOKEN) as url:
        yield url


def _summary_is(page, prefix: str, rows: int | None = None) -> None:
    """Until the summary starts with ``prefix`` (and the list shows ``rows`` rows): the kernel
    sends the summary before the list."""
    page.wait_for_function(
        "([n, rows]) => [...document.querySelectorAll('.widget-html-content')]"
        ".some(e => e.innerText.startsWith(n)) && (rows === null || "
        "document.querySelectorAll('.wb-table select option').length === rows)",
        arg=[prefix, rows],
        timeout=60_000,
    )


@pytest.mark.browser
def test_the_browser_renders_and_follows_a_click_in_jupyterlab(store, lab, tmp_path):
    with Store(store) as db:
        results = db.results()
    failing = results[results["status"] != "passed"]
    real = failing[failing["model"] == REAL_MODEL]
    noted = in_task_order(real).iloc[2]  # on the first page of the list
    annotate(store, noted, tags=TAGS, note=NOTE)
    pairs = paired_samples(results, "demo/careful-coder", "demo/hasty-coder")
    both_fail = pairs[pairs["cell"] == "both_fail"]
    language = both_fail["language"].sort_values()  # the cell's rows, as the widget lists them
    pair = both_fail[both_fail["language"] == language.iloc[0]].iloc[0]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(CELL.format(store=str(store), model=REAL_MODEL)),
        nbformat.v4.new_code_cell(COMPARISON.format(store=str(store), language=language.iloc[0])),
    ]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, tmp_path / "browser.ipynb")

    with offline_chromium(tmp_path / "profile", allow=(lab, "data:")) as open_page:
        seen = open_page()
        page = seen.page
        page.set_viewport_size({"width": 1250, "height": 1400})
        page.goto(f"{lab}/doc/tree/browser.ipynb?token=wb")  # the single-document view
        page.wait_for_selector(".jp-Notebook .jp-Cell .cm-content", timeout=180_000)
        _wait_for_idle_kernel(page, lab)
        page.locator(".jp-Cell .cm-content").first.click()
        page.keyboard.press("Shift+Enter")
        page.wait_for_selector(f"{WIDGET}, {ERROR}", timeout=300_000)
        assert page.locator(ERROR).count() == 0, page.locator(ERROR).first.inner_text()
        summary = page.locator(
            ".jp-OutputArea-output .widget-html-content", has_text="samples match"
        )
        summary.first.wait_for(timeout=60_000)
        assert summary.first.inner_text().startswith(f"{len(failing)} of {len(results)}")
        # The chosen sample's detail, rendered from escaped HTML.
        assert page.locator(".wb-detail .hit").count() >= 1

        # A click on a filter value goes to the kernel; the table follows.
        model = page.locator(WIDGET).first
        label = next(
            text
            for text in model.locator("option").all_inner_texts()
            if text.startswith(REAL_MODEL)
        )
        model.select_option(label=label)
        _summary_is(page, f"{len(real)} of ", rows=8)
        rows = [r.replace("\xa0", " ") for r in page.locator(".wb-table option").all_inner_texts()]
        assert len(rows) == 8 and all(REAL_MODEL in row for row in rows)
        # The list shows which sample carries a note and tags.
        assert any(" ✎ [Silly Mistake, dataset-typo] │" in row for row in rows), rows

        # A click on a row brings its detail where the eye is: beside the list, on screen.
        option = page.locator(".wb-table select option").nth(4)
        wanted = option.inner_text().replace("\xa0", " ").split()[0]
        option.click()
        page.wait_for_function(
            "(id) => [...document.querySelectorAll('.wb-detail h4')]"
            ".some(h => h.innerText.startsWith(id + ' #'))",
            arg=wanted,
            timeout=60_000,
        )
        head = page.locator(".wb-detail h4", has_text=f"{wanted} #").first.bounding_box()
        listed = page.locator(".wb-table select").bounding_box()
        assert 0 <= head["y"] and head["y"] + head["height"] <= 1400  # in the viewport
        assert head["x"] > listed["x"] + listed["width"] - 5  # beside the list, not under it
        assert head["y"] < listed["y"] + listed["height"]
        page.wait_for_timeout(500)
        shot = SCREENSHOT if os.environ.get("WORKBENCH_SCREENSHOTS") else tmp_path / "browser.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        box = page.locator(".jp-OutputArea-output").first.bounding_box()
        height = min(box["height"], 1400 - box["y"])  # what the notebook shows on screen
        page.screenshot(path=str(shot), clip={**box, "height": height})
        assert shot.stat().st_size > 20_000

        # A note's text is found by the search box; a tag is a filter.
        search = page.get_by_placeholder("search answers, messages and notes")
        search.fill("WRONG HALVES")
        search.press("Enter")
        _summary_is(page, "1 of ", rows=1)
        [row] = page.locator(".wb-table select option").all_inner_texts()
        assert row.replace("\xa0", " ").startswith(f"{noted['task_id']} #{noted['sample_index']} ✎")
        search.fill("")
        search.press("Enter")
        _summary_is(page, f"{len(real)} of ", rows=8)
        tag = page.locator(".wb-facet select").nth(list(FACETS).index("tag"))
        tag.select_option(label="dataset-typo (1)")
        _summary_is(page, "1 of ", rows=1)
        [row] = page.locator(".wb-table select option").all_inner_texts()
        assert row.replace("\xa0", " ").startswith(f"{noted['task_id']} #{noted['sample_index']} ✎")

        # ModelComparison: both sides of a pair that both fail, each with its error line.
        page.locator(".jp-Cell .cm-content").nth(1).click()
        page.keyboard.press("Shift+Enter")
        halves = page.locator(".wb-detail .side > div")
        halves.nth(1).wait_for(timeout=120_000)
        assert page.locator(ERROR).count() == 0, page.locator(ERROR).first.inner_text()
        title_a, title_b = (halves.nth(i).locator("h4").first.inner_text() for i in (0, 1))
        assert (title_a, title_b) == ("demo/careful-coder", "demo/hasty-coder")
        for i, side in enumerate("ab"):
            text = halves.nth(i).inner_text()
            error = pair[f"error_line_{side}"]
            assert isinstance(error, str) and error.strip(), pair
            assert error.strip() in text, (side, error, text[:600])
            assert "program that ran" in text and "stdout" in text
        page.locator(".wb-detail .side").first.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        shot = (
            COMPARISON_SCREENSHOT
            if os.environ.get("WORKBENCH_SCREENSHOTS")
            else tmp_path / "comparison.png"
        )
        page.screenshot(path=str(shot))
    assert seen.network == [], seen.network
    assert seen.console_errors == [] and seen.page_errors == []
