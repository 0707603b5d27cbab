"""Throughput of the workbench against the official evaluator's serial approach, on one machine.

For every installed language (toolchain found, recipe in the registry) the generation canonical
solutions are evaluated, all in one run on the same machine:

  (a) the workbench with all cores and a fresh store (``cache=False``): per language on its own,
      and — the OVERALL row — all languages in one call, one global queue, as a user runs it
      (per-language caps for the JVM and GHC then leave the other cores to other languages);
  (b) the same recipes serially, one sample at a time (``jobs=1``, ``cache=False``) — the official
      evaluator's approach; serial runs do not interact, so OVERALL (b) is the sum of the
      languages' serial times;
  (c) the workbench again with a warm cache (the store of (a)); OVERALL is one call over every
      language, the "warm rerun of all 2007 tasks".

It prints samples/s for each and the ratios (a)/(b) and (c)/(b) per language and overall, how
many verdicts differ between the three uncached runs (flakiness), and the runner's peak RSS for a
100k-sample synthetic run (all cache hits, measured in a child process). Prebuilt dependencies
(workbench/execution/prebuilt.py) are built before any timing, as ``workbench toolchains install`` does;
warm compilers (workbench/execution/warm_compilers/pool.py) start inside every timed call, as they do for a user.

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

from bench.common import mceval_data  # noqa: E402
from workbench.evaluation.runner import evaluate  # noqa: E402
from workbench.evaluation.verify import canonical_samples as verify_samples  # noqa: E402
from workbench.execution.prebuilt import ensure_template  # noqa: E402
from workbench.execution.toolchain import missing_tools, toolchain_version  # noqa: E402
from workbench.inputs.tasks import load_tasks  # noqa: E402
from workbench.programs.prepare import prepare  # noqa: E402
from workbench.registry.languages import get_language  # noqa: E402


def canonical_samples(tasks: pd.DataFrame, model: str = "canonical") -> pd.DataFrame:
    """The canonical answers as ``workbench verify`` gives them (the reference answer for the
    languages judged by comparison), in the model-output form the runner reads."""
    answers = verify_samples(tasks)
    answers["model"] = model
    return answers


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


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (all cores, from /proc/stat)."""
    with open("/proc/stat") as handle:
        fields = [int(v) for v in handle.readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # minus idle, iowait


def timed(samples: pd.DataFrame, tasks: pd.DataFrame, **kwargs) -> tuple[float, pd.DataFrame]:
    start = time.perf_counter()
    results = evaluate(samples, tasks, progress=False, **kwargs)
    return time.perf_counter() - start, results


def measure_language(
    name: str, samples: pd.DataFrame, sub: pd.DataFrame, jobs: int, tmp: Path
) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    """(a), (b) and (c) for one language: its table row and the verdicts of (a) and (b)."""
    store = tmp / f"{name}.duckdb"
    cpu_a = busy_seconds()
    ta, ra = timed(samples, sub, jobs=jobs, store=store, cache=False)
    cpu_a = busy_seconds() - cpu_a
    cpu = busy_seconds()
    tb, rb = timed(samples, sub, jobs=1, cache=False)
    cpu = busy_seconds() - cpu
    tc, rc = timed(samples, sub, jobs=jobs, store=store, cache=True)
    print(
        f"  {name:<12} n={len(samples):<4} (a) {len(samples) / ta:7.2f}/s  "
        f"(b) {len(samples) / tb:7.2f}/s  (c) {len(samples) / tc:9.1f}/s",
        flush=True,
    )
    row = {
        "language": name,
        "samples": len(samples),
        "passed_a": int((ra["status"] == "passed").sum()),
        "a_seconds": ta,
        "b_seconds": tb,
        "c_seconds": tc,
        "c_cache_hits": int(rc["cached"].sum()),
        "b_cpu_seconds": cpu,
        "a_cpu_seconds": cpu_a,
    }
    return row, ra, rb


def memory_child(n: int, store: Path) -> dict:
    """Peak RSS of evaluate over ``n`` synthetic samples that are all cache hits."""
    demo = PROJECT / "data" / "demo"
    tasks = load_tasks(demo, languages=["Python"])
    seed = canonical_samples(tasks)
    evaluate(seed, tasks, store=store, progress=False)  # the handful of programs, now stored
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    task_ids = list(seed["task_id"])
    code = dict(zip(seed["task_id"], seed["completion"], strict=True))
    ids = [task_ids[i % len(task_ids)] for i in range(n)]
    samples = pd.DataFrame(
        {
            "task_id": ids,
            "model": [f"synthetic-{i % 50}" for i in range(n)],
            "sample_index": [i // 50 for i in range(n)],
            "raw_generation": None,
            "completion": [code[t] for t in ids],
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


def flaky(runs: dict[str, pd.Series]) -> dict[str, dict[str, str]]:
    """Tasks whose status differs between runs (each run: task_id -> status)."""
    frame = pd.DataFrame(runs)
    differ = frame.nunique(axis=1, dropna=False) > 1
    return {str(t): row.to_dict() for t, row in frame[differ].iterrows()}


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

    data = mceval_data(args.data)
    tasks = load_tasks(data, task="generation")
    languages, skipped = installed_languages(tasks, args.languages)
    jobs = args.jobs or os.cpu_count() or 1
    print(f"machine: {os.cpu_count()} cores; (a)/(c) with jobs={jobs}; data: {data}")
    for name, why in skipped.items():
        print(f"  skipped {name}: {why}")
    print("building prebuilt dependencies (not timed) ...", flush=True)
    t0 = time.perf_counter()
    for name in languages:
        lang = get_language(name)
        if lang.prebuilt:
            ensure_template(lang, toolchain_version(name))
    print(f"  done in {time.perf_counter() - t0:.1f} s", flush=True)
    rows, verdicts = [], {}
    subsets = {}
    for name in languages:
        sub = tasks[tasks["language"] == name]
        subsets[name] = sub.head(args.limit) if args.limit else sub
    if not subsets:
        print("no installed language to measure")
        return 1
    answers = {name: canonical_samples(sub) for name, sub in subsets.items()}
    all_samples = pd.concat(answers.values(), ignore_index=True)
    all_tasks = pd.concat(subsets.values(), ignore_index=True)
    # The machine's speed drifts by several percent within minutes. The one-queue run therefore
    # sits in the middle of the serial runs (half the languages before it, half after), so a
    # steady drift weighs on (a) and (b) alike instead of on whichever runs last.
    first, second = languages[0::2], languages[1::2]
    with tempfile.TemporaryDirectory(prefix="wb-bench-") as tmp:

        def per_language(names: list[str]) -> None:
            for name in names:
                row, ra, rb = measure_language(name, answers[name], subsets[name], jobs, Path(tmp))
                rows.append(row)
                verdicts.setdefault("a, per language", []).append(ra[["task_id", "status"]])
                verdicts.setdefault("b, serial", []).append(rb[["task_id", "status"]])

        per_language(first)
        all_store = Path(tmp) / "all.duckdb"
        print(f"  all {len(all_samples)} samples in one call, all cores ...", flush=True)
        cpu_all_a = busy_seconds()
        t_all_a, r_all_a = timed(all_samples, all_tasks, jobs=jobs, store=all_store, cache=False)
        cpu_all_a = busy_seconds() - cpu_all_a
        print(f"    {len(all_samples) / t_all_a:.2f}/s", flush=True)
        per_language(second)
        table = pd.DataFrame(rows).set_index("language").loc[languages].reset_index()
        verdicts["a, one queue"] = [r_all_a[["task_id", "status"]]]
        t_all_c, r_all_c = timed(all_samples, all_tasks, jobs=jobs, store=all_store, cache=True)
    table.loc[len(table)] = {
        "language": "OVERALL",
        "samples": len(all_samples),
        "passed_a": int((r_all_a["status"] == "passed").sum()),
        "a_seconds": t_all_a,
        "b_seconds": table["b_seconds"].sum(),
        "c_seconds": t_all_c,
        "c_cache_hits": int(r_all_c["cached"].sum()),
        "b_cpu_seconds": table["b_cpu_seconds"].sum(),
        "a_cpu_seconds": cpu_all_a,
    }
    for m in "abc":
        table[f"{m}_per_s"] = table["samples"] / table[f"{m}_seconds"]
    table["a/b"] = table["a_per_s"] / table["b_per_s"]
    table["c/b"] = table["c_per_s"] / table["b_per_s"]
    # A serial run of a multi-threaded toolchain (JVM, tsc, BEAM) already keeps more than one
    # core busy. (a)/(b) = (a_cores / b_cores) x (CPU of (b) / CPU of (a)): with the same CPU time
    # in both runs, it cannot exceed cores / b_cores; this machine's speed drift moves the second
    # factor by several percent either way.
    table["b_cores"] = table["b_cpu_seconds"] / table["b_seconds"]
    table["a/b_even"] = (os.cpu_count() or 1) / table["b_cores"].clip(lower=1e-9)
    table["a_cores"] = table["a_cpu_seconds"] / table["a_seconds"]
    table["cpu_b/a"] = table["b_cpu_seconds"] / table["a_cpu_seconds"].clip(lower=1e-9)
    shown = table[
        [
            "language",
            "samples",
            "passed_a",
            "a_per_s",
            "b_per_s",
            "c_per_s",
            "a/b",
            "c/b",
            "b_cores",
            "a/b_even",
            "a_cores",
            "cpu_b/a",
        ]
    ]
    print(
        "\nsamples/s: (a) workbench, all cores   (b) serial, one at a time   (c) warm cache\n"
        "b_cores, a_cores: cores the serial run and the workbench kept busy (whole machine,\n"
        "/proc/stat); a/b_even: cores / b_cores, the best (a)/(b) if both spent the same CPU time\n"
        "(a serial JVM already uses more than one core); cpu_b/a: CPU seconds of (b) over (a).\n"
        "(a)/(b) = a_cores / b_cores x cpu_b/a"
    )
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    overall = table.iloc[-1]
    print(
        f"\n(a)/(b) overall: {overall['a/b']:.2f} = {overall['a_cores']:.2f} / "
        f"{overall['b_cores']:.2f} cores x {overall['cpu_b/a']:.2f} CPU (b)/(a) "
        f"(at the same CPU time: at most {overall['a/b_even']:.2f} here)\n"
        f"warm-cache rerun of all "
        f"{len(all_samples)} samples in one call: {t_all_c:.2f} s "
        f"({int(overall['c_cache_hits'])} cache hits)"
    )
    runs = {
        name: pd.concat(frames).set_index("task_id")["status"] for name, frames in verdicts.items()
    }
    changed = flaky(runs)
    print(
        f"verdicts of the {len(runs)} uncached runs ({', '.join(runs)}): "
        f"{len(changed)} of {len(all_samples)} tasks differ"
    )
    for task_id, statuses in changed.items():
        print(f"  {task_id}: {statuses}")
    report = {
        "cores": os.cpu_count(),
        "jobs": jobs,
        "languages": table.to_dict("records"),
        "skipped": skipped,
        "warm_all": {"samples": len(all_samples), "seconds": t_all_c},
        "flaky": changed,
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
