"""``workbench report``: one HTML file from a real store that headless Chromium opens with every
network request refused — none is attempted, no error is logged, and text from a model's answer
cannot run. ``WORKBENCH_SCREENSHOTS=1`` refreshes docs/img/report.png from this test."""

from __future__ import annotations

import os
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
        page.evaluate("window.scrollTo(0, 0)")
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = false)")
        shot = SCREENSHOT if os.environ.get("WORKBENCH_SCREENSHOTS") else tmp_path / "report.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 20_000
    assert seen.network == [], seen.network
    assert seen.console_errors == [] and seen.page_errors == [] and seen.dialogs == []


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
