"""Before and after prebuilt dependencies (workbench/execution/prebuilt.py) and warm compilers
(workbench/execution/warm_compilers/pool.py), in one run on one machine.

For every installed language with a ``[prebuilt]`` or ``server`` registry entry, the first N
generation canonical solutions run serially twice, alternating: once as the official evaluator
does (``prebuilt=False, servers=False``: every sample builds testify or the crates itself, and
starts a cold compiler) and once as the workbench does. Prints the mean seconds per sample and the
speed-up per language; the verdicts must be the same. The one-time cost (building the template,
starting the warm compiler with the first sample) is shown apart.

    python bench/prebuilt.py [--limit 10] [--languages Go Rust]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bench.common import mceval_data  # noqa: E402
from workbench.execution.execute import execute  # noqa: E402
from workbench.execution.prebuilt import ensure_template  # noqa: E402
from workbench.execution.records import Program  # noqa: E402
from workbench.execution.toolchain import missing_tools, toolchain_version  # noqa: E402
from workbench.inputs.tasks import load_tasks  # noqa: E402
from workbench.programs.assemble import build_program  # noqa: E402
from workbench.registry.languages import all_languages  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data", default=None)
    p.add_argument("--limit", type=int, default=10, help="tasks per language")
    p.add_argument("--languages", nargs="+", default=None)
    args = p.parse_args(argv)
    data = mceval_data(args.data)
    chosen = [
        lang
        for lang in all_languages()
        if (lang.prebuilt or lang.server)
        and not missing_tools(lang)
        and (not args.languages or lang.name in args.languages)
    ]
    print(f"{'language':<10} {'n':>3} {'without s':>10} {'with s':>8} {'speed-up':>9}  verdicts")
    for lang in chosen:
        tasks = load_tasks(data, task="generation", languages=[lang.name]).head(args.limit)
        t0 = time.perf_counter()
        ensure_template(lang, toolchain_version(lang.name))
        if lang.server:  # the first sample starts the compiler and warms it
            first = tasks.to_dict("records")[0]
            answer = f"{first['prompt']}\n{first['canonical_solution']}"
            execute(Program(lang.name, build_program(first, answer), _support(first)))
        setup = time.perf_counter() - t0
        without, with_, same = [], [], True
        for task in tasks.to_dict("records"):
            answer = f"{task['prompt']}\n{task['canonical_solution']}"
            program = Program(lang.name, build_program(task, answer), _support(task))
            runs = {}
            for use in (False, True):
                start = time.perf_counter()
                runs[use] = execute(program, prebuilt=use, servers=use).status
                (with_ if use else without).append(time.perf_counter() - start)
            same &= runs[False] == runs[True]
        a, b = statistics.mean(without), statistics.mean(with_)
        print(
            f"{lang.name:<10} {len(tasks):>3} {a:>10.2f} {b:>8.2f} {a / b:>8.1f}x  "
            f"{'identical' if same else 'DIFFER'}  "
            f"({'compiler' if lang.server else 'template'} ready in {setup:.1f} s)",
            flush=True,
        )
    return 0


def _support(task: dict) -> Path | None:
    folder = task.get("support_dir")
    return Path(folder) if isinstance(folder, str) and folder else None


if __name__ == "__main__":
    sys.exit(main())
