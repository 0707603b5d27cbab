"""Throughput of the workbench against the official evaluator's serial approach, on one machine.

For every installed language (toolchain found, recipe in the registry) the generation canonical
solutions are evaluated three ways, one after the other:

  (a) the workbench with all cores, a fresh store, ``cache=False``;
  (b) the same recipes serially, one sample at a time (``jobs=1``, ``cache=False``) — the official
      evaluator's approach;
  (c) the workbench again with a warm cache (the store of (a)).

It prints samples/s for each and the ratios (a)/(b) and (c)/(b) per language and overall, the
warm-cache rerun of all selected languages in one call, and the runner's peak RSS for a
100k-sample synthetic run (all cache hits, measured in a child process).

    python bench/throughput.py [--languages Python C] [--limit 10] [--jobs N] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from workbench.executor import missing_tools  # noqa: E402
from workbench.languages import get_language  # noqa: E402
from workbench.runner import evaluate  # noqa: E402
from workbench.samples import prepare  # noqa: E402
from workbench.tasks import default_data_dir, load_tasks  # noqa: E402


def canonical_samples(tasks: pd.DataFrame, model: str = "canonical") -> pd.DataFrame:
    """The canonical answers as a model would give them (as tests/test_canonical.py does)."""
    raw = [
        f"```\n{p}\n{c}\n```"
        for p, c in zip(tasks["prompt"], tasks["canonical_solution"], strict=True)
    ]
    return tasks[["task_id"]].assign(
        model=model,
        sample_index=0,
        completion=None,
        raw_generation=raw,
        source_file="canonical",
        source_line=range(1, len(tasks) + 1),
    )


def installed_languages(tasks: pd.DataFrame, wanted: list[str] | None) -> tuple[list[str], dict]:
    """Languages of ``tasks`` that can run here; the others with the reason."""
    names = sorted(set(tasks["language"]), key=str.lower)
    if wanted:
        names = [n for n in names if n in {get_language(w).name for w in wanted}]
    ready, skipped = [], {}
    for name in names:
        lang = get_language(name)
        if not lang.has_recipe:
            skipped[name] = "no recipe"
        elif missing := missing_tools(lang):
            skipped[name] = "missing " + ", ".join(missing)
        else:
            sub = tasks[tasks["language"] == name]
            try:
                prepare(canonical_samples(sub.head(5)), sub)
            except Exception as exc:  # noqa: BLE001 — a language the assembler cannot handle yet
                skipped[name] = f"cannot assemble: {type(exc).__name__}: {exc}"
                continue
            ready.append(name)
    return ready, skipped


def timed(samples: pd.DataFrame, tasks: pd.DataFrame, **kwargs) -> tuple[float, pd.DataFrame]:
    start = time.perf_counter()
    results = evaluate(samples, tasks, progress=False, **kwargs)
    return time.perf_counter() - start, results


def memory_child(n: int, store: Path) -> dict:
    """Peak RSS of evaluate over ``n`` synthetic samples that are all cache hits."""
    demo = PROJECT / "data" / "demo"
    tasks = load_tasks(demo, languages=["Python"])
    seed = canonical_samples(tasks)
    evaluate(seed, tasks, store=store, progress=False)  # the handful of programs, now stored
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    task_ids = list(seed["task_id"])
    raw = dict(zip(seed["task_id"], seed["raw_generation"], strict=True))
    ids = [task_ids[i % len(task_ids)] for i in range(n)]
    samples = pd.DataFrame(
        {
            "task_id": ids,
            "model": [f"synthetic-{i % 50}" for i in range(n)],
            "sample_index": [i // 50 for i in range(n)],
            "raw_generation": [raw[t] for t in ids],
            "completion": None,
            "source_file": "synthetic",
            "source_line": range(1, n + 1),
        }
    )
    start = time.perf_counter()
    results = evaluate(samples, tasks, store=store, progress=False)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "samples": n,
        "results": len(results),
        "cache_hits": int(results["cached"].sum()),
        "seconds": seconds,
        "rss_before_mb": base_rss / 1024,
        "peak_rss_mb": peak / 1024,
    }


def measure_memory(n: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [sys.executable, __file__, "--memory-child", str(n), "--store", f"{tmp}/m.duckdb"],
            capture_output=True,
            text=True,
        )
    if proc.returncode != 0:
        return {"error": proc.stderr[-2000:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data", default=None, help="McEval folder (default: MCEVAL_DATA/../shared)")
    p.add_argument("--languages", nargs="+", default=None)
    p.add_argument("--limit", type=int, default=None, help="tasks per language")
    p.add_argument("--jobs", type=int, default=None, help="cores for (a) and (c) (default: all)")
    p.add_argument("--memory-samples", type=int, default=100_000)
    p.add_argument("--no-memory", action="store_true", help="skip the 100k-sample memory run")
    p.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    p.add_argument("--memory-child", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--store", type=Path, default=None, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.memory_child is not None:
        print(json.dumps(memory_child(args.memory_child, args.store)))
        return 0

    data = args.data or default_data_dir()
    if data is None:
        print("McEval data not found: set MCEVAL_DATA or pass --data", file=sys.stderr)
        return 2
    tasks = load_tasks(data, task="generation")
    languages, skipped = installed_languages(tasks, args.languages)
    jobs = args.jobs or os.cpu_count() or 1
    print(f"machine: {os.cpu_count()} cores; (a)/(c) with jobs={jobs}; data: {data}")
    for name, why in skipped.items():
        print(f"  skipped {name}: {why}")
    rows, everything = [], []
    with tempfile.TemporaryDirectory(prefix="wb-bench-") as tmp:
        store = Path(tmp) / "bench.duckdb"
        for name in languages:
            sub = tasks[tasks["language"] == name]
            if args.limit:
                sub = sub.head(args.limit)
            samples = canonical_samples(sub)
            everything.append((samples, sub))
            ta, ra = timed(samples, sub, jobs=jobs, store=store, cache=False)
            tb, rb = timed(samples, sub, jobs=1, cache=False)
            tc, rc = timed(samples, sub, jobs=jobs, store=store, cache=True)
            same = (ra["status"].values == rb["status"].values).all()
            rows.append(
                {
                    "language": name,
                    "samples": len(samples),
                    "passed_a": int((ra["status"] == "passed").sum()),
                    "a_seconds": ta,
                    "b_seconds": tb,
                    "c_seconds": tc,
                    "verdicts_agree": bool(same),
                    "c_cache_hits": int(rc["cached"].sum()),
                }
            )
            r = rows[-1]
            print(
                f"  {name:<12} n={len(samples):<4} (a) {len(samples) / ta:7.2f}/s  "
                f"(b) {len(samples) / tb:7.2f}/s  (c) {len(samples) / tc:9.1f}/s",
                flush=True,
            )
            if not same:
                print(f"    note: (a) and (b) verdicts differ for {name}")
            del r
        all_samples = pd.concat([s for s, _ in everything], ignore_index=True)
        all_tasks = pd.concat([t for _, t in everything], ignore_index=True)
        t_all, r_all = (
            timed(all_samples, all_tasks, jobs=jobs, store=store, cache=True)
            if len(all_samples)
            else (0.0, pd.DataFrame({"cached": []}))
        )
    table = pd.DataFrame(rows)
    if table.empty:
        print("no installed language to measure")
        return 1
    total = table[["samples", "a_seconds", "b_seconds", "c_seconds"]].sum()
    table.loc[len(table)] = {
        "language": "OVERALL",
        **total.to_dict(),
        "passed_a": int(table["passed_a"].sum()),
        "verdicts_agree": bool(table["verdicts_agree"].all()),
        "c_cache_hits": int(table["c_cache_hits"].sum()),
    }
    for m in "abc":
        table[f"{m}_per_s"] = table["samples"] / table[f"{m}_seconds"]
    table["a/b"] = table["a_per_s"] / table["b_per_s"]
    table["c/b"] = table["c_per_s"] / table["b_per_s"]
    shown = table[
        ["language", "samples", "passed_a", "a_per_s", "b_per_s", "c_per_s", "a/b", "c/b"]
    ]
    print("\nsamples/s: (a) workbench, all cores   (b) serial, one at a time   (c) warm cache")
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(
        f"\nwarm-cache rerun of all {len(all_samples)} samples in one call: {t_all:.2f} s "
        f"({int(r_all['cached'].sum())} cache hits, {len(all_samples) / max(t_all, 1e-9):.0f}/s)"
    )
    report = {
        "cores": os.cpu_count(),
        "jobs": jobs,
        "languages": table.to_dict("records"),
        "skipped": skipped,
        "warm_all": {"samples": len(all_samples), "seconds": t_all},
    }
    if not args.no_memory:
        mem = measure_memory(args.memory_samples)
        report["memory"] = mem
        if "error" in mem:
            print(f"\nmemory run failed:\n{mem['error']}")
        else:
            print(
                f"\nrunner memory, {mem['samples']} synthetic samples ({mem['cache_hits']} cache "
                f"hits) in {mem['seconds']:.1f} s: peak RSS {mem['peak_rss_mb']:.0f} MB "
                f"(before the run {mem['rss_before_mb']:.0f} MB; limit 1024 MB)"
            )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
