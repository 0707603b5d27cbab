"""``FailureBrowser`` driven as a user drives it: filters and search narrow the rows, a sample's
detail shows what ran and why it failed, a rerun goes through the sandbox into the store, notes
are stored, and exports read back with them."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest

from tests.conftest import DEMO
from tests.views.conftest import REAL_MODEL
from workbench.analysis.failure_modes import failure_modes
from workbench.evaluation.notes import notes
from workbench.evaluation.store import Store
from workbench.inputs.tasks import load_tasks
from workbench.views.failure_browser import FailureBrowser
from workbench.views.samples import FACETS


@pytest.fixture
def results(store) -> pd.DataFrame:
    with Store(store) as db:
        return db.results()


def keys(frame: pd.DataFrame) -> set[tuple]:
    return set(frame[["task", "task_id", "model", "sample_index"]].itertuples(index=False))


def test_starts_on_the_failures_and_filters_narrow_the_rows(store, results):
    browser = FailureBrowser(store, page_size=10)
    failing = results[results["status"] != "passed"]
    assert keys(browser.matches) == keys(failing)
    assert len(browser.rows) == 10 and browser.pages == -(-len(failing) // 10)

    browser.model.value = ("demo/hasty-coder",)
    browser.language.value = ("Python",)
    wanted = failing[(failing["model"] == "demo/hasty-coder") & (failing["language"] == "Python")]
    assert keys(browser.matches) == keys(wanted)
    assert keys(browser.rows) == keys(wanted)  # fewer than a page

    browser.cause.value = ("index_out_of_range",)
    assert browser.matches["task_id"].tolist() == ["Python/1"]
    assert browser.matches["cause"].tolist() == ["index_out_of_range"]

    browser.clear_filters()
    assert len(browser.matches) == len(results)


def test_counts_per_filter_value_are_what_choosing_it_would_show(store, results):
    browser = FailureBrowser(store)
    browser.model.value = (REAL_MODEL,)
    counts = browser.counts().set_index(["facet", "value"])["count"]
    real_failing = results[(results["model"] == REAL_MODEL) & (results["status"] != "passed")]
    for cause, n in real_failing["cause"].value_counts().items():
        assert counts["cause", cause] == n
    # The model facet ignores its own choice: it shows every model's failures.
    for model, n in results[results["status"] != "passed"]["model"].value_counts().items():
        assert counts["model", model] == n
    # The options show the counts.
    labels = dict((v, label) for label, v in browser.filters["task"].options)
    assert labels["completion/light"] == (
        f"completion/light ({int((real_failing['subset'] == 'light').sum())})"
    )
    assert set(counts.index.get_level_values("facet")) == set(FACETS)


def test_task_difficulty_paradigm_scenario_and_cluster_filters(store, results):
    browser = FailureBrowser(store)
    browser.task.value = ("explanation",)
    assert set(browser.matches["task"]) == {"explanation"}
    browser.task.value = ()
    browser.difficulty.value = ("hard",)
    assert set(browser.matches["level"]) == {"hard"}
    browser.difficulty.value = ()
    browser.paradigm.value = ("Object Oriented",)  # Java, in the registry
    assert set(browser.matches["language"].astype(str)) == {"Java"}
    browser.paradigm.value = ()
    browser.scenario.value = ("Automation Scripts",)  # Shell
    assert set(browser.matches["language"].astype(str)) == {"Shell"}
    browser.scenario.value = ()

    # Cluster ids are those of failure_modes: its examples of cluster 0 are in the filter's rows.
    modes = failure_modes(results, by=[])
    top = modes.iloc[0]
    label = next(v for _, v in browser.cluster.options if v.startswith(f"#{top['cluster']} "))
    browser.cluster.value = (label,)
    assert len(browser.matches) == top["count"]
    chosen = keys(browser.matches)
    for example in top["examples"]:
        assert tuple(example[k] for k in ("task", "task_id", "model", "sample_index")) in chosen


def test_text_and_regex_search_over_answers_and_messages(store, results):
    browser = FailureBrowser(store, failures_only=False)
    browser.search.value = "UNDECLARED"  # plain text: case-insensitive, in the compiler's output
    expected = results[results["stderr"].fillna("").str.contains("undeclared", case=False)]
    assert keys(browser.matches) == keys(expected) and len(expected) >= 2

    browser.regex.value = True
    browser.search.value = r"numbers\[0\]"  # in the hasty model's answer text
    answers = results["raw_generation"].fillna("").str.contains(r"numbers\[0\]")
    assert keys(browser.matches) == keys(results[answers]) and answers.sum() >= 1

    browser.search.value = "(unclosed"
    assert "not a regular expression" in browser.message.value
    assert keys(browser.matches) == keys(results[answers])  # the last valid search stays


def test_detail_shows_the_instruction_code_program_diff_and_failing_check(store):
    browser = FailureBrowser(store)  # real C outputs: tasks from ../shared/mceval
    row = browser.select(("completion", "C/1-0-light-span", REAL_MODEL, 0))
    html = browser.detail.value
    assert row["cause"] == "wrong_answer"
    assert "Please fill the [MASK]" in html  # the task's instruction
    assert '<mark class="code">char *hello_mmcodeeval()' in html  # extracted code in the raw text
    # The failing check is highlighted in the program that ran.
    assert '<span class="hit"><span class="ln">9</span>    assert(strcmp(hello_mmcodeeval()' in html
    assert "canonical program" in html and 'class="diff"' in html
    assert "main.c:9: main: Assertion" in html  # stderr


def test_a_task_from_another_data_set_is_not_shown_as_the_samples(store, mceval_dir):
    key = ("generation", "C/1", "demo/hasty-coder", 0)
    only_mceval = FailureBrowser(store, data=mceval_dir)  # McEval's C/1 is not the demo's C/1
    only_mceval.select(key)
    assert "is not the one this sample ran" in only_mceval.detail.value
    assert "hello_mmcodeeval" not in only_mceval.detail.value.split("<h4>model")[0]
    demo = FailureBrowser(store, tasks=load_tasks(DEMO))
    demo.select(key)
    assert "<h4>instruction</h4>" in demo.detail.value
    # By default the McEval data and then the bundled demo are looked in: the task that fits.
    default = FailureBrowser(store)
    default.select(key)
    instruction = default.detail.value.split("<h4>instruction</h4>")[1].split("<h4>")[0]
    assert "count_digit" in instruction and "hello_mmcodeeval" not in instruction


def test_rerun_runs_the_sample_in_the_sandbox_and_stores_the_new_verdict(store):
    key = ("generation", "Python/1", "demo/hasty-coder", 0)
    # A stale verdict: what a rerun must replace by running the sample, not from the cache.
    with duckdb.connect(str(store)) as con:
        con.execute(
            "UPDATE executions SET status = 'timeout', reason = 'stale', stderr = '', "
            "cause = 'timeout' WHERE task = ? AND task_id = ? AND model = ? AND sample_index = ?",
            list(key),
        )
    browser = FailureBrowser(store, tasks=load_tasks(DEMO))
    assert browser.select(key)["status"] == "timeout"
    browser.annotate(tags=["Missing Corner Case"], note="numbers[0] on an empty list")
    new = browser.rerun()
    assert new["status"] == "runtime_error" and new["cause"] == "index_out_of_range"
    assert "rerun: runtime_error" in browser.message.value
    assert "IndexError" in browser.detail.value
    with Store(store) as db:
        after = db.results().set_index(["task", "task_id", "model", "sample_index"]).loc[key]
    assert after["status"] == "runtime_error" and after["reason"] != "stale"
    assert not after["cached"] and "IndexError" in after["stderr"]
    # The browser's filters see the new verdict.
    browser.status.value = ("runtime_error",)
    assert key in keys(browser.matches)
    # The note survives the re-evaluation, in the store and in the browser.
    assert notes(store)["note"].tolist() == ["numbers[0] on an empty list"]
    assert browser.selected["tags"] == ["Missing Corner Case"]


def test_annotate_from_the_browser_stores_the_note(store):
    browser = FailureBrowser(store)
    key = browser.rows.iloc[0]["key"]
    browser.select(key)
    browser.tags.value = ["Silly Mistake"]
    browser.pattern.value = "Wrong Input Type"  # the vocabulary menu adds a tag
    assert browser.tags.value == ["Silly Mistake", "Wrong Input Type"]
    browser.note.value = "compares strings with =="
    browser.save_note.click()
    assert browser.message.value == "note saved"
    stored = notes(store)
    assert stored["tags"].map(list).tolist() == [["Silly Mistake", "Wrong Input Type"]]
    assert stored["note"].tolist() == ["compares strings with =="]
    assert browser.selected["note"] == "compares strings with =="
    assert "compares strings with ==" in browser.detail.value


def test_export_csv_parquet_jsonl_with_notes(store, tmp_path):
    browser = FailureBrowser(store)
    browser.model.value = (REAL_MODEL,)
    browser.cause.value = ("undefined_name",)
    first = browser.rows.iloc[0]["key"]
    browser.select(first)
    browser.annotate(tags=["Hallucinated Object"], note="calls a function C does not have")
    expected = browser.matches
    assert len(expected) >= 2

    csv = pd.read_csv(browser.export(tmp_path / "rows.csv"))
    parquet = duckdb.sql(f"SELECT * FROM '{browser.export(tmp_path / 'rows.parquet')}'").df()
    jsonl = [json.loads(line) for line in browser.export(tmp_path / "rows.jsonl").open()]
    for table in (csv, parquet, pd.DataFrame(jsonl)):
        assert len(table) == len(expected)
        assert set(table["cause"]) == {"undefined_name"}
        for column in ("program_hash", "cache_key", "toolchain_version", "stderr", "cluster"):
            assert column in table.columns
        assert "key" not in table.columns  # the views' own columns stay behind
        assert not [c for c in table.columns if c.startswith("facet:")]
        noted = table[table["note"].notna()]
        assert noted["note"].tolist() == ["calls a function C does not have"]
        assert noted["note_author"].notna().all()
    assert csv.loc[csv["note"].notna(), "tags"].tolist() == ["Hallucinated Object"]
    assert list(parquet.loc[parquet["note"].notna(), "tags"].iloc[0]) == ["Hallucinated Object"]
    assert [r["tags"] for r in jsonl if r["note"]] == [["Hallucinated Object"]]
    assert f"{len(expected)} rows written" in browser.message.value


def test_export_refuses_an_unknown_format(store, tmp_path):
    browser = FailureBrowser(store)
    browser.export_path.value = str(tmp_path / "rows.xlsx")
    browser.export_button.click()
    assert "unknown" in browser.message.value and not (tmp_path / "rows.xlsx").exists()


def test_a_dataframe_source_browses_without_a_store(results):
    browser = FailureBrowser(results)
    assert len(browser.matches) == int((results["status"] != "passed").sum())
    browser.select(browser.rows.iloc[0]["key"])
    browser.save_note.click()
    assert "store" in browser.message.value  # notes need a store: said, not raised


def test_rows_come_in_task_number_order(store):
    browser = FailureBrowser(store, failures_only=False)
    browser.model.value = (REAL_MODEL,)
    browser.task.value = ("generation",)
    numbers = [int(t.split("/")[1]) for t in browser.matches["task_id"]]
    assert numbers == sorted(numbers) and numbers[:3] == [1, 2, 3]  # not C/1, C/10, C/11


def test_previous_and_next_walk_the_matching_samples_across_pages(store):
    browser = FailureBrowser(store, page_size=5)
    keys = browser.matches["key"].tolist()
    first = browser.next_sample()  # nothing chosen yet: the first match
    assert first["key"] == keys[0] and browser.position.value == f"1 of {len(keys)}"
    for expected in keys[1:7]:
        assert browser.next_sample()["key"] == expected
    assert browser.page == 1  # the seventh match is on the second page, which is shown
    assert browser.table_widget.value == keys[6]  # and highlighted in the list
    assert f"{browser.selected['task_id']} #" in browser.detail.value
    assert browser.previous_sample()["key"] == keys[5]
    browser.next_sample_button.click()
    assert browser.selected["key"] == keys[6]
    browser.select(keys[-1])
    assert browser.next_sample()["key"] == keys[-1]  # the last stays the last


def test_every_action_shows_the_busy_line_while_it_runs(store, tmp_path):
    browser = FailureBrowser(store)
    seen: list[tuple[str, bool]] = []
    browser.busy.observe(
        lambda change: seen.append((change["new"], browser.export_button.disabled)), names="value"
    )
    browser.export_path.value = str(tmp_path / "rows.csv")
    browser.export_button.click()
    assert (tmp_path / "rows.csv").is_file()
    assert "exporting" in seen[0][0] and 'class="spin"' in seen[0][0] and seen[0][1]
    assert seen[-1] == ("", False) and browser.busy.value == ""  # cleared, buttons back
    seen.clear()
    browser.cause.value = ("wrong_answer",)  # a filter
    assert "filtering" in seen[0][0] and seen[-1][0] == ""
    seen.clear()
    browser.table_widget.value = browser.rows.iloc[1]["key"]  # a click on a row
    assert "opening the sample" in seen[0][0] and seen[-1][0] == ""
    seen.clear()
    browser.save_note.click()
    assert "saving the note" in seen[0][0] and seen[-1][0] == ""


def test_tags_and_notes_are_filters_columns_and_searched(store):
    browser = FailureBrowser(store)
    first, second = browser.rows.iloc[0]["key"], browser.rows.iloc[3]["key"]
    browser.select(first)
    browser.annotate(tags=["Silly Mistake"], note="compares the wrong halves")
    browser.select(second)
    browser.annotate(tags=["Silly Mistake", "dataset-typo"], note="")
    # The list shows which samples carry notes and tags.
    labels = dict((key, label) for label, key in browser.table_widget.options)
    assert " ✎ [Silly Mistake] │" in labels[first]
    assert "[Silly Mistake, dataset-typo] │" in labels[second] and "✎" not in labels[second]
    # A tag is a filter, with its count; so is having a note.
    options = dict((value, label) for label, value in browser.tag.options)
    assert options["Silly Mistake"] == "Silly Mistake (2)"
    assert options["dataset-typo"] == "dataset-typo (1)"
    browser.tag.value = ("dataset-typo",)
    assert browser.matches["key"].tolist() == [second]
    browser.tag.value = ()
    browser.noted.value = ("with a note",)
    assert browser.matches["key"].tolist() == [first]
    browser.noted.value = ()
    # The note's text is found by the search.
    browser.search.value = "WRONG HALVES"
    assert browser.matches["key"].tolist() == [first]


def test_a_task_is_set_aside_from_the_browser_with_its_reason(store):
    from workbench.analysis.defects import defective_tasks
    from workbench.evaluation.task_defects import defect_marks

    browser = FailureBrowser(store)
    browser.select(("generation", "C/1", REAL_MODEL, 0))  # McEval's C/1: on the shipped list
    assert "is set aside as defective (registry)" in browser.detail.value
    browser.select(("generation", "C/2", REAL_MODEL, 0))
    assert "set aside as defective" not in browser.detail.value
    browser.defect_reason.value = "the test's expected value is wrong"
    browser.mark_button.click()
    assert browser.message.value == "task C/2 set aside as defective"
    assert "is set aside as defective (user, " in browser.detail.value
    assert "the test&#x27;s expected value is wrong" in browser.detail.value
    [mark] = defect_marks(store).to_dict("records")
    assert (mark["task_id"], mark["task"], mark["action"]) == ("C/2", None, "set_aside")
    assert "C/2" in set(defective_tasks(store)["task_id"])
    browser.restore_button.click()
    assert "set aside as defective" not in browser.detail.value
    browser.mark_button.click()  # no reason given: said, not raised
    assert "say why" in browser.message.value


def test_the_default_export_goes_to_the_outputs_folder(store):
    from workbench.paths import outputs_dir

    browser = FailureBrowser(store)
    assert browser.export_path.value == str(outputs_dir() / "failures.csv")
    browser.export_button.click()
    assert (outputs_dir() / "failures.csv").is_file()
