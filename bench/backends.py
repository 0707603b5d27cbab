"""The Docker backend's cost per sample against the local backend, on the same canonical tasks,
in one run on one machine.

For the languages both backends serve (or ``--languages``), the first N generation canonical
solutions are evaluated by the local backend and by the Docker backend (a warm pool: its
containers and agents are started before the clock starts), alternately, ``--repeat`` times
each, with the same number of jobs. Prints the wall time of each run, the median per sample,
the Docker/local ratio and the overhead in ms per sample; the verdicts must be the same. The
pool's start (containers and agents) is shown apart: it is paid once per run, not per sample.
CPU time is measured too (this process and its children; for Docker, also the containers'
cgroups): on a machine that others load, wall time also measures how the kernel shares the CPU
between the engine's cgroups and everything else, and CPU time is the cost itself.

    python bench/backends.py [--limit 5] [--jobs 2] [--repeat 3] [--languages Python C]
                             [--image mceval-workbench:latest] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bench.common import mceval_data  # noqa: E402
from workbench.evaluation.backends import DockerBackend  # noqa: E402
from workbench.evaluation.containers import DEFAULT_IMAGE, image_record  # noqa: E402
from workbench.evaluation.runner import evaluate  # noqa: E402
from workbench.evaluation.verify import canonical_samples  # noqa: E402
from workbench.execution.toolchain import missing_tools  # noqa: E402
from workbench.inputs.tasks import load_tasks  # noqa: E402
from workbench.registry.languages import all_languages  # noqa: E402

KEYS = ["task_id", "model", "sample_index"]


class CpuMeter:
    """CPU seconds of this process and everything it starts, read from a cgroup of its own
    (root; cgroup v1 cpuacct or v2): a sandbox's processes killed before their parents reaped
    them never reach ``getrusage``'s children. Elsewhere, ``getrusage`` (an undercount)."""

    def __init__(self) -> None:
        self.group: Path | None = None
        v1, v2 = Path("/sys/fs/cgroup/cpuacct"), Path("/sys/fs/cgroup")
        base = v1 if (v1 / "cpuacct.usage").exists() else v2
        if os.geteuid() == 0 and (base / "cgroup.procs").exists():
            group = base / f"wb-bench-{os.getpid()}"
            try:
                group.mkdir(exist_ok=True)
                (group / "cgroup.procs").write_text(str(os.getpid()))
                self.group, self.base = group, base
            except OSError:
                self.group = None
        self.kind = "cgroup" if self.group else "getrusage (undercounts)"

    def seconds(self) -> float:
        if self.group is not None:
            usage = self.group / "cpuacct.usage"
            if usage.exists():
                return int(usage.read_text()) / 1e9
            stat = dict(line.split() for line in (self.group / "cpu.stat").read_text().splitlines())
            return int(stat["usage_usec"]) / 1e6
        me = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime

    def close(self) -> None:
        if self.group is not None:
            (self.base / "cgroup.procs").write_text(str(os.getpid()))
            self.group.rmdir()


def both_serve(image: str) -> list[str]:
    """Languages with a recipe whose toolchain is here and in ``image``."""
    record = image_record(image) or {"languages": {}}
    return [
        lang.name
        for lang in all_languages()
        if lang.has_recipe and not missing_tools(lang) and record["languages"].get(lang.name)
    ]


