"""The shipped paper data (data/paper) and the loaders for leaderboards and MultiPL-E results."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from workbench.errors import InputError, UnknownLanguageError
from workbench.inputs.paper import (
    LEADERBOARD_KINDS,
    LEADERBOARD_SOURCES,
    MULTIPLE_SOURCE,
    load_aliases,
    load_bigcode_board,
    load_leaderboard,
    load_leaderboard_avg,
    load_models,
    load_multiple_leaderboard,
    load_multiple_results,
    load_task_counts,
    model_key,
    multiple_language,
    paper_model,
    resolve_models,
    task_counts_for,
)
from workbench.ops import paper_data as build_paper_data
from workbench.registry.languages import language_names

PROJECT = Path(__file__).resolve().parents[2]
SHARED = PROJECT.parent / "shared"


def test_leaderboard_has_every_model_and_language() -> None:
    board = load_leaderboard()
    expected_models = {"generation": 22, "explanation": 13, "completion": 8}
    for task, subset in LEADERBOARD_KINDS:
        rows = board[
            (board["task"] == task)
            & (board["subset"].isna() if subset is None else board["subset"] == subset)
        ]
        assert rows["model"].nunique() == expected_models[task], (task, subset)
        assert set(rows["language"]) == set(language_names())
        assert rows.groupby("model").size().eq(40).all()
    assert board["pass_at_1"].between(0, 1).all()


def test_every_published_model_has_an_alias_and_a_size_group() -> None:
    board = load_leaderboard()
    models = set(load_models()["model"])
    for task, source in LEADERBOARD_SOURCES.items():
        names = board.loc[board["task"] == task, "source_model"].unique()
        resolution = resolve_models(names, source)
        assert resolution.unmatched == [], (task, resolution.unmatched)
        assert set(resolution.mapping.values()) <= models
    multiple = load_multiple_leaderboard()
    resolution = resolve_models(multiple["model"], MULTIPLE_SOURCE)
    assert resolution.unmatched == []
    assert set(resolution.mapping.values()) <= models


def test_alias_table_is_consistent() -> None:
    aliases = load_aliases()
    assert not aliases.duplicated(["source", "name"]).any()
    assert set(aliases["match"]) <= {"exact", "spelling", "approximate"}
    exact = aliases[aliases["match"] == "exact"]
    assert (exact["name"] == exact["model"]).all()
    # A judgement call must say why.
    approximate = aliases[aliases["match"] == "approximate"]
    assert (approximate["note"].str.len() > 10).all()


def test_a_store_model_is_matched_to_a_paper_model_case_and_punctuation_aside() -> None:
    assert model_key("DeepSeek-Coder-33b-instruct") == model_key("deepseek_coder_33B.Instruct")
    # A leaderboard's spelling, the canonical name, a Hugging Face id or its repository name
    # (how `workbench generate` names a model).
    for name in (
        "DeepSeek-Coder-33b-instruct",
        "deepseek-coder-33b-instruct",
        "DeepSeek-Coder-33B-Instruct",
        "deepseek-ai/deepseek-coder-33b-instruct",
    ):
        assert paper_model(name) == "DeepSeek-Coder-33B-Instruct", name
    assert paper_model("codellama/CodeLlama-7b-Instruct-hf") == "CodeLlama-7B-Instruct"
    assert paper_model("CodeLlama-7b-Instruct-hf") == "CodeLlama-7B-Instruct"
    assert paper_model("code-llama-7b") == "CodeLlama-7B"  # the base model, not the instruct
    for name in ("demo/hasty-coder", "canonical", "C", "MyCoder-1B"):
        assert paper_model(name) is None, name
    # A spelling two models share matches neither.
    aliases = pd.DataFrame(
        {"source": ["a", "b"], "name": ["Coder-7B", "coder_7b"], "model": ["X", "Y"]}
    )
    assert paper_model("CODER 7B", aliases) is None
    assert paper_model("X", aliases) == "X"


def test_unknown_names_are_reported_not_dropped() -> None:
    resolution = resolve_models(["OCTOCODER", "MyCoder-1B"], "mceval_generation")
    assert resolution.mapping == {"OCTOCODER": "OctoCoder-15B", "MyCoder-1B": "MyCoder-1B"}
    assert resolution.unmatched == ["MyCoder-1B"]


def test_generation_avg_is_the_plain_mean_over_languages() -> None:
    board = load_leaderboard("generation")
    means = board.groupby("source_model")["pass_at_1"].mean()
    avg = load_leaderboard_avg().query("task == 'generation'").set_index("model")["avg_published"]
    assert (means - avg.loc[means.index]).abs().max() < 0.0015


def test_task_counts_are_the_datasets() -> None:
    counts = load_task_counts()
    totals = counts.groupby(["task", "subset"], dropna=False)["n_tasks"].sum()
    by_kind = {(t, s if isinstance(s, str) else None): n for (t, s), n in totals.items()}
    assert by_kind == {
        ("generation", None): 2007,
        ("explanation", None): 2007,
        ("completion", "single"): 2998,
        ("completion", "multi"): 2998,
        ("completion", "span"): 4014,
        ("completion", "light"): 2007,
    }
    gen = task_counts_for("generation", None).set_index("language")["n_tasks"]
    assert (gen["Java"], gen["Rust"], gen["Dart"], gen["Python"]) == (53, 53, 51, 50)


@pytest.mark.skipif(
    not (SHARED / "paper" / "leaderboard").is_dir(), reason="../shared/paper not found"
)
def test_converter_reproduces_the_shipped_csvs(tmp_path: Path) -> None:
    paper = SHARED / "paper"
    leaderboard, avgs = build_paper_data.convert_leaderboards(paper)
    shipped = PROJECT / "data" / "paper"
    from workbench.figures.theme import write_csv

    write_csv(leaderboard, tmp_path / "leaderboard.csv")
    write_csv(avgs, tmp_path / "leaderboard_avg.csv")
    for name in ("leaderboard.csv", "leaderboard_avg.csv"):
        assert (tmp_path / name).read_bytes() == (shipped / name).read_bytes(), name
    for name in ("languages.csv", "multiple_bigcode_leaderboard.csv"):
        assert (paper / name).read_bytes() == (shipped / name).read_bytes(), name
    if (SHARED / "mceval" / "generation").is_dir():
        write_csv(build_paper_data.count_tasks(SHARED / "mceval"), tmp_path / "task_counts.csv")
        assert (tmp_path / "task_counts.csv").read_bytes() == (
            shipped / "task_counts.csv"
        ).read_bytes()


def test_multiple_leaderboard_is_fractions_with_humaneval_as_python() -> None:
    frame = load_multiple_leaderboard()
    assert frame["model"].nunique() == 16
    assert set(frame["language"]) == {
        "python",
        "java",
        "javascript",
        "cpp",
        "php",
        "julia",
        "lua",
        "r",
        "racket",
        "rust",
        "swift",
    }
    row = frame[(frame["model"] == "CodeLlama-34B-Instruct") & (frame["language"] == "python")]
    assert row["pass_at_1"].item() == pytest.approx(0.5079)


def test_bigcode_board_layout(tmp_path: Path) -> None:
    board = tmp_path / "code_eval_board.csv"
    board.write_text(
        "T,Models,Size (B),Win Rate,Throughput (tokens/s),Seq_length,#Languages,humaneval-python,"
        "java,javascript,cpp,php,julia,d,Average score,lua,r,racket,rust,swift,"
        "Throughput (tokens/s) bs=50,Peak Memory (MB),models_query,Links,Submission PR\n"
        "🟢,CodeLlama-34b,34,20.5,15.1,16384,86,45.11,40.19,41.66,41.42,40.43,31.4,21.1,33.89,"
        "37.49,22.71,16.94,38.73,35.28,1000,69000,CodeLlama-34b,https://x,\n"
        "🔶,tiny,1,1.0,100,2048,1,10.0,,,,,,,10.0,,,,,,1,1,tiny,https://y,#1\n"
    )
    tidy = load_bigcode_board(board)
    assert set(tidy.columns) == {"model", "language", "pass_at_1"}
    big = tidy[tidy["model"] == "CodeLlama-34b"].set_index("language")["pass_at_1"]
    assert big["python"] == pytest.approx(0.4511)
    assert big["d"] == pytest.approx(0.211)
    assert len(big) == 12  # 11 MultiPL-E languages + D; no "Average score" or throughput
    assert tidy[tidy["model"] == "tiny"]["language"].tolist() == ["python"]
    # The MultiPL-E loader reads the board too: every model of it.
    read = load_multiple_results(board)
    assert set(read["model"]) == {"CodeLlama-34b", "tiny"} and read["n_problems"].isna().all()
    pd.testing.assert_frame_equal(read.drop(columns="n_problems"), tidy)


def _problem(path: Path, language: str, outcomes: list[tuple[str, int]]) -> None:
    data = {
        "name": path.name.split(".")[0],
        "language": language,
        "temperature": 0.2,
        "results": [{"program": "...", "status": s, "exit_code": c} for s, c in outcomes],
    }
    text = json.dumps(data)
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text)


def test_multiple_result_directories(tmp_path: Path) -> None:
    lua = tmp_path / "humaneval-lua-mymodel-0.2-reworded"
    lua.mkdir()
    # 2 of 4 pass (status OK with a non-zero exit is a failure) and 1 of 1.
    _problem(
        lua / "HumanEval_0.results.json.gz",
        "lua",
        [("OK", 0), ("OK", 1), ("Exception", 1), ("OK", 0)],
    )
    _problem(lua / "HumanEval_1.results.json", "lua", [("OK", 0)])
    rkt = tmp_path / "humaneval-rkt-mymodel-0.2-reworded"
    rkt.mkdir()
    _problem(rkt / "HumanEval_0.results.json", "rkt", [("SyntaxError", 1)])
    one = load_multiple_results(lua)
    assert one["pass_at_1"].item() == pytest.approx((0.5 + 1.0) / 2)
    assert one["n_problems"].item() == 2
    assert one["model"].item() == "mymodel"
    both = load_multiple_results(tmp_path, model="mine").set_index("language")
    assert both.loc["racket", "pass_at_1"] == 0.0
    assert set(both["model"]) == {"mine"}


def test_multiple_json_layouts(tmp_path: Path) -> None:
    community = tmp_path / "community.json"
    community.write_text(
        json.dumps(
            {
                "results": [
                    {"task": "multiple-r", "pass@1": 0.39},
                    {"task": "humaneval", "pass@1": 0.73},
                    {"task": "multiple-js", "pass@1": 0.6},
                ],
                "meta": {"model": "m-a-p/OpenCodeInterpreter-DS-6.7B"},
            }
        )
    )
    frame = load_multiple_results(community).set_index("language")
    assert frame.loc["r", "pass_at_1"] == pytest.approx(0.39)
    assert frame.loc["python", "pass_at_1"] == pytest.approx(0.73)
    assert frame.loc["javascript", "model"] == "m-a-p/OpenCodeInterpreter-DS-6.7B"
    harness = tmp_path / "metrics.json"
    harness.write_text(json.dumps({"multiple-lua": {"pass@1": 0.25}, "config": {"model": "x/y"}}))
    frame = load_multiple_results(harness)
    assert frame[["model", "language", "pass_at_1"]].values.tolist() == [["x/y", "lua", 0.25]]
    empty = tmp_path / "empty.json"
    empty.write_text("{}")
    with pytest.raises(InputError):
        load_multiple_results(empty)


def test_multiple_language_names() -> None:
    assert [multiple_language(k) for k in ("humaneval-python", "rkt", "multiple-jl", "cpp")] == [
        "python",
        "racket",
        "julia",
        "cpp",
    ]
    with pytest.raises(UnknownLanguageError):
        multiple_language("cobol")


def test_missing_paper_data_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="shipped paper data not found"):
        load_leaderboard(data_dir=tmp_path)
    assert isinstance(load_models(), pd.DataFrame)
