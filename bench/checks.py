"""The instrumented second run (issue 26, docs/checks.md): what it costs per failing sample
against the plain run, per language, and how many tasks' checks it reads.

Failing samples are the self-test's wrong-result mutants of the canonical solutions
(``workbench.programs.mutants``: a digit + 1, ``==`` turned ``!=`` …) whose plain run fails;
each is run plain and instrumented, one after the other, with the same sandbox and limits; the
first task's canonical program runs once untimed before a language is measured (warm compilers
and prebuilt templates start there, not in the first measured run). The cost is the median of
the per-sample ratios instrumented / plain (measured in one run, on one machine). Coverage
(``--coverage``) runs every task's canonical solution instrumented: a task counts when at least
one check is read back and all pass.

    python bench/checks.py [--languages C Python ...] [--tasks 8] [--coverage] [--jobs 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import mceval_data  # noqa: E402
from workbench.execution.execute import execute  # noqa: E402
from workbench.execution.records import Program  # noqa: E402
from workbench.inputs.tasks import load_tasks  # noqa: E402
from workbench.programs.assemble import canonical_program  # noqa: E402
from workbench.programs.checks import instrument, read_checks  # noqa: E402
from workbench.programs.mutants import mutants  # noqa: E402
from workbench.registry.languages import all_languages, get_language  # noqa: E402
from workbench.registry.limits import task_limits  # noqa: E402


def _run(language, task, source):
    support = task.get("support_dir")
    program = Program(
        language.name,
        source,
        Path(support) if isinstance(support, str) and support else None,
        task["task_id"],
    )
    start = time.perf_counter()
    execution = execute(program, task_limits(language, task["task_id"]))
    return execution, time.perf_counter() - start


def cost(language, task) -> tuple[float, float, int] | None:
    """(plain seconds, instrumented seconds, checks read) for the task's first wrong mutant
    that fails; None when none does."""
    for mutant in mutants(task):
        if mutant.kind != "wrong":
            continue
        plain, plain_seconds = _run(language, task, mutant.program)
        if plain.status != "failed":
            continue
        rewritten = instrument(mutant.program, task["test"], language)
        checked, checked_seconds = _run(language, task, rewritten.source)
        checks = read_checks(checked.stderr + "\n" + checked.stdout, rewritten)
        return plain_seconds, checked_seconds, len(checks)
    return None


def covered(language, task) -> bool:
    """Whether the canonical solution's instrumented test reports checks, all passing."""
    program = canonical_program(task)
    try:
        rewritten = instrument(program, task["test"], language)
    except (ValueError, SyntaxError):
        return False
    execution, _ = _run(language, task, rewritten.source)
    checks = read_checks(execution.stderr + "\n" + execution.stdout, rewritten)
    return bool(checks) and all(c.passed for c in checks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data")
    parser.add_argument("--languages", nargs="*")
    parser.add_argument("--tasks", type=int, default=8, help="tasks per language (cost)")
    parser.add_argument("--coverage", action="store_true", help="every task's canonical, instead")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    names = args.languages or [lang.name for lang in all_languages() if lang.checks]
    data = mceval_data(args.data)
    if args.coverage:
        print("| language | tasks | checks read, all passing | share |\n|---|---:|---:|---:|")
    else:
        print(
            "| language | failing samples | plain s (median) | instrumented s (median) | "
            "cost (median of instrumented / plain) | checks per sample (median) |\n"
            "|---|---:|---:|---:|---:|---:|"
        )
    for name in names:
        language = get_language(name)
        tasks = load_tasks(data, languages=[language.name]).to_dict("records")
        with ThreadPoolExecutor(args.jobs) as pool:
            if args.coverage:
                ok = list(pool.map(partial(covered, language), tasks))
                print(f"| {name} | {len(ok)} | {sum(ok)} | {sum(ok) / len(ok):.0%} |")
                continue
            _run(language, tasks[0], canonical_program(tasks[0]))  # warm-up, untimed
            rows = [r for r in pool.map(partial(cost, language), tasks[: args.tasks]) if r]
        if not rows:
            print(f"| {name} | 0 | | | | |")
            continue
        plain, checked, counts = zip(*rows, strict=True)
        print(
            f"| {name} | {len(rows)} | {statistics.median(plain):.2f} | "
            f"{statistics.median(checked):.2f} | "
            f"{statistics.median(c / p for p, c in zip(plain, checked, strict=True)):.2f} | "
            f"{statistics.median(counts):.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
