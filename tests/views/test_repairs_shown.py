"""What the views show of the answer causes and the repairs, on the session's real store (the
demo and the real C outputs) with the demo's failing samples repaired (``workbench repair``):
the report's "as scored and after repair" section, the FailureBrowser's detail (the repairs and
the verdict after them; the generation's token counts), its cause filter and ``workbench
failures`` listing the causes read from the answer, and exports that carry the repairs."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from tests.conftest import DEMO
from tests.views.conftest import REAL_MODEL
from workbench.cli.main import main
from workbench.evaluation.repair import repair_store
from workbench.evaluation.store import Store
from workbench.execution.records import REPAIRED
from workbench.inputs.tasks import load_tasks
from workbench.views.detail import generation_and_repair_html
from workbench.views.failure_browser import FailureBrowser
from workbench.views.report import report_html
from workbench.views.samples import load_results

HASTY = "demo/hasty-coder"
RECOVERED = f"generation|C/3|{HASTY}|1"  # uses bool without <stdbool.h>: add_import passes it


@pytest.fixture(scope="module")
def repaired_store(real_store: Path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("repaired") / "store.duckdb"
    shutil.copy(real_store, path)
    demo = ["demo/careful-coder", HASTY]
    rows = repair_store(path, load_tasks(DEMO), models=demo, progress=False)
    assert len(rows) >= 1
    return path


def test_the_report_shows_pass_at_1_as_scored_and_after_repair(repaired_store):
    results, _ = load_results(repaired_store)
    page = report_html(results)
    section = page[page.index("<h2>As scored and after repair</h2>") :]
    section = section[: section.index("<h2>", 10)]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", section)
    # demo/hasty-coder, C: 1 of 6 samples passed as scored, 2 after add_import; each with its
    # 95% Wilson interval over the 3 tasks.
    row = cells.index(HASTY)
    assert cells[row : row + 9] == [
        HASTY,
        "C",
        "3",
        "16.7",
        "1.8–69.0",
        "33.3",
        "6.1–79.2",
        "1",
        "1",
    ]
    assert "add_import" in section and "scored verdicts above are unchanged" in section


def test_a_store_without_repaired_rows_says_how_to_make_them(real_store):
    with Store(real_store) as db:
        assert db.count(kinds=REPAIRED) == 0
    page = report_html(load_results(real_store)[0])
    assert "No repaired runs in this store" in page and "workbench repair" in page


def test_the_browser_detail_shows_the_repairs_and_the_verdict_after_them(repaired_store):
    browser = FailureBrowser(repaired_store, data=DEMO)
    row = browser.select(RECOVERED)
    assert row["status"] == "compile_error"  # the scored verdict, as it was
    assert row["repairs"] == ["add_import"] and row["repaired_status"] == "passed"
    assert "after the mechanical repairs" in browser.detail.value
    assert "<b>passed</b>" in browser.detail.value
    # A sample no repair changed shows no such section.
    other = browser.table[browser.table["repairs"].isna() & (browser.table["model"] == HASTY)]
    browser.select(other["key"].iloc[0])
    assert "after the mechanical repairs" not in browser.detail.value
    browser.close()


def test_exports_carry_the_repairs(repaired_store, tmp_path):
    browser = FailureBrowser(repaired_store, data=DEMO)
    browser.model.value = (HASTY,)
    for name in ("rows.parquet", "rows.csv", "rows.jsonl"):
        browser.export(tmp_path / name)
    parquet = duckdb.connect()
    exported = parquet.execute(
        "SELECT repairs, repaired_status FROM read_parquet(?) WHERE task_id = 'C/3' "
        "AND repairs IS NOT NULL",
        [str(tmp_path / "rows.parquet")],
    ).fetchall()
    parquet.close()
    assert exported == [(["add_import"], "passed")]
    lines = pd.read_json(tmp_path / "rows.jsonl", lines=True)
    assert lines["repairs"].dropna().tolist() == [["add_import"], ["add_import"]]
    browser.close()


def test_the_cause_filter_and_workbench_failures_list_the_answer_causes(real_store, capsys):
    browser = FailureBrowser(real_store)
    # The real C outputs answer five tasks with Python blocks (the fence's tag says so).
    assert "wrong_language" in browser.filter.categories("cause")
    browser.cause.value = ("wrong_language",)
    assert len(browser.matches) == 5
    assert set(browser.matches["cause_detail"]) == {"Python"}
    assert set(browser.matches["model"]) == {REAL_MODEL}
    browser.close()
    assert main(["failures", "--store", str(real_store), "--by", "cause"]) == 0
    assert "cause wrong_language: 5 failures" in capsys.readouterr().out


def test_the_detail_shows_the_generations_token_counts():
    cut = generation_and_repair_html({"generated_tokens": 512, "token_limit_reached": True})
    assert "512 tokens generated, stopped at its token limit" in cut
    ended = generation_and_repair_html({"generated_tokens": 40, "token_limit_reached": False})
    assert "40 tokens generated, stopped by itself" in ended
    # Outputs from elsewhere carry neither: nothing is shown.
    assert (
        generation_and_repair_html({"generated_tokens": pd.NA, "token_limit_reached": None}) == ""
    )
