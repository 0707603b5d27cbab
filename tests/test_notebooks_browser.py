"""The notebooks as a reader meets them: opened in a real JupyterLab in headless Chromium, run top
to bottom, with no network beyond the local Jupyter server.

Debian's Chromium is driven by the PyPI ``playwright`` package (the browser is never
downloaded). The notebooks run in a copy of the project as a fresh clone has it (its tracked
files, committed to a git repository of its own, then ``make ipynb``), served as ``make lab``
serves them. JupyterLab lists each notebook once. ``03_failure_analysis``: its clusters' table
shows the templates' placeholders (``<LOC>``) as text; its FailureBrowser follows a filter
clicked in the page, and a chosen sample's detail shows beside the list, on screen, with its
program (its screenshot is copied to ``docs/img/`` with ``WORKBENCH_SCREENSHOTS=1``); saved after
its run, it leaves ``git status`` of the copy clean, and its store is in the copy's
``outputs/``. Every notebook: no output is an error, at least the charts and widgets it is
written to show are drawn, and no request leaves the machine. Screenshots are kept
in ``$WORKBENCH_ARTIFACTS`` (default ``test-artifacts/notebooks/``), taken before the checks so
that a failure has its picture (the static report's check is in tests/views/test_report.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser import OfflinePage, jupyter_lab, offline_chromium
from tests.conftest import PROJECT, require_toolchain
from workbench.paths import OUTPUTS_ENV

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# The notebooks, named as JupyterLab opens them: the .ipynb that `make ipynb` makes of each script.
NOTEBOOKS = [
    p.with_suffix(".ipynb") for p in sorted((PROJECT / "notebooks").glob("[0-9][0-9]_*.py"))
]
TOKEN = "workbench-test"
SCREENSHOT = PROJECT / "docs" / "img" / "notebook-failure-browser.png"
# A fixed folder, not pytest's tmp_path, so that CI can keep the screenshots.
ARTIFACTS = Path(os.environ.get("WORKBENCH_ARTIFACTS") or PROJECT / "test-artifacts" / "notebooks")
# The charts (altair or SVG outputs) each notebook draws with its default parameters, and its
# own widgets (the progress bars of evaluate and generate come on top): a notebook that stops
# drawing them fails instead of passing with nothing to check. A new notebook must be listed.
MIN_CHARTS = {
    "00_quickstart": 1,  # pass@1 per language
    "01_dataset_tour": 2,  # tasks per kind and level; per-language statistics
    "02_text_to_verdict": 0,
    "03_failure_analysis": 0,
    "04_comparing_models": 0,
    "05_pass_at_k": 2,  # pass@k against k; interval width against tasks
    "06_difficulty": 1,  # pass@1 by difficulty
    "07_representations": 3,  # t-SNE; silhouette per language; dendrogram
    "08_multipl_e": 1,  # the three comparisons
    "09_paradigms_scenarios": 2,  # by paradigm; by scenario
    "10_appendix_figures": 2,  # two figures read back (a third needs the McEval data)
    "11_generate": 0,
}
MIN_WIDGETS = {
    "01_dataset_tour": 1,  # the language picker
    "03_failure_analysis": 1,  # the FailureBrowser
    "04_comparing_models": 1,  # the ModelComparison
}
RUN_TIMEOUT_MS = 900_000  # a whole notebook on a loaded 2-core machine

pytest.importorskip("playwright.sync_api", reason="playwright not installed (dev extra)")


def git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@localhost", *args],
        cwd=folder,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def project_clone(target: Path) -> Path:
    """The project as a fresh clone of it would be: the checkout's tracked (and new, not
    ignored) files as they are now, committed to a repository of its own, then ``make ipynb``."""
    if shutil.which("git") is None or shutil.which("make") is None:
        pytest.skip("git and make are needed to copy the project as a clone")
    try:
        listed = git(PROJECT, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"{PROJECT} is not a git checkout: {exc.stderr.strip()}")
    for name in filter(None, listed.split("\0")):
        source = PROJECT / name
        if source.is_file():  # not a file deleted in the checkout
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "commit", "-q", "-m", "the checkout as it is")
    bin_dir = Path(sys.executable).parent
    subprocess.run(["make", "-s", "-C", str(target), "ipynb", f"BIN={bin_dir}"], check=True)
    return target


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """JupyterLab (tests/browser.py) serving the notebooks of a clone of the project with its
    configuration (as ``make lab`` does); the notebooks' stores go to the clone's outputs/."""
    clone = project_clone(tmp_path_factory.mktemp("clone"))
    env = {
        "JUPYTER_CONFIG_PATH": str(clone / ".jupyter"),
        OUTPUTS_ENV: str(clone / "outputs"),
    }
    with jupyter_lab(tmp_path_factory.mktemp("lab"), clone / "notebooks", TOKEN, env) as url:
        yield url, clone


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    """Debian's Chromium (tests/browser.py); yields a function opening an ``OfflinePage``."""
    with offline_chromium(
        tmp_path_factory.mktemp("chromium-profile"), viewport=(1300, 1500)
    ) as open_page:
        yield open_page


