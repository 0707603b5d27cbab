"""Cost per sample at the toolchain floor: the workbench against the bare toolchain commands.

For every installed language the generation canonical solutions (as ``workbench verify`` builds
them) run, in one run on the same machine:

  bare  serially, with the command a user would type (``BARE`` below): one compile and one run
        in a plain temporary folder, no sandbox, no check steps, no warm compiler;
  wb1   through the workbench with ``jobs=1`` and a fresh store (``cache=False``).

It prints CPU-seconds per sample for both and their ratio (wb1 / bare), per language and
overall. CPU is the bench process's own rusage (the workbench's runner threads; the loop that
starts the bare commands) plus its children's: every sandbox, compiler and program, including
warm compilers, whose orphaned processes this process reaps as a child subreaper. Wall time
does not enter the ratio: other work on the machine stretches it, CPU time much less.

The same table holds the sandbox's fixed cost per step: ``run_confined(["true"])`` against a
plain ``true``.

Then the figure a user sees: all languages in one ``evaluate`` call on all cores against the
bare serial run's wall time (the throughput gained over running the toolchains one by one, as
the official evaluator does). That call sits between the two halves of the per-language runs,
so a drift of the machine's speed weighs on both sides alike.

    python bench/floor.py [--languages Python C] [--limit 10] [--json out.json] [--no-throughput]
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bench.common import mceval_data  # noqa: E402
from workbench.evaluation.runner import evaluate  # noqa: E402
from workbench.evaluation.verify import canonical_samples  # noqa: E402
from workbench.execution.prebuilt import ensure_template  # noqa: E402
from workbench.execution.registry_files import place_files  # noqa: E402
from workbench.execution.sandbox import RunLimits, run_confined  # noqa: E402
from workbench.execution.toolchain import missing_tools, toolchain_version  # noqa: E402
from workbench.execution.workfolder import work_folder  # noqa: E402
from workbench.inputs.tasks import load_tasks  # noqa: E402
from workbench.paths import package_file, search_path  # noqa: E402
from workbench.programs.prepare import prepare  # noqa: E402
from workbench.registry.languages import get_language  # noqa: E402


@dataclass(frozen=True)
class Bare:
    """The commands a user would type for one program of a language, in order.

    ``{source}`` and ``{stem}`` are the program's file name and its stem; ``{dir}`` is the
    folder the commands run in; ``{tool:NAME}`` is the executable NAME found next to the real
    path of ``tools[NAME]`` on PATH (the npm Kotlin compiler's ``kotlinc`` beside
    ``kotlinc-js``). ``env`` adds to the environment; ``cache`` names variables pointing at a
    folder kept for the whole loop (a user's warm build cache). The rest prepares the folder
    outside the timing: ``prepend`` (a registry file put before the program), ``rewrite`` (a
    regex substitution of the program), ``mirror`` (folders that also get the support files),
    ``reference`` (the task's reference command, written to this file: AWK).
    """

    steps: tuple[tuple[str, ...], ...]
    env: dict[str, str] = field(default_factory=dict)
    cache: tuple[str, ...] = ()
    tools: dict[str, str] = field(default_factory=dict)
    prepend: tuple[str, str] | None = None  # (registry file, file the steps compile)
    rewrite: tuple[str, str] | None = None
    mirror: tuple[str, ...] = ()
    reference: str | None = None


JVM_HOME = {"JAVA_HOME": "/usr/lib/jvm/java-17-openjdk-amd64"}

# What a user types to compile and run one file, with the options the tests need to mean
# anything (assertions on, the C standard library's math, the language level the tasks are
# written in) and the recipe's optimisation level for the compiled languages (it decides how
# long a test runs; the recipe's other flags are the workbench's business and show in the
# ratio). Kept here, not in the registry: it is this benchmark's reference point, and the
# registry holds what the workbench runs (its bytes are part of every cache key).
BARE: dict[str, Bare] = {
    "AWK": Bare(
        (("bash", "reference.sh"), ("bash", "{source}")),
        mirror=("data/AWK",),
        reference="reference.sh",
    ),
    "C": Bare((("gcc", "-std=gnu11", "-O1", "{source}", "-o", "main", "-lm"), ("./main",))),
    "C#": Bare(
        (
            (
                "mcs",
                "-define:DEBUG",
                "-define:TRACE",
                "-r:System.Numerics.dll",
                "-out:main.exe",
                "build.cs",
            ),
            ("mono", "main.exe"),
        ),
        env={"MONO_TRACE_LISTENER": "Console.Error"},
        prepend=("c-sharp/usings.cs", "build.cs"),
    ),
    "CoffeeScript": Bare((("coffee", "{source}"),)),
    "Common Lisp": Bare(
        (("sbcl", "--script", "{source}"),), mirror=("../data/Common Lisp", "data/Common Lisp")
    ),
    "CPP": Bare((("g++", "-std=gnu++17", "-O1", "{source}", "-o", "main", "-lm"), ("./main",))),
    "Elixir": Bare((("elixir", "{source}"),)),
    "Emacs Lisp": Bare((("emacs", "--batch", "-Q", "-l", "./{source}"),)),
    "Erlang": Bare(
        (("erlc", "{source}"), ("erl", "-noshell", "-s", "{stem}", "test", "-s", "erlang", "halt"))
    ),
    "Fortran": Bare(
        (("gfortran", "-O1", "-ffree-line-length-none", "{source}", "-o", "main"), ("./main",)),
        # McEval's field order puts the canonical's `end program` before the test's program.
        rewrite=(r"(?ims)\A(.*?^[ \t]*end[ \t]*program\b[^\n]*\n)(\s*program\b.*)\Z", r"\2\n\1"),
    ),
    "Go": Bare(
        (("go", "test", "-count=1", "{source}"),),
        # Debian's testify, found through GOPATH (the task's go.mod names a module proxy).
        env={"GO111MODULE": "off", "GOPATH": "/usr/share/gocode", "GOTOOLCHAIN": "local"},
        cache=("GOCACHE",),
    ),
    "Groovy": Bare((("groovy", "{source}"),), env=JVM_HOME),
    "Haskell": Bare((("ghc", "-o", "main", "{source}"), ("./main",))),
    # The source launcher: one JVM compiles the file in memory and runs its first class.
    "Java": Bare((("java", "-ea", "{source}"),)),
    "JavaScript": Bare((("node", "{source}"),)),
    "Kotlin": Bare(
        (("{tool:kotlinc}", "-script", "{source}"),),
        env=JVM_HOME,
        tools={"kotlinc": "kotlinc-js"},
    ),
    "Lua": Bare((("lua5.4", "{source}"),)),
    "Pascal": Bare((("fpc", "{source}"), ("./{stem}",))),
    "Perl": Bare((("perl", "{source}"),)),
    "PHP": Bare((("php", "-d", "zend.assertions=1", "-d", "assert.exception=1", "{source}"),)),
    "Python": Bare((("python3", "{source}"),)),
    "R": Bare((("Rscript", "{source}"),)),
    "Racket": Bare((("racket", "{source}"),)),
    "Ruby": Bare((("ruby", "{source}"),)),
    "Rust": Bare(
        (("cargo", "test", "--offline", "-q"),),
        # The crates come from Debian's registry (the task's Cargo.lock pins crates that cannot
        # be fetched); the target folder is kept across the loop, as a user's is.
        env={"CARGO_HOME": "{dir}/.cargo"},
        cache=("CARGO_TARGET_DIR",),
    ),
    "Scala": Bare((("scalac", "{source}"), ("scala", "-nc", "-cp", ".", "{stem}"))),
    "Scheme": Bare((("racket", "{source}"),)),
    "Shell": Bare((("bash", "{source}"),)),
    "Tcl": Bare((("tclsh", "{source}"),)),
    "TypeScript": Bare(
        (("tsc", "--target", "es2022", "--lib", "es2022,dom", "{source}"), ("node", "{stem}.js"))
    ),
    "VimScript": Bare((("vim", "-Es", "-N", "-u", "NONE", "-i", "NONE", "-n", "-S", "{source}"),)),
}
BARE_TIMEOUT = 300.0


# --- CPU accounting ---------------------------------------------------------------------------


def become_subreaper() -> bool:
    """Adopt orphaned descendants (PR_SET_CHILD_SUBREAPER), so a warm compiler's processes,
    killed after their sandbox's monitor, are reaped here and counted in RUSAGE_CHILDREN."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def reap_orphans(wait: float = 5.0) -> None:
    """Reap every exited descendant adopted by this process (their CPU joins RUSAGE_CHILDREN)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.01)


def cpu_now() -> tuple[float, float]:
    """CPU seconds of this process (all threads) and of its reaped descendants."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


@dataclass
class Cost:
    """CPU and wall seconds of one measured block."""

    own: float = 0.0
    children: float = 0.0
    wall: float = 0.0

    @property
    def cpu(self) -> float:
        return self.own + self.children


@contextmanager
def measured() -> Iterator[Cost]:
    cost = Cost()
    own, kids = cpu_now()
    start = time.perf_counter()
    yield cost
    reap_orphans()
    cost.wall = time.perf_counter() - start
    own2, kids2 = cpu_now()
    cost.own, cost.children = own2 - own, kids2 - kids


# --- the bare commands ------------------------------------------------------------------------


def _reachable(folder: str) -> bool:
    path = Path(folder)
    return path.is_dir() and all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents])


