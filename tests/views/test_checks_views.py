"""Where a user sees every check (issue 26), on the real store after ``workbench checks``: the
FailureBrowser lists ``k/n`` checks, filters on the kind of miss and shows a wrong answer's
checks as a table with the first failing one highlighted; ``workbench failures`` and the report
gain "checks passed" per model and language and the kinds of miss; ``ModelComparison`` and
``workbench compare`` show each model's kinds of miss side by side."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import DEMO, DEMO_MODELS, PROJECT
from workbench.evaluation.store import Store
from workbench.inputs.tasks import load_tasks
from workbench.views.failure_browser import FailureBrowser
from workbench.views.model_comparison import ModelComparison
from workbench.views.report import write_report


@pytest.fixture
def checked(checked_store, tmp_path):
    copy = tmp_path / "checked.duckdb"
    shutil.copy(checked_store, copy)
    return copy


@pytest.fixture(scope="module")
def results(checked_store) -> pd.DataFrame:
    with Store(checked_store) as db:
        return db.results()


def workbench(*args) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "workbench.cli", *map(str, args)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_the_browser_filters_on_the_kind_of_miss_and_lists_k_of_n(checked, results):
    browser = FailureBrowser(checked, page_size=50)
    kinds = set(results["miss"].dropna())
    assert {"partial", "all_wrong", "edge_case"} <= kinds <= set(browser.filter.categories("miss"))
    browser.miss.value = ("edge_case",)
    wanted = results[results["miss"] == "edge_case"]
    assert len(browser.matches) == len(wanted)
    assert (browser.matches["miss"] == "edge_case").all()
    for label, (_, row) in zip(browser.table_widget.options, browser.rows.iterrows(), strict=True):
        assert f" {row['checks_passed']}/{row['checks_total']} checks │" in label[0]


def test_a_wrong_answers_detail_shows_every_check_the_first_failing_one_marked(checked, results):
    browser = FailureBrowser(checked, tasks=load_tasks(DEMO))
    wrong = results[(results["cause"] == "wrong_answer") & results["model"].isin(DEMO_MODELS)]
    row = wrong[wrong["checks_total"] >= 3].iloc[0]
    browser.select(row[["task", "task_id", "model", "sample_index"]].to_dict())
    html = browser.detail.value
    table = html[html.index("every check") : html.index("</table>", html.index("every check"))]
    assert f"{row['checks_passed']}/{row['checks_total']} passed" in table
    assert table.count("✓") == row["checks_passed"]
    assert table.count("✗") == row["checks_total"] - row["checks_passed"]
    marked = re.findall(r'<tr class="hit">(.*?)</tr>', table)
    assert len(marked) == 1 and "✗" in marked[0]
    # The first ✗ row is the one highlighted, and it holds the row's expected and actual values.
    rows = re.findall(r"<tr(?: class=\"hit\")?>(.*?)</tr>", table)
    assert "✗" in marked[0] and marked[0] == next(r for r in rows if "✗" in r)
    assert f"<code>{row['actual']}</code>" in marked[0].replace("&quot;", '"')


def test_samples_without_checks_say_why_or_show_nothing(checked, results):
    browser = FailureBrowser(checked)
    shell = results[(results["language"] == "Shell") & (results["checks_total"] == 0)].iloc[0]
    browser.select(shell[["task", "task_id", "model", "sample_index"]].to_dict())
    assert "Shell has no check technique" in browser.detail.value
    compile_error = results[results["status"] == "compile_error"].iloc[0]
    browser.select(compile_error[["task", "task_id", "model", "sample_index"]].to_dict())
    assert "every check" not in browser.detail.value


def test_exports_leave_the_per_check_lists_out(checked, tmp_path):
    browser = FailureBrowser(checked)
    exported = pd.read_json(browser.export(tmp_path / "rows.jsonl"), lines=True)
    assert "checks" not in exported.columns
    assert {"checks_passed", "checks_total", "miss"} <= set(exported.columns)


def test_workbench_failures_shows_checks_passed_and_the_kinds_of_miss(checked, results):
    out = workbench("failures", "--store", checked, "--top", "100")
    assert "checks passed, per failing sample" in out
    assert "kinds of miss of the wrong answers" in out
    # Wrong answers are clustered by kind of miss and failing check.
    assert re.search(r"partial · assert\(", out)
    by_miss = workbench("failures", "--store", checked, "--by", "miss", "--top", "2")
    assert "miss edge_case:" in by_miss and "miss all_wrong:" in by_miss


def test_workbench_compare_and_the_comparison_widget_put_the_kinds_side_by_side(checked):
    out = workbench("compare", "--store", checked, *DEMO_MODELS)
    assert "kinds of miss of each model's wrong answers, per language" in out
    view = ModelComparison(checked, list(DEMO_MODELS))
    assert "kinds of miss" in view.misses.value and "partial" in view.misses.value
    assert not view.comparison.misses.empty


def test_the_report_has_checks_passed_and_the_kinds_of_miss(checked, tmp_path):
    html = write_report(checked, tmp_path / "report.html").read_text()
    start = html.index("Wrong answers, every check opened")
    section = html[start : html.index("<h2>", start)]
    assert section.count('<img class="chart"') == 1
    assert "Kinds of miss of the wrong answers" in section
    assert "Side by side, per language" in section
    assert "all but one" in section and "edge_case" in section


def test_a_rerun_keeps_the_samples_checks(checked, results):
    browser = FailureBrowser(checked, tasks=load_tasks(DEMO))
    wrong = results[(results["miss"] == "edge_case") & results["model"].isin(DEMO_MODELS)]
    key = wrong.iloc[0][["task", "task_id", "model", "sample_index"]].to_dict()
    browser.select(key)
    before = browser.detail.value
    row = browser.rerun()
    assert row["status"] == "failed" and row["miss"] == "edge_case"
    assert row["checks_total"] == wrong.iloc[0]["checks_total"]

    def table(html: str) -> str:
        start = html.index("every check")
        return html[start : html.index("</table>", start)]

    assert table(browser.detail.value) == table(before)
    with Store(checked) as db:
        stored = db.results()
    again = stored.merge(pd.DataFrame([key]))
    assert again[["miss", "checks_total", "expected", "actual"]].iloc[0].tolist() == (
        wrong.iloc[0][["miss", "checks_total", "expected", "actual"]].tolist()
    )
