"""Speed of the health checks (docs/health.md) on the 100k-execution store of bench/analysis.py.

All six checks together, as ``workbench health`` runs them without the opt-in reruns: the store's
rows (``scored``), plus two ``control`` rows per language and task kind (copies of passing rows
under the model ``canonical``, as the runner stores its controls), and two of the store's
models renamed after models the paper publishes, so the ``published`` check compares ~10,000
verdicts each with the leaderboard. Usage: ``python bench/health.py [--store PATH] [--rows
100000] [--models 10] [--repeat 3]`` (an existing ``--store`` with rows is reused).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bench.analysis import ensure_store, store_options  # noqa: E402
from workbench.analysis.health import RULES, Thresholds, health, prepared, run_check  # noqa: E402
from workbench.evaluation.canonical import CANONICAL_MODEL  # noqa: E402
from workbench.evaluation.store import Store  # noqa: E402
from workbench.execution.records import CONTROL, ROW_KIND, SCORED  # noqa: E402

TARGET = 5.0  # seconds, all checks together, on the project's 2-core machine
PAPER_NAMES = ("OCTOCODER", "GPT-4o-240513")  # two store models renamed after paper models


def with_health_rows(results: pd.DataFrame) -> pd.DataFrame:
    """The store's rows as ``scored``, two controls per language and task kind, and the first
    models renamed after paper models."""
    models = sorted(results["model"].unique())
    renamed = results["model"].replace(dict(zip(models, PAPER_NAMES, strict=False)))
    scored = results.assign(model=renamed, **{ROW_KIND: SCORED})
    passing = scored[scored["status"] == "passed"]
    controls = passing.groupby(["language", "task", "subset"], dropna=False).head(2)
    controls = controls.assign(model=CANONICAL_MODEL, sample_index=0, **{ROW_KIND: CONTROL})
    return pd.concat([scored, controls], ignore_index=True)


def timed(function, *args) -> tuple[float, object]:
    started = time.perf_counter()
    value = function(*args)
    return time.perf_counter() - started, value


def main() -> None:
    args = store_options(__doc__.split("\n\n")[0]).parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        path = ensure_store(args, scratch)
        with Store(path) as store:
            loaded, results = timed(store.results)
        frame = with_health_rows(results)
        controls = int((frame[ROW_KIND] == CONTROL).sum())
        print(
            f"store: {len(results)} executions, {results['model'].nunique()} models, "
            f"{results['language'].nunique()} languages; loaded in {loaded:.2f} s; "
            f"+ {controls} control rows; models renamed: {', '.join(PAPER_NAMES)}"
        )
        times, findings = [], None
        for _ in range(args.repeat):
            seconds, findings = timed(health, frame)
            times.append(seconds)
        median = statistics.median(times)
        verdict = "ok" if median < TARGET else "OVER"
        runs = " ".join(f"{t:.2f}" for t in times)
        print(
            f"\nhealth(), all six checks: median {median:.2f} s (runs {runs}), "
            f"target {TARGET:.0f} s: {verdict}"
        )
        # The worst case of one_error: thresholds that let every group's failures be clustered.
        everything = Thresholds(one_error_share=0.0, one_error_min_tasks=1)
        worst = [timed(health, frame, None, everything)[0] for _ in range(args.repeat)]
        print(
            f"health(), every failure clustered: median {statistics.median(worst):.2f} s "
            f"(runs {' '.join(f'{t:.2f}' for t in worst)})"
        )
        print("\none run of each part:")
        seconds, ready = timed(prepared, frame)
        print(f"  {'prepared (task labels, causes)':32s} {seconds:6.2f} s")
        for rule in RULES:
            seconds, _ = timed(run_check, rule, ready)
            print(f"  {rule:32s} {seconds:6.2f} s")
        print(f"\n{len(findings)} findings:")
        for row in findings.itertuples(index=False):
            print(f"  {row.severity:7s} {row.rule:11s} {row.message[:150]}")


if __name__ == "__main__":
    main()