def visible_path() -> str:
    """The search path without the folders the sandbox's throw-away uid cannot enter (a root's
    pyenv shims under /root): the bare commands find the same executables as the sandbox."""
    return os.pathsep.join(d for d in search_path().split(os.pathsep) if _reachable(d))


def _tool(name: str, anchor: str) -> str:
    found = shutil.which(anchor, path=visible_path())
    if not found:
        return name
    return str(Path(found).resolve().parent / name)


def prepare_bare(row: dict, bare: Bare, workdir: Path) -> str:
    """Lay out one program as a user would have it; returns the source file name."""
    language = get_language(row["language"])
    support = row.get("support_dir")
    if isinstance(support, str) and Path(support).is_dir():
        shutil.copytree(support, workdir, dirs_exist_ok=True)
        for target in bare.mirror:
            shutil.copytree(support, workdir / target, dirs_exist_ok=True)
    else:
        workdir.mkdir(parents=True, exist_ok=True)
    place_files(language, workdir)  # the registry's manifests (Rust's Cargo.toml, config.toml)
    program = row["program"]
    if bare.rewrite:
        program = re.sub(bare.rewrite[0], bare.rewrite[1], program, count=1)
    source = language.source_name(program)
    (workdir / source).parent.mkdir(parents=True, exist_ok=True)
    (workdir / source).write_text(program, encoding="utf-8")
    if bare.prepend:
        head = package_file("registry", *bare.prepend[0].split("/")).read_text(encoding="utf-8")
        (workdir / bare.prepend[1]).write_text(head + program, encoding="utf-8")
    if bare.reference:
        reference = row.get("canonical_solution") or ""
        (workdir / bare.reference).write_text(reference.strip() + "\n", encoding="utf-8")
    return source


