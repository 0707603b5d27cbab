"""Where a user reads the health findings (docs/health.md): the report's "Can these numbers be
trusted?" section, the mark of a language with an ``error`` finding on a pass@1 table and in the
FailureBrowser. The broken environment is real: C's compiler broken by ``wb.broken_toolchain``
while the demo is evaluated again, its verdicts served from the cache, its controls failing."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

import workbench as wb
from tests.conftest import DEMO, require_toolchain
from workbench.errors import InputError
from workbench.evaluation.store import Store
from workbench.views.failure_browser import FailureBrowser
from workbench.views.health import MARK, mark_languages
from workbench.views.report import write_report

LIMITS = {"run_timeout": 2.0}


@pytest.fixture(scope="module")
def broken_store(tmp_path_factory) -> Path:
    """The demo's C and Python samples: evaluated, then evaluated again with C's compiler
    broken (the store's C controls fail; its scored rows still say what they said)."""
    for language in ("C", "Python"):
        require_toolchain(language)
    path = tmp_path_factory.mktemp("health") / "broken.duckdb"
    samples = wb.load_samples(DEMO / "samples.jsonl")
    samples = samples[samples["task_id"].str.startswith(("C/", "Python/"))]
    tasks = wb.load_tasks(DEMO, languages=["C", "Python"])
    wb.evaluate(samples, tasks, store=path, progress=False, limits=LIMITS)
    path_before = os.environ["PATH"]
    with wb.broken_toolchain("C") as folder:
        assert os.environ["PATH"].startswith(str(folder))
        wb.evaluate(samples, tasks, store=path, progress=False, limits=LIMITS)
    assert os.environ["PATH"] == path_before and not folder.exists()  # all undone
    return path


def _rows(path: Path) -> pd.DataFrame:
    with Store(path) as store:
        return store.results(kinds=None)


def test_a_broken_toolchain_is_caught_by_the_controls_alone(broken_store):
    rows = _rows(broken_store)
    scored = rows[rows["row_kind"] == "scored"]
    assert scored["cached"].all()  # yesterday's verdicts, from the cache
    findings = wb.health(rows)
    assert list(zip(findings["rule"], findings["language"], strict=True)) == [("environment", "C")]
    assert "error while loading shared libraries" in findings.iloc[0]["message"]
    assert wb.has_errors(findings)
    with pytest.raises(InputError, match="to break"):
        with wb.broken_toolchain("Dart"):
            pass


def test_the_report_says_first_whether_the_numbers_can_be_trusted(broken_store, store, tmp_path):
    html = write_report(broken_store, tmp_path / "broken.html").read_text(encoding="utf-8")
    trust, scores = html.index("Can these numbers be trusted?"), html.index("pass@1 per language")
    assert trust < scores
    section = html[trust:scores]
    assert 'class="sev-error">error</td><td>environment</td>' in section
    assert "libisl.so.23" in section and "evidence" in section
    healthy = write_report(store, tmp_path / "healthy.html").read_text(encoding="utf-8")
    assert "No health check found anything" in healthy


def test_a_pass_at_1_table_marks_the_language_with_an_error(broken_store):
    rows = _rows(broken_store)
    findings = wb.health(rows)
    table = wb.pass_at_k_table(rows)
    pivot = table.pivot(index="language", columns="model", values="pass_at_1")
    html = mark_languages(pivot, findings).to_html()
    assert f"C {MARK}" in html and f"Python {MARK}" not in html
    message = findings.iloc[0]["message"]
    assert html.count("libisl.so.23") >= 2  # on hover over C's cells, and below the table
    assert "caption-side: bottom" in html
    # A table with a language column is marked the same way; a healthy one is left alone.
    flat = mark_languages(table, findings).to_html()
    assert f"C {MARK}" in flat and message[:40] in flat
    clean = mark_languages(pivot, findings.iloc[0:0]).to_html()
    assert MARK not in clean and "<caption" not in clean


def test_the_failure_browser_names_the_language_not_to_trust(broken_store, store):
    browser = FailureBrowser(broken_store, data=DEMO)
    try:
        assert f"{MARK} not to be trusted here" in browser.summary.value
        assert "<b>C</b>" in browser.summary.value and "libisl.so.23" in browser.summary.value
        browser.language.value = ("Python",)  # still there whatever the filters
        assert MARK in browser.summary.value
    finally:
        browser.close()
    healthy = FailureBrowser(store, data=DEMO)
    try:
        assert MARK not in healthy.summary.value
    finally:
        healthy.close()
