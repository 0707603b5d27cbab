"""``FailureBrowser`` in a real JupyterLab, seen in headless Chromium that may reach nothing but
the local Jupyter server: the widget renders, a click on a filter value goes to the kernel and
the table follows, and the page tries no other request and logs no error.
``WORKBENCH_SCREENSHOTS=1`` refreshes docs/img/failure-browser.png from this test."""

from __future__ import annotations

import os

import nbformat
import pytest

from tests.browser import jupyter_lab, offline_chromium
from tests.conftest import PROJECT
from tests.views.conftest import REAL_MODEL
from workbench.evaluation.store import Store

SCREENSHOT = PROJECT / "docs" / "img" / "failure-browser.png"
CELL = """import workbench as wb
browser = wb.FailureBrowser({store!r}, page_size=8)
browser.select(("completion", "C/1-0-light-span", {model!r}, 0))
browser"""


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


@pytest.mark.browser
def test_the_browser_renders_and_follows_a_click_in_jupyterlab(store, lab, tmp_path):
    with Store(store) as db:
        results = db.results()
    failing = results[results["status"] != "passed"]
    real = failing[failing["model"] == REAL_MODEL]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(CELL.format(store=str(store), model=REAL_MODEL))]
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
        page.wait_for_function(
            "(n) => [...document.querySelectorAll('.widget-html-content')]"
            ".some(e => e.innerText.startsWith(n + ' of '))",
            arg=str(len(real)),
            timeout=60_000,
        )
        rows = page.locator(".wb-table select option").all_inner_texts()
        assert len(rows) == 8 and all(REAL_MODEL in row for row in rows)

        page.wait_for_timeout(500)
        shot = SCREENSHOT if os.environ.get("WORKBENCH_SCREENSHOTS") else tmp_path / "browser.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        box = page.locator(".jp-OutputArea-output").first.bounding_box()
        height = min(box["height"], 1300 - box["y"])  # what the notebook shows on screen
        page.screenshot(path=str(shot), clip={**box, "height": height})
        assert shot.stat().st_size > 20_000
    assert seen.network == [], seen.network
    assert seen.console_errors == [] and seen.page_errors == []