# JavaScript run in the page through JupyterLab's own app object (--expose-app-in-browser).
RUN_ALL = """async () => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  await panel.context.ready;
  await panel.sessionContext.ready;
  await app.commands.execute('notebook:run-all-cells');
}"""
# The notebook's state from its model: code cells, how many ran, how many wait, the errors, and
# the chart outputs (SVG) each code cell holds.
STATE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.model.cells;
  const state = {code: 0, ran: 0, errors: [], svgs: [], widgets: 0};
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code' || !cell.sharedModel.getSource().trim()) continue;
    state.code += 1;
    if (cell.executionCount) state.ran += 1;
    for (let j = 0; j < cell.outputs.length; j++) {
      const output = cell.outputs.get(j).toJSON();
      if (output.output_type === 'error') state.errors.push(
        `cell ${i}: ${output.ename}: ${output.evalue}`);
      const data = output.data || {};
      const svg = data['image/svg+xml'];
      if (svg) state.svgs.push({cell: i, svg: Array.isArray(svg) ? svg.join('') : svg});
      if (data['application/vnd.jupyter.widget-view+json']) state.widgets += 1;
    }
  }
  state.pending = [...document.querySelectorAll('.jp-InputPrompt')]
    .filter(e => e.innerText.includes('*')).length;
  state.kernel = panel.sessionContext.session?.kernel?.status;
  return state;
}"""
# Save the current notebook as File > Save does; says whether it is still dirty afterwards.
SAVE = """async () => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  await app.commands.execute('docmanager:save');
  return panel.context.model.dirty;
}"""
# Every rendered chart: an <img> of an SVG output, decoded with a size, or an inline <svg>.
DRAWN = """() => [...document.querySelectorAll('.jp-OutputArea-output')].flatMap(area =>
  [...area.querySelectorAll('img, svg')].map(e => e.tagName === 'IMG'
    ? {kind: 'img', width: e.naturalWidth, height: e.naturalHeight, svg: e.src.startsWith('data:image/svg')}
    : {kind: 'svg', width: e.getBoundingClientRect().width, height: e.getBoundingClientRect().height,
       marks: e.querySelectorAll('.role-mark, path, rect, circle').length}))"""


def run_notebook(page: OfflinePage, lab_url: str, name: str) -> dict:
    """Open ``name`` in JupyterLab, run every cell, wait until the kernel has finished."""
    page.page.goto(f"{lab_url}/lab/tree/{name}?token={TOKEN}")
    page.page.wait_for_function("() => window.jupyterapp?.shell.currentWidget?.content?.model")
    page.page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=180_000)
    page.page.evaluate(RUN_ALL)
    deadline = time.monotonic() + RUN_TIMEOUT_MS / 1000
    state: dict = {}
    while time.monotonic() < deadline:
        state = page.page.evaluate(STATE)
        finished = state["ran"] == state["code"] or state["errors"]
        if finished and state["pending"] == 0 and state["kernel"] == "idle":
            return state
        page.page.wait_for_timeout(1000)
    pytest.fail(f"{name} did not finish within {RUN_TIMEOUT_MS // 1000} s: {state}")


def shut_down_kernels(lab_url: str) -> None:
    """End every kernel of the server: each notebook's memory is freed before the next."""
    with urllib.request.urlopen(f"{lab_url}/api/sessions?token={TOKEN}") as response:
        sessions = json.load(response)
    for session in sessions:
        request = urllib.request.Request(
            f"{lab_url}/api/sessions/{session['id']}?token={TOKEN}", method="DELETE"
        )
        urllib.request.urlopen(request).close()