def run(which: str, args: argparse.Namespace, samples, tasks, meter: CpuMeter):  # noqa: ANN001
    """(pool start s, evaluation s, CPU s, results) of one run of ``which``: "local", or
    "docker" (a pool started before the clock). CPU: this process and what it starts, and for
    Docker the containers' own cgroups."""
    source = PROJECT / "workbench" if args.source else None
    t0 = time.perf_counter()
    backend = DockerBackend(args.image, args.jobs, source=source) if which == "docker" else which
    t1 = time.perf_counter()
    cpu0 = meter.seconds()
    results = evaluate(samples, tasks, jobs=args.jobs, backend=backend, progress=False, cache=False)
    seconds = time.perf_counter() - t1
    cpu = meter.seconds() - cpu0 + (backend.pool.cpu_seconds if which == "docker" else 0.0)
    return t1 - t0, seconds, cpu, results


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data", default=None)
    p.add_argument("--image", default=DEFAULT_IMAGE)
    p.add_argument("--limit", type=int, default=5, help="tasks per language")
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--repeat", type=int, default=3, help="timed runs of each backend")
    p.add_argument("--languages", nargs="+", default=None)
    p.add_argument(
        "--source",
        action="store_true",
        help="run this checkout's package in the containers (not the image's copy)",
    )
    p.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = p.parse_args(argv)
    data = mceval_data(args.data)
    languages = args.languages or both_serve(args.image)
    tasks = load_tasks(data, task="generation", languages=languages)
    tasks = tasks.groupby("language", sort=False).head(args.limit).reset_index(drop=True)
    samples = canonical_samples(tasks)
    n = len(samples)
    meter = CpuMeter()
    print(f"{n} samples: {args.limit} per language of {len(languages)}; jobs={args.jobs}")
    print(f"CPU time from: {meter.kind}")
    try:
        # Untimed warm-up of both: prebuilt templates, toolchain probes, the page cache.
        run("local", args, samples, tasks, meter)
        run("docker", args, samples, tasks, meter)
        times: dict[str, list[float]] = {"local": [], "docker": [], "pool_start": []}
        cpu: dict[str, list[float]] = {"local": [], "docker": []}
        verdicts: dict[str, pd.DataFrame] = {}
        for _ in range(args.repeat):
            for which in ("local", "docker"):
                start, seconds, used, verdicts[which] = run(which, args, samples, tasks, meter)
                times[which].append(seconds)
                cpu[which].append(used)
                if which == "docker":
                    times["pool_start"].append(start)
    finally:
        meter.close()
    return report(args, languages, n, times, cpu, verdicts)


def report(args, languages, n, times, cpu, verdicts) -> int:  # noqa: ANN001
    """Print (and with ``--json`` write) the numbers; 1 when the verdicts differ."""
    a, b = verdicts["local"], verdicts["docker"]
    both = a[KEYS + ["language", "status"]].merge(
        b[KEYS + ["status"]], on=KEYS, suffixes=("", "_d")
    )
    differ = both[both["status"] != both["status_d"]]
    median = {
        key: statistics.median(values)
        for key, values in {**times, **{f"{k} cpu": v for k, v in cpu.items()}}.items()
    }
    print(f"{'run':<11} " + " ".join(f"{i + 1:>7}" for i in range(args.repeat)) + "   median")
    for key, values in [*times.items(), *((f"{k} cpu", v) for k, v in cpu.items())]:
        print(f"{key:<11} " + " ".join(f"{t:7.1f}" for t in values) + f"   {median[key]:6.1f} s")
    ratio = median["docker"] / median["local"]
    cpu_ratio = median["docker cpu"] / median["local cpu"]
    overhead_ms = (median["docker"] - median["local"]) / n * 1000 * args.jobs
    print(
        f"\nwall per sample: local {median['local'] / n * 1000:.0f} ms, docker "
        f"{median['docker'] / n * 1000:.0f} ms ({args.jobs} jobs); docker/local = {ratio:.2f}; "
        f"overhead {overhead_ms:.0f} ms of a job's time per sample"
    )
    print(
        f"CPU per sample: local {median['local cpu'] / n * 1000:.0f} ms, docker "
        f"{median['docker cpu'] / n * 1000:.0f} ms; docker/local = {cpu_ratio:.2f}"
    )
    print(f"verdicts: {len(both) - len(differ)} of {len(both)} equal")
    # Where the time goes, per language: the steps' own seconds inside each sandbox.
    steps = {
        which: frame.assign(s=frame["compile_seconds"] + frame["run_seconds"])
        .groupby("language")["s"]
        .mean()
        for which, frame in verdicts.items()
    }
    print(f"\n{'language':<14} {'local ms':>9} {'docker ms':>9}  (mean step time per sample)")
    for language in languages:
        print(
            f"{language:<14} {steps['local'][language] * 1000:9.0f} "
            f"{steps['docker'][language] * 1000:9.0f}"
        )
    if not differ.empty:
        print(differ.to_string(index=False))
    if args.json:
        numbers = {
            "samples": n,
            "languages": languages,
            "jobs": args.jobs,
            "times": times,
            "cpu": cpu,
            "ratio": ratio,
            "cpu_ratio": cpu_ratio,
            "overhead_ms_per_sample": overhead_ms,
            "verdicts_differ": differ[KEYS + ["status", "status_d"]].to_dict("records"),
        }
        args.json.write_text(json.dumps(numbers, indent=1))
    return 0 if differ.empty else 1


if __name__ == "__main__":
    sys.exit(main())
