"""``workbench report``: one HTML file from a real store that headless Chromium opens with every
network request refused — none is attempted, no error is logged, and text from a model's answer
cannot run. ``WORKBENCH_SCREENSHOTS=1`` refreshes docs/img/report.png from this test."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys

import pandas as pd
import pytest

from tests.browser import offline_chromium
from tests.conftest import DEMO, PROJECT
from tests.views.conftest import REAL_MODEL
from workbench.evaluation.notes import annotate
from workbench.evaluation.runner import evaluate
from workbench.evaluation.store import Store
from workbench.inputs.tasks import load_tasks
from workbench.views.report import write_report

SCREENSHOT = PROJECT / "docs" / "img" / "report.png"
HOSTILE_MODEL = "hostile<script>document.title='pwned'</script>"
HOSTILE_ANSWER = """Here is <script>document.title='pwned'</script> my answer
<img src="http://192.0.2.1/raw.png" onerror="document.title='pwned'">:

```python
def alternating_sum(numbers):
    import sys
    print("<script>document.title='pwned'</script>", file=sys.stderr)
    raise ValueError("</pre></details><img src=http://192.0.2.1/err.png onerror=alert(1)>")
```
"""


def report_cli(store, out) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "workbench.cli",
            "report",
            "--store",
            str(store),
            "--out",
            str(out),
            "--title",
            "McEval failure report: demo and real C outputs",
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {out}" in proc.stdout


@pytest.mark.browser
def test_the_report_opens_offline_without_a_request_or_an_error(store, tmp_path):
    annotate(
        store,
        ("generation", "C/2", REAL_MODEL, 0),
        tags=["Missing Corner Case"],
        note="misses the empty input",
        author="reviewer",
    )
    annotate(store, ("generation", "C/3", REAL_MODEL, 0), tags=["dataset-typo", "Silly Mistake"])
    with Store(store) as db:
        results = db.results()
    failing = results[results["status"] != "passed"]
    out = tmp_path / "report.html"
    report_cli(store, out)
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html and "https://" not in html

    with offline_chromium(tmp_path / "profile") as open_page:
        seen = open_page()
        page = seen.page
        page.goto(out.as_uri(), wait_until="load")
        assert page.title() == "McEval failure report: demo and real C outputs"
        # Charts are inline SVG images, drawn.
        charts = page.locator("img.chart")
        assert charts.count() == 2
        assert all(
            page.evaluate(
                "(img) => img.complete && img.naturalWidth > 100", charts.nth(i).element_handle()
            )
            for i in range(charts.count())
        )
        assert page.locator("details.s").count() == len(failing)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        text = page.evaluate("document.body.innerText")
        assert "misses the empty input" in text and "Missing Corner Case" in text
        for heading in (
            "pass@1 per language and model",
            "Why samples fail",
            "error-message clusters",
            "Models compared",
            "Failing samples",
        ):
            assert heading in text
        # A cluster's example link leads to that sample's detail.
        target = page.locator("td.ex a").first.get_attribute("href")
        assert page.locator(f"details{target}").count() == 1
        check_the_fixes_of_issue_25(page, failing)
        page.evaluate("window.scrollTo(0, 0)")
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = false)")
        shot = SCREENSHOT if os.environ.get("WORKBENCH_SCREENSHOTS") else tmp_path / "report.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 20_000
    assert seen.network == [], seen.network
    assert seen.console_errors == [] and seen.page_errors == [] and seen.dialogs == []


# The pieces of the page the checks below read, found in the browser.
SUMMARIES = "() => [...document.querySelectorAll('details.s > summary')].map(e => e.innerText)"
GROUP = """(name) => [...document.querySelectorAll('details.g')].find(
  d => d.querySelector('summary').innerText.startsWith(name))"""


def check_the_fixes_of_issue_25(page, failing: pd.DataFrame) -> None:
    """What a researcher saw wrong in the report, each checked on the page as drawn."""
    # Failing samples in task-number order (C/2 before C/10), per task kind.
    summaries = page.evaluate(SUMMARIES)
    real = [s.split(" ")[0] for s in summaries if " · generation · " in s and s.startswith("C/")]
    real = real[
        -int(((failing["model"] == REAL_MODEL) & (failing["task"] == "generation")).sum()) :
    ]
    numbers = [int(key.split("/")[1]) for key in real]
    assert numbers == sorted(numbers) and len(numbers) > 10, real
    # A summary ends in words or "…", never in a bare "—" (a segfault's says its signal).
    assert not [s for s in summaries if s.rstrip().endswith("—")]
    segfault = next(s for s in summaries if s.startswith("C/43 #0 · generation"))
    assert segfault.endswith("run step killed by signal 11"), segfault
    # The pass@1 axis is in %, as every table is.
    chart = page.locator("img.chart").first.get_attribute("src")
    svg = base64.b64decode(chart.split(",", 1)[1]).decode()
    ticks = re.findall(r">(\d+(?:\.\d+)?)</text>", svg)
    assert "pass@1 (%)" in svg and "100" in ticks and "0.5" not in ticks and "1.0" not in ticks
    # Tags stand apart: separate pills, a comma between them.
    cell = page.locator("td.tags", has=page.locator("text=dataset-typo"))
    assert cell.inner_text().strip() == "dataset-typo, Silly Mistake"
    first, second = (cell.locator(".wb-tag").nth(i).bounding_box() for i in (0, 1))
    assert second["x"] > first["x"] + first["width"] + 4
    # A failing sample shows its instruction, its test and its diff with the canonical one.
    sample = page.locator("details.s", has=page.locator("summary", has_text="C/2 #0 · generation"))
    shown = sample.inner_text()
    for heading in ("instruction", "test", "diff with the canonical solution"):
        assert f"\n{heading}" in shown, heading
    assert sample.locator("pre.diff-u .del, pre.diff-u .add").count() > 0
    # The McNemar table: language, the discordant pairs and p first; p on screen unscrolled.
    table = page.evaluate_handle(GROUP, "A = ").as_element().query_selector("table")
    headers = [h.inner_text() for h in table.query_selector_all("th")]
    assert headers[:4] == ["language", "only A", "only B", "p"], headers
    p_header = table.query_selector_all("th")[3].bounding_box()
    assert p_header["x"] + p_header["width"] <= page.viewport_size["width"]
    assert table.query_selector("td.sig") is not None  # ALL: p < 0.05, marked


@pytest.mark.browser
def test_model_text_cannot_run_in_the_report(store, tmp_path):
    samples = pd.DataFrame(
        [
            {
                "task": "generation",
                "task_id": "Python/1",
                "model": HOSTILE_MODEL,
                "sample_index": 0,
                "raw_generation": HOSTILE_ANSWER,
                "completion": None,
                "source_file": "hostile.jsonl",
                "source_line": 1,
            }
        ]
    )
    [row] = evaluate(
        samples, load_tasks(DEMO, languages=["Python"]), store=store, progress=False
    ).to_dict("records")
    assert row["status"] == "runtime_error" and "<script>" in row["stderr"]  # ran for real
    annotate(store, row, note="<img src=http://192.0.2.1/note.png onerror=alert(2)>")
    out = write_report(store, tmp_path / "report.html", title="escaping")

    with offline_chromium(tmp_path / "profile") as open_page:
        seen = open_page()
        page = seen.page
        page.goto(out.as_uri(), wait_until="load")
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        page.wait_for_timeout(300)
        assert page.title() == "escaping"
        assert page.locator("script").count() == 0
        assert page.locator("img:not([src^='data:'])").count() == 0
        text = page.evaluate("document.body.textContent")
        assert HOSTILE_MODEL in text  # shown as text
        assert "</pre></details><img src=http://192.0.2.1/err.png onerror=alert(1)>" in text
        assert "<img src=http://192.0.2.1/note.png onerror=alert(2)>" in text
    assert seen.network == [] and seen.dialogs == []
    assert seen.console_errors == [] and seen.page_errors == []


def test_the_reports_counts_read_as_english_and_its_samples_have_their_task(store):
    """One model in one language says so in the singular; a failing sample of McEval shows the
    task it ran (the McEval data), one of the bundled demo the demo's."""
    from workbench.views.report import report_html
    from workbench.views.samples import load_results

    results, _ = load_results(store)
    one = results[(results["model"] == REAL_MODEL) & (results["task"] == "generation")]
    page = report_html(one, "one model")
    assert f"{len(one)} samples, 1 model, 1 language, " in page
    assert "1 models" not in page and "1 languages" not in page
    demo = results[(results["model"] == "demo/hasty-coder") & (results["language"] == "Python")]
    page = report_html(demo, "demo")
    assert "<h4>instruction</h4>" in page and "alternating sum" in page  # the demo's Python/1
    assert "is not the one this sample ran" not in page