def test_the_failure_browser_of_notebook_03_follows_clicks_and_saves_clean(lab, chromium):
    lab_url, clone = lab
    require_toolchain("C")
    page = chromium((lab_url, "data:", "blob:"))
    state = run_notebook(page, lab_url, "03_failure_analysis.ipynb")
    assert not state["errors"], state["errors"]
    p = page.page

    # The clusters' table shows its templates' placeholders as text, not as unknown HTML tags.
    clusters = p.locator(".jp-OutputArea-output", has_text="template").filter(
        has=p.locator("table")
    )
    # textContent, not innerText: JupyterLab may hold a cell out of view unrendered (innerText
    # empty), and a placeholder parsed as a tag would be missing from either.
    shown = clusters.first.text_content()
    assert "<LOC>" in shown and "<Q>" in shown, shown[:500]
    assert p.evaluate("document.querySelectorAll('loc, q').length") == 0

    summary = p.locator(".widget-html-content", has_text="samples match").first
    summary.wait_for(timeout=60_000)
    before_summary = summary.inner_text()
    options = p.locator(".wb-table select option")
    before = options.all_inner_texts()
    assert before and all("wrong_answer" in row for row in before)  # the notebook's last filter

    # A click on a value of another filter (the task kind) goes to the kernel; the rows follow.
    task_filter = p.locator(".wb-facet select").nth(2)
    label = next(t for t in task_filter.locator("option").all_inner_texts() if "explanation" in t)
    task_filter.select_option(label=label)
    p.wait_for_function(
        "(old) => { const e = [...document.querySelectorAll('.widget-html-content')]"
        ".find(e => e.innerText.includes('samples match')); return e && e.innerText !== old; }",
        arg=before_summary,
        timeout=60_000,
    )
    after = options.all_inner_texts()
    assert after and after != before
    assert all("wrong_answer" in row for row in after)
    explanation_ids = {row.split()[0] for row in after}  # labels use no-break spaces
    assert not any(i.endswith("-light-span") for i in explanation_ids)  # completion rows gone

    # Choosing a row shows that sample's detail: its program, with the task's test.
    chosen = after[0]
    listing = p.locator(".wb-table select")
    # As a user's click does: the list on screen, its cell the active one (else JupyterLab keeps
    # the cell that ran last, at the notebook's end, in view).
    listing.scroll_into_view_if_needed()
    listing.focus()
    listing.select_option(label=chosen)
    detail = p.locator(".wb-detail").first
    detail.wait_for(timeout=60_000)
    p.wait_for_function(
        "(id) => [...document.querySelectorAll('.wb-detail h4')]"
        ".some(h => h.innerText.startsWith(id + ' #'))",
        arg=chosen.split()[0],
        timeout=60_000,
    )
    text = detail.inner_text()
    assert "program that ran" in text
    assert re.search(r"int main\s*\(", text) and "assert" in text  # C test in the program
    # The detail comes where the eye is: beside the list, on screen without scrolling.
    head = p.locator(".wb-detail h4", has_text=chosen.split()[0] + " #").first.bounding_box()
    listed = p.locator(".wb-table select").bounding_box()
    assert 0 <= head["y"] and head["y"] + head["height"] <= p.viewport_size["height"]
    assert head["x"] >= listed["x"] + listed["width"] - 5

    # The picture: the filters, the rows after the click and the top of the chosen detail.
    summary.evaluate("e => e.scrollIntoView({block: 'center'})")
    p.wait_for_timeout(500)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "failure-browser.png"
    panel = p.locator(".jp-NotebookPanel:visible").bounding_box()
    p.screenshot(path=str(shot), clip={**panel, "height": min(panel["height"], 1100)})
    assert shot.stat().st_size > 20_000
    if os.environ.get("WORKBENCH_SCREENSHOTS"):
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, SCREENSHOT)

    # Saved in JupyterLab after its run: the outputs go to the git-ignored .ipynb, the script
    # is written back unchanged, the store with the notes is in the clone's outputs/ folder.
    script = clone / "notebooks" / "03_failure_analysis.py"
    written_before = script.stat().st_mtime_ns
    assert p.evaluate(SAVE) is False  # the notebook is no longer dirty: it was saved
    assert script.stat().st_mtime_ns > written_before  # jupytext wrote the pair back
    saved = json.loads((clone / "notebooks" / "03_failure_analysis.ipynb").read_text())
    assert any(c.get("outputs") for c in saved["cells"] if c["cell_type"] == "code")
    assert (clone / "outputs" / "failure_analysis.duckdb").is_file()
    assert git(clone, "status", "--porcelain", "--untracked-files=all") == ""
    assert page.network == [], page.network
    shut_down_kernels(lab_url)


# Replace the source of the code cell that reads ``old`` with ``new``, then run it and the two
# cells after it (the hidden solution and the check); returns the check cell's index.
ANSWER_AND_CHECK = """async ([old, fresh]) => {
  const app = window.jupyterapp;
  const notebook = app.shell.currentWidget.content;
  const cells = notebook.model.cells;
  const index = [...Array(cells.length).keys()]
    .find(i => cells.get(i).sharedModel.getSource().trim() === old);
  cells.get(index).sharedModel.setSource(fresh);
  notebook.activeCellIndex = index;
  for (let n = 0; n < 3; n++) await app.commands.execute('notebook:run-cell-and-select-next');
  return index + 2;
}"""
# The text of every output of the current notebook.
OUTPUT_TEXT = """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden)'
  + ' .jp-OutputArea-output')].map(e => e.innerText).join('\\n')"""