def run_bare(row: dict, bare: Bare, caches: Path) -> bool:
    """Run one program with the bare commands; True when every command exits 0 (and, with a
    reference, the outputs agree)."""
    with tempfile.TemporaryDirectory(prefix="wb-floor-") as tmp:
        workdir = Path(tmp) / "box"
        source = prepare_bare(row, bare, workdir)
        stem = Path(source).stem

        def fill(arg: str) -> str:
            arg = arg.replace("{source}", source).replace("{stem}", stem)
            arg = arg.replace("{dir}", str(workdir))
            for name, anchor in bare.tools.items():
                arg = arg.replace(f"{{tool:{name}}}", _tool(name, anchor))
            return arg

        home = caches / "home"  # kept for the whole loop, as a user's is
        home.mkdir(exist_ok=True)
        env = {"PATH": visible_path(), "HOME": str(home), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
        env.update({k: fill(v) for k, v in bare.env.items()})
        for name in bare.cache:
            env[name] = str(caches / name)
        outputs = []
        for step in bare.steps:
            try:
                done = subprocess.run(
                    [fill(a) for a in step],
                    cwd=workdir,
                    env=env,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    timeout=BARE_TIMEOUT,
                )
            except subprocess.TimeoutExpired:
                return False
            if done.returncode != 0:
                return False
            outputs.append(done.stdout)
        if bare.reference:
            return sorted(outputs[0].splitlines()) == sorted(outputs[-1].splitlines())
        return True


# --- measurements -----------------------------------------------------------------------------


def sandbox_cost(steps: int) -> dict[str, float]:
    """CPU and wall milliseconds per step: ``true`` in the sandbox and bare."""
    limits = RunLimits(10.0, 2048, 256, 1 << 20, 64)
    result = {}
    with work_folder() as tmp:
        box = Path(tmp) / "box"
        box.mkdir()
        run_confined(["true"], box, limits)  # the first start probes the machine
        with measured() as sandboxed:
            for _ in range(steps):
                run_confined(["true"], box, limits)
        with measured() as plain:
            for _ in range(steps):
                subprocess.run(["true"], cwd=box, stdin=subprocess.DEVNULL, capture_output=True)
    for name, cost in (("sandbox", sandboxed), ("bare", plain)):
        result[f"{name}_cpu_ms"] = 1000 * cost.cpu / steps
        result[f"{name}_own_ms"] = 1000 * cost.own / steps
        result[f"{name}_wall_ms"] = 1000 * cost.wall / steps
    return result


def measure_language(
    name: str, rows: list[dict], samples: pd.DataFrame, tasks: pd.DataFrame, tmp: Path
) -> dict:
    """The bare loop, then the workbench with jobs=1, over the same canonical programs."""
    bare = BARE[name]
    caches = tmp / f"caches-{name}"
    caches.mkdir()
    # One untimed sample on each side first: the page cache, a user's warm build cache (Go's
    # testify, Rust's crates), the workbench's staged registry files.
    run_bare(rows[0], bare, caches)
    evaluate(samples.head(1), tasks, jobs=1, progress=False, cache=False)
    with measured() as bare_cost:
        bare_ok = sum(run_bare(row, bare, caches) for row in rows)
    with measured() as wb_cost:
        results = evaluate(
            samples, tasks, jobs=1, store=tmp / f"{name}.duckdb", cache=False, progress=False
        )
    n = len(rows)
    row = {
        "language": name,
        "samples": n,
        "bare_ok": bare_ok,
        "wb_passed": int((results["status"] == "passed").sum()),
        "bare_cpu": bare_cost.cpu,
        "wb_cpu": wb_cost.cpu,
        "wb_own": wb_cost.own,
        "bare_wall": bare_cost.wall,
        "wb1_wall": wb_cost.wall,
    }
    print(
        f"  {name:<12} n={n:<3} bare {1000 * bare_cost.cpu / n:8.1f} ms  "
        f"workbench {1000 * wb_cost.cpu / n:8.1f} ms CPU/sample  "
        f"x{wb_cost.cpu / max(bare_cost.cpu, 1e-9):.2f}",
        flush=True,
    )
    return row


def installed(tasks: pd.DataFrame, wanted: list[str] | None) -> tuple[list[str], dict[str, str]]:
    names = sorted(set(tasks["language"]), key=str.lower)
    if wanted:
        names = [n for n in names if n in {get_language(w).name for w in wanted}]
    ready, skipped = [], {}
    for name in names:
        language = get_language(name)
        if not language.has_recipe:
            skipped[name] = "no recipe here"
        elif missing := missing_tools(language):
            skipped[name] = "missing " + ", ".join(missing)
        elif name not in BARE:
            skipped[name] = "no toolchain command: compared with the reference in Python"
        else:
            ready.append(name)
    return ready, skipped


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data", default=None, help="McEval folder (default: MCEVAL_DATA/../shared)")
    p.add_argument("--languages", nargs="+", default=None)
    p.add_argument("--limit", type=int, default=None, help="tasks per language")
    p.add_argument("--jobs", type=int, default=None, help="cores of the one-queue run")
    p.add_argument("--sandbox-steps", type=int, default=200)
    p.add_argument("--no-throughput", action="store_true", help="skip the all-cores run")
    p.add_argument("--json", type=Path, default=None, help="also write the numbers here")
    args = p.parse_args(argv)
    data = mceval_data(args.data)
    subreaper = become_subreaper()
    tasks = load_tasks(data, task="generation")
    languages, skipped = installed(tasks, args.languages)
    jobs = args.jobs or os.cpu_count() or 1
    print(
        f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; data: {data}; "
        f"orphans reaped here: {'yes' if subreaper else 'NO (warm compilers undercounted)'}"
    )
    for name, why in skipped.items():
        print(f"  skipped {name}: {why}")
    if not languages:
        print("no installed language to measure")
        return 1
    for name in languages:  # built before any timing, as `workbench toolchains install` does
        language = get_language(name)
        if language.prebuilt:
            ensure_template(language, toolchain_version(name))
    sandbox = sandbox_cost(args.sandbox_steps)
    subsets, samples, rows = {}, {}, {}
    for name in languages:
        sub = tasks[tasks["language"] == name]
        sub = sub.head(args.limit) if args.limit else sub
        subsets[name] = sub.reset_index(drop=True)
        answers = canonical_samples(subsets[name])
        answers["model"] = "canonical"
        samples[name] = answers
        rows[name] = prepare(answers, subsets[name]).to_dict("records")
    table: list[dict] = []
    queue: dict[str, float] = {}
    first, second = languages[0::2], languages[1::2]
    with tempfile.TemporaryDirectory(prefix="wb-floor-") as tmp:
        for name in first:
            table.append(
                measure_language(name, rows[name], samples[name], subsets[name], Path(tmp))
            )
        if not args.no_throughput:
            every = pd.concat([samples[n] for n in languages], ignore_index=True)
            all_tasks = pd.concat([subsets[n] for n in languages], ignore_index=True)
            print(f"  all {len(every)} samples in one call, jobs={jobs} ...", flush=True)
            with measured() as one_queue:
                results = evaluate(
                    every,
                    all_tasks,
                    jobs=jobs,
                    store=Path(tmp) / "all.duckdb",
                    cache=False,
                    progress=False,
                )
            queue = {
                "samples": len(every),
                "passed": int((results["status"] == "passed").sum()),
                "wall": one_queue.wall,
                "cpu": one_queue.cpu,
            }
        for name in second:
            table.append(
                measure_language(name, rows[name], samples[name], subsets[name], Path(tmp))
            )
    frame = pd.DataFrame(table).set_index("language").loc[languages].reset_index()
    total = frame[["samples", "bare_ok", "wb_passed", "bare_cpu", "wb_cpu", "wb_own"]].sum()
    total["bare_wall"], total["wb1_wall"] = frame["bare_wall"].sum(), frame["wb1_wall"].sum()
    frame.loc[len(frame)] = {"language": "OVERALL", **total.to_dict()}
    frame["bare_ms"] = 1000 * frame["bare_cpu"] / frame["samples"]
    frame["wb_ms"] = 1000 * frame["wb_cpu"] / frame["samples"]
    frame["harness_ms"] = 1000 * frame["wb_own"] / frame["samples"]
    frame["ratio"] = frame["wb_cpu"] / frame["bare_cpu"].clip(lower=1e-9)
    columns = ["language", "samples", "bare_ok", "wb_passed", "bare_ms", "wb_ms", "harness_ms"]
    shown = frame[[*columns, "ratio"]].copy()
    # The sandbox's fixed cost: one step of `true` confined against a plain `true`.
    shown.loc[len(shown)] = {
        "language": "sandbox step",
        "samples": args.sandbox_steps,
        "bare_ok": args.sandbox_steps,
        "wb_passed": args.sandbox_steps,
        "bare_ms": sandbox["bare_cpu_ms"],
        "wb_ms": sandbox["sandbox_cpu_ms"],
        "harness_ms": sandbox["sandbox_own_ms"],
        "ratio": sandbox["sandbox_cpu_ms"] / max(sandbox["bare_cpu_ms"], 1e-9),
    }
    print(
        "\nCPU per sample (ms): bare = the user's command, serially, no sandbox; wb = the\n"
        "workbench with jobs=1 (its runner's own CPU included, shown apart as harness_ms);\n"
        "ratio = wb / bare. bare_ok: samples whose bare commands all exited 0. The last row is\n"
        "one sandboxed step of `true` against a plain `true` (harness_ms: the runner's part)."
    )
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    print(
        f"sandbox step wall time: {sandbox['sandbox_wall_ms']:.2f} ms "
        f"(a plain `true`: {sandbox['bare_wall_ms']:.2f} ms)"
    )
    report = {
        "cores": os.cpu_count(),
        "load": os.getloadavg(),
        "languages": frame.to_dict("records"),
        "skipped": skipped,
        "sandbox": sandbox,
    }
    if queue:
        bare_wall = float(frame.iloc[-1]["bare_wall"])
        queue["bare_serial_wall"] = bare_wall
        queue["speedup"] = bare_wall / queue["wall"]
        print(
            f"\nthe workbench on all {jobs} cores, {queue['samples']} samples in one call: "
            f"{queue['wall']:.1f} s ({queue['passed']} passed), against {bare_wall:.1f} s for "
            f"the bare commands one by one: {queue['speedup']:.2f}x the throughput"
        )
        report["one_queue"] = queue
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
