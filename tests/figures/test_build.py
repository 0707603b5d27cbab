"""``workbench figures`` end to end: every shipped-data figure, byte-stable CSVs, and the figures
drawn from a results store through ``pass_at_k_table``."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from workbench.figures.build import build_figures
from workbench.figures.theme import THEME_NAME, register_theme

SHIPPED = {
    "per_language": 18,  # 6 task kinds x 3 size groups
    "categories": 12,  # 6 task kinds x (paradigm, scenario)
    "multiple": 1,
    "compare": 1,
}


@pytest.fixture(scope="module")
def shipped_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], str]:
    out = tmp_path_factory.mktemp("figures")
    no_data = out / "no-mceval-here"
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        paths = build_figures(out, data=no_data)
    return out, paths, buffer.getvalue()


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_every_shipped_figure_is_written(shipped_run: tuple[Path, list[Path], str]) -> None:
    out, paths, _ = shipped_run
    for folder, n in SHIPPED.items():
        svgs = sorted((out / folder).glob("*.svg"))
        assert len(svgs) == n, folder
        for svg in svgs:
            # Every picture has its PNG and the data behind it next to it.
            assert svg.with_suffix(".png").stat().st_size > 1000
            assert svg.with_suffix(".csv").is_file()
            assert svg.stat().st_size > 1000
    assert all(p.exists() for p in paths)
    assert (out / "categories" / "generation-paradigm.md").read_text().startswith("| model |")
    assert len(list((out / "categories").glob("*-table.csv"))) == 12


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_cli_prints_one_line_per_figure_and_the_skips(
    shipped_run: tuple[Path, list[Path], str],
) -> None:
    out, _, printed = shipped_run
    lines = printed.splitlines()
    wrote = [line for line in lines if line.startswith("wrote ")]
    assert len(wrote) == sum(SHIPPED.values())
    assert any("skipped dataset statistics" in line and "no-mceval-here" in line for line in lines)
    assert any(line.strip().startswith("11 models paired; unpaired:") for line in lines)


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_second_run_changes_no_csv_byte(shipped_run: tuple[Path, list[Path], str]) -> None:
    out, paths, _ = shipped_run
    tables = sorted(p for p in paths if p.suffix in (".csv", ".md"))
    before = {p: p.read_bytes() for p in tables}
    # CSVs do not depend on rendering: recompute them only, into the same folder.
    again = build_figures(out, data=out / "no-mceval-here", formats=("csv",), quiet=True)
    assert sorted(p for p in again if p.suffix in (".csv", ".md")) == tables
    assert {p: p.read_bytes() for p in tables} == before


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_figure_data_matches_the_leaderboard(
    shipped_run: tuple[Path, list[Path], str],
) -> None:
    out, _, _ = shipped_run
    table = pd.read_csv(out / "per_language" / "generation-closed-over-40b.csv")
    row = table[(table["model"] == "GPT-4o-240513") & (table["language"] == "Python")]
    assert row["pass_at_1"].item() == pytest.approx(0.76)  # code_generation.json: GPT-4o, Python
    import json

    source = (
        Path(__file__).resolve().parents[3]
        / "shared"
        / "paper"
        / "leaderboard"
        / "code_generation.json"
    )
    if source.is_file():
        published = {p["model"]: p for p in json.loads(source.read_text())["performances"]}
        assert row["pass_at_1"].item() == pytest.approx(published["GPT-4o-240513"]["Python"])
    assert set(table["size_group"]) == {"closed / >40B"}


@pytest.mark.slow  # `make check` leaves it out: seconds of real executions
def test_theme_is_registered_and_used(shipped_run: tuple[Path, list[Path], str]) -> None:
    out, _, _ = shipped_run
    register_theme()
    assert THEME_NAME in alt.theme.names()
    svg = (out / "multiple" / "mceval-vs-multiple.svg").read_text()
    assert "Serif" in svg or "serif" in svg


def _store(path: Path) -> Path:
    from workbench.evaluation.store import Store

    statuses = {
        ("base", "generation"): ["passed", "failed", "failed", "passed"],
        ("tuned", "generation"): ["passed", "passed", "failed", "passed"],
        ("base", "explanation"): ["failed", "passed", "toolchain_missing", "passed"],
    }
    levels = ["easy", "middle", "hard", None]
    with Store(path) as store:
        for (model, task), outcomes in statuses.items():
            for language in ("Python", "Java", "Rust"):
                for i, status in enumerate(outcomes):
                    store.put(
                        dict(
                            task=task,
                            task_id=f"{language}/{i}",
                            model=model,
                            sample_index=0,
                            language=language,
                            subset=None,
                            level=levels[i],
                            program_hash=f"h{i}",
                            cache_key=f"{model}{task}{language}{i}",
                            status=status,
                        )
                    )
    return path


def test_figures_from_a_results_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = _store(tmp_path / "results.duckdb")
    out = tmp_path / "figures"
    paths = build_figures(out, results=store, data=tmp_path / "none", formats=("csv",))
    results = out / "results"
    names = {p.relative_to(results).as_posix() for p in paths if results in p.parents}
    assert {
        "per_language/results-generation.csv",
        "per_language/results-explanation.csv",
        "categories/results-generation-paradigm.csv",
        "difficulty/difficulty-generation.csv",
        "difficulty/difficulty-explanation.csv",
        "compare/results-generation.csv",
    } <= names
    assert (
        "skipped results comparison for explanation: one model only (base)"
        in capsys.readouterr().out
    )
    compare = pd.read_csv(results / "compare" / "results-generation.csv").set_index(
        ["language", "model"]
    )
    assert compare.loc[("Python", "tuned"), "delta"] == pytest.approx(0.25)
    paradigm = pd.read_csv(results / "categories" / "results-generation-paradigm.csv")
    # Java (Object Oriented) pooled from its own 4 tasks.
    oo = paradigm[(paradigm["model"] == "base") & (paradigm["category"] == "Object Oriented")]
    assert (oo["n_tasks"].item(), oo["pass_at_1"].item()) == (4, 0.5)
    explanation = pd.read_csv(results / "per_language" / "results-explanation.csv")
    assert (
        explanation["pass_at_1"].round(6).tolist() == [round(2 / 3, 6)] * 3
    )  # toolchain_missing left out
    # The figures' numbers are pass_at_k_table's, as `workbench results` prints them.
    from workbench.analysis.passk import pass_at_k_table
    from workbench.figures.build import read_results

    executions = read_results(store)
    table = pass_at_k_table(executions[executions["task"] == "generation"])
    expected = table[table["language"] != "AVG"].set_index(["model", "language"])["pass_at_1"]
    drawn = pd.read_csv(results / "per_language" / "results-generation.csv")
    for row in drawn.itertuples():
        assert row.pass_at_1 == pytest.approx(expected[(row.model, row.language)], abs=1e-6)
    difficulty = pd.read_csv(results / "difficulty" / "difficulty-generation.csv")
    assert {"n_tasks", "pass_at_1", "pass_at_1_low", "pass_at_1_high"} <= set(difficulty.columns)


def test_results_figures_render(tmp_path: Path) -> None:
    from workbench.figures.build import read_results, results_figures

    frame = read_results(_store(tmp_path / "results.duckdb"))
    files = results_figures(
        tmp_path, frame, ("svg", "png", "csv"), lambda _line: None, "test store"
    )
    pngs = [p for f in files for p in f.paths if p.suffix == ".png"]
    assert len(pngs) == len(files) == 9  # 2 per-language, 4 categories, 2 difficulty, 1 comparison
    assert all(p.stat().st_size > 1000 for p in pngs)


def test_missing_store_is_an_error(tmp_path: Path) -> None:
    from workbench.errors import InputError

    with pytest.raises(InputError, match="no results store"):
        build_figures(
            tmp_path / "f",
            results=tmp_path / "nope.duckdb",
            data=tmp_path / "none",
            formats=("csv",),
            quiet=True,
        )
    assert not (tmp_path / "nope.duckdb").exists()