def test_the_exercises_of_notebook_02_say_when_the_solution_ran_and_why_an_answer_is_wrong(
    lab, chromium
):
    lab_url, _ = lab
    require_toolchain("Python")
    page = chromium((lab_url, "data:", "blob:"))
    state = run_notebook(page, lab_url, "02_text_to_verdict.ipynb")
    p = page.page
    try:
        assert not state["errors"], state["errors"]
        # Run All with every answer still `...`: the solutions ran, and nothing says ✓.
        shown = p.evaluate(OUTPUT_TEXT)
        assert "✓" not in shown and "correct" not in shown
        assert shown.count("the hidden solution was used — your answer is still `...`") == 3

        # A wrong answer to exercise 3 (it stops with an error instead of failing a check): a
        # red message in words, without a traceback.
        wrong = 'answer_failed = "```python\\ndef compress_runs(text):\\n    return nope\\n```"'
        check = p.evaluate(ANSWER_AND_CHECK, ["answer_failed = ...", wrong])
        output = (
            p.locator(".jp-NotebookPanel:visible .jp-Cell")
            .nth(check)
            .locator(".jp-OutputArea-output")
        )
        output.first.wait_for(timeout=120_000)
        p.wait_for_function(
            "() => window.jupyterapp.shell.currentWidget.sessionContext.session"
            "?.kernel?.status === 'idle'",
            timeout=120_000,
        )
        message = output.first.inner_text()
        assert message.startswith("Exercise 3: not yet."), message
        assert "It was judged runtime_error: it stopped with an error while running" in message
        assert "The error: NameError: name 'nope' is not defined" in message
        assert "Hint:" in message
        # The check's own traceback is not shown: no frame of the workbench, no exception name
        # (the answer's program output, quoted at the end, may have a traceback of its own).
        for internal in ("teaching.py", "workbench/", "ExerciseFeedback", "Error: Exercise"):
            assert internal not in message, internal
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "exercise-feedback.txt").write_text(message)
        assert output.first.locator(".ansi-red-fg").count() > 0  # shown in red
        assert page.network == [], page.network
    finally:
        shut_down_kernels(lab_url)


def test_jupyterlab_lists_each_notebook_once(lab, chromium):
    lab_url, _ = lab
    page = chromium((lab_url, "data:", "blob:"))
    page.page.goto(f"{lab_url}/lab?token={TOKEN}")
    names = page.page.locator(".jp-DirListing-content .jp-DirListing-itemName")
    names.first.wait_for(timeout=180_000)
    listed = names.all_inner_texts()
    for notebook in NOTEBOOKS:
        shown = [n for n in listed if n.rsplit(".", 1)[0] == notebook.stem]
        assert shown == [notebook.name], listed


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_runs_in_jupyterlab_offline(notebook, lab, chromium):
    assert notebook.stem in MIN_CHARTS, f"add {notebook.stem} to MIN_CHARTS"
    lab_url, _ = lab
    page = chromium((lab_url, "data:", "blob:"))
    state = run_notebook(page, lab_url, notebook.name)
    try:
        charts = page.page.locator(".jp-OutputArea-output img[src^='data:image/svg']")
        if charts.count():  # the picture shows the first chart
            charts.first.scroll_into_view_if_needed()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.page.screenshot(path=str(ARTIFACTS / f"{notebook.stem}.png"))
        assert not state["errors"], f"{notebook.name}: {state['errors']}"
        assert state["ran"] == state["code"]
        assert len(state["svgs"]) >= MIN_CHARTS[notebook.stem], state["svgs"]
        # Every chart output is drawn with marks: vega's SVG (the offline renderer) holds them.
        for chart in state["svgs"]:
            assert re.search(r"<(path|rect|circle|line)\b", chart["svg"]), chart["cell"]
        drawn = [e for e in page.page.evaluate(DRAWN) if e["kind"] == "img" and e["svg"]]
        assert len(drawn) >= len(state["svgs"])
        assert all(e["width"] > 0 and e["height"] > 0 for e in drawn), drawn
        # Every widget output is rendered by the widget manager as a view, not left as text.
        assert state["widgets"] >= MIN_WIDGETS.get(notebook.stem, 0)
        views = page.page.locator(".jp-OutputArea-output .jupyter-widgets")
        assert views.count() >= state["widgets"]
        for text in ("Error displaying", "Loading widget"):
            assert page.page.locator(".jp-OutputArea-output", has_text=text).count() == 0, text
        assert page.network == [], page.network
    finally:
        shut_down_kernels(lab_url)
