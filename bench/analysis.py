"""Speed of the failure analysis on a 100k-execution results store.

The store holds real verdict shapes with synthetic volume: the demo's samples and the real C
outputs of the official McEval repository (``../shared/model-outputs/mceval-examples``:
generation, explanation stage 2, completion light) are evaluated once in the sandbox; their rows
are then replicated over many models and task variants, each copy's output varied (other line
numbers, values and quoted names, as other samples with the same error print), so templates and
clusters have to be found, not copied. Each measurement is a function of the ``Bench`` (the store
and its loaded results); ``MEASUREMENTS`` lists them with their targets. Usage:
``python bench/analysis.py [--rows 100000] [--models 10] [--store PATH] [--repeat 3]``
(an existing ``--store`` with rows is reused).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from workbench.analysis.compare_models import compare_models  # noqa: E402
from workbench.analysis.failure_modes import failure_modes  # noqa: E402
from workbench.evaluation.store import Store  # noqa: E402
from workbench.views.failure_browser import FailureBrowser  # noqa: E402
from workbench.views.report import write_report  # noqa: E402

REAL_OUTPUTS = PROJECT.parent / "shared" / "model-outputs" / "mceval-examples"
# What a failing sample printed, and what the cause rules took from it (when the store has them).
VARIED = ("stderr", "stdout", "reason", "error_line", "failing_check", "expected", "actual")
NAMES = [
    f"{a}_{b}" for a in ("count", "total", "idx", "buf", "node", "res") for b in ("x", "n", "tmp")
]


@dataclass
class Bench:
    """What every measurement gets: the store, its rows loaded once, and its models."""

    store: Path
    results: pd.DataFrame
    models: list[str]


def real_rows(folder: Path, jobs: int | None) -> pd.DataFrame:
    """Evaluate the demo and the real C outputs into ``folder/real.duckdb``; its rows."""
    from workbench.evaluation.runner import evaluate
    from workbench.inputs.samples import load_samples
    from workbench.inputs.tasks import load_tasks
    from workbench.ops.demo import DEMO_DATA

    path = folder / "real.duckdb"
    demo = load_samples(DEMO_DATA / "samples.jsonl")
    languages = sorted({t.split("/", 1)[0] for t in demo["task_id"]})
    runs = [(demo, load_tasks(DEMO_DATA, languages=languages))]
    for kind, subset in (("generation", None), ("explanation", None), ("completion", "light")):
        samples = load_samples(REAL_OUTPUTS / kind / "C.jsonl")
        runs.append((samples, load_tasks(None, task=kind, subset=subset, languages=["C"])))
    for samples, tasks in runs:
        evaluate(samples, tasks, store=path, jobs=jobs, progress=False, limits={"run_timeout": 5})
    with Store(path) as store:
        return store.results()


def vary(text: str, salt: int) -> str:
    """``text`` as another sample with the same error would print it: other numbers (lines,
    values) and other quoted names."""
    text = re.sub(r"\d+", lambda m: str((int(m.group()) * 7 + salt) % 997), text)
    return re.sub(
        r"([‘'`])([A-Za-z_]\w*)([’'])", lambda m: m[1] + NAMES[salt % len(NAMES)] + m[3], text
    )


def synthetic(real: pd.DataFrame, rows: int, n_models: int, seed: int = 0) -> pd.DataFrame:
    """``rows`` executions: ``n_models`` models over the same task variants (so they pair), each
    cell a real verdict of the same language drawn with the model's own pass rate."""
    rng = np.random.default_rng(seed)
    keys = real[["task", "task_id", "sample_index", "language"]].drop_duplicates()
    per_model = rows // n_models
    copies = -(-per_model // len(keys))
    grid = pd.concat([keys.assign(variant=j) for j in range(copies)], ignore_index=True)
    grid = grid.head(per_model)
    grid["task_id"] = grid["task_id"] + "~" + grid["variant"].astype(str)
    passed = real["status"].eq("passed").to_numpy()
    frames = []
    for k, rate in enumerate(np.linspace(0.25, 0.8, n_models)):
        chosen = np.empty(len(grid), dtype=int)
        for language, idx in grid.groupby("language").indices.items():
            same = real["language"].eq(language).to_numpy()
            good, bad = np.flatnonzero(same & passed), np.flatnonzero(same & ~passed)
            want_good = rng.random(len(idx)) < rate
            if not len(good) or not len(bad):
                want_good[:] = bool(len(good))
            pool_good = rng.choice(good, len(idx)) if len(good) else 0
            pool_bad = rng.choice(bad, len(idx)) if len(bad) else 0
            chosen[idx] = np.where(want_good, pool_good, pool_bad)
        frame = real.iloc[chosen].reset_index(drop=True)
        frame["task"] = grid["task"].to_numpy()
        frame["task_id"] = grid["task_id"].to_numpy()
        frame["sample_index"] = grid["sample_index"].to_numpy()
        frame["model"] = f"bench/model-{k:02d}"
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    failing = out.index[out["status"] != "passed"]
    salts = rng.integers(0, 10_000, len(failing))
    for column in VARIED:
        if column in out.columns:
            texts = out.loc[failing, column].tolist()
            out.loc[failing, column] = [
                t if not isinstance(t, str) else vary(t, int(s))
                for t, s in zip(texts, salts, strict=True)
            ]
    return out


def build_store(path: Path, rows: int, n_models: int, jobs: int | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        real = real_rows(Path(folder), jobs)
    print(f"real rows: {len(real)} ({real['status'].value_counts().to_dict()})")
    frame = synthetic(real, rows, n_models)
    with Store(path) as store:
        for start in range(0, len(frame), 20_000):
            store.put_many(frame.iloc[start : start + 20_000])


def measure_failure_modes(bench: Bench) -> None:
    failure_modes(bench.results, by=["language"])


def measure_failure_modes_by_model(bench: Bench) -> None:
    failure_modes(bench.results, by=["model", "language"])


def measure_compare_models(bench: Bench) -> None:
    compare_models(bench.results, bench.models[0], bench.models[-1])


# What the views' measurements work on, made once before the timings (``PREPARE``).
VIEWS: dict[str, Any] = {}
REPORT_FAILURES = 10_000


def open_browser(bench: Bench) -> None:
    """The FailureBrowser on the whole store, as a notebook opens it."""
    VIEWS["browser"] = FailureBrowser(bench.store)


def measure_browser_filter(bench: Bench) -> None:
    # One filter change: the model filter moves to another model (counts, rows and page follow).
    browser = VIEWS["browser"]
    first, second = (bench.models[0],), (bench.models[1],)
    browser.model.value = second if browser.model.value == first else first


def measure_browser_search(bench: Bench) -> None:
    # One search: plain text (any case) over answers and messages, alternating between two.
    browser = VIEWS["browser"]
    browser.search.value = "undeclared" if browser.search.value != "undeclared" else "assertion"


def report_store(bench: Bench) -> None:
    """A store of whole models' rows with exactly ``REPORT_FAILURES`` failing samples (the last
    model's failures cut), for ``workbench report``."""
    results = bench.results
    failing = results["status"] != "passed"
    per_model = failing.groupby(results["model"]).sum().loc[bench.models].cumsum()
    last = int((per_model < REPORT_FAILURES).sum())
    models = bench.models[: last + 1]
    rows = results[results["model"].isin(models)]
    cut = rows[(rows["model"] == models[-1]) & (rows["status"] != "passed")]
    over = int(per_model.iloc[last]) - REPORT_FAILURES
    rows = rows.drop(cut.index[len(cut) - over :]) if over > 0 else rows
    path = bench.store.with_name("report-10k.duckdb")
    path.unlink(missing_ok=True)
    with Store(path) as store:
        store.put_many(rows)
    VIEWS["report_store"], VIEWS["report"] = path, bench.store.with_name("report-10k.html")
    failing_rows = int((rows["status"] != "passed").sum())
    print(f"  report store: {len(rows)} executions, {failing_rows} failing")


def measure_report(bench: Bench) -> None:
    write_report(VIEWS["report_store"], VIEWS["report"])


# Run once before the timings, each printed with its time.
PREPARE: list[tuple[str, Callable[[Bench], None]]] = [
    ("FailureBrowser opened on the store", open_browser),
    (f"a store with {REPORT_FAILURES} failures for the report", report_store),
]

# (name, function, target seconds on the project's 2-core machine)
MEASUREMENTS: list[tuple[str, Callable[[Bench], None], float]] = [
    ("failure_modes by language", measure_failure_modes, 10.0),
    ("failure_modes by model and language", measure_failure_modes_by_model, 10.0),
    ("compare_models, two models", measure_compare_models, 5.0),
    ("FailureBrowser filter change", measure_browser_filter, 0.5),
    ("FailureBrowser text search", measure_browser_search, 0.5),
    (f"workbench report, {REPORT_FAILURES} failures", measure_report, 60.0),
]


def store_options(description: str) -> argparse.ArgumentParser:
    """The options of a benchmark on the 100k store: its size, where to keep it, repeats."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--models", type=int, default=10)
    p.add_argument("--store", type=Path, default=None, help="keep (or reuse) the store here")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--jobs", type=int, default=None, help="parallel executions of the real rows")
    return p


def ensure_store(args: argparse.Namespace, scratch: str) -> Path:
    """``--store`` (or a store in ``scratch``), built first when it is missing or empty."""
    path = args.store or Path(scratch) / "bench.duckdb"
    if not path.exists() or Store(path).count() == 0:
        started = time.perf_counter()
        build_store(path, args.rows, args.models, args.jobs)
        print(f"built {path} in {time.perf_counter() - started:.1f} s")
    return path


def main() -> None:
    args = store_options(__doc__.split("\n\n")[0]).parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = ensure_store(args, scratch)
        started = time.perf_counter()
        with Store(path) as store:
            results = store.results()
        loaded = time.perf_counter() - started
        failing = int((results["status"] != "passed").sum())
        print(
            f"store: {len(results)} executions, {failing} not passed, "
            f"{results['model'].nunique()} models, {results['language'].nunique()} languages; "
            f"loaded in {loaded:.2f} s"
        )
        bench = Bench(path, results, sorted(results["model"].unique()))
        for name, prepare in PREPARE:
            started = time.perf_counter()
            prepare(bench)
            print(f"{name}: {time.perf_counter() - started:.1f} s")
        print(f"\n{'measurement':40s} {'median s':>9s} {'runs s':>20s} {'target s':>9s}")
        for name, measure, target in MEASUREMENTS:
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                measure(bench)
                times.append(time.perf_counter() - started)
            runs = " ".join(f"{t:.2f}" for t in times)
            median = statistics.median(times)
            verdict = "ok" if median < target else "OVER"
            print(f"{name:40s} {median:9.2f} {runs:>20s} {target:9.1f} {verdict}")
        report = VIEWS["report"]
        print(f"\nreport: {report.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
