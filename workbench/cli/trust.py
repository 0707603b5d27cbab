"""Commands that say how far a store's numbers can be trusted and open its failures further:
``health`` (issue 22: the checks of docs/health.md), ``checks`` (issue 26: every check of the
failing samples) and ``repair`` (issue 23: the mechanical repairs). Each adds rows of its own kind
or its own table to the store; none changes a scored verdict. The tasks a score sets aside as
defective are ``defects.py``'s."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from workbench.cli import options


def _health(args: argparse.Namespace) -> int:
    from workbench.analysis.health import findings_records, has_errors, health
    from workbench.views.text import format_findings

    with options.open_store(args.store) as store:
        if args.probe_timeouts or args.repeat_failures:
            _health_runs(args, store)
        results = store.results(kinds=None)  # the scored rows and the runs beside them
    findings = health(results)
    if args.format == "json":
        print(json.dumps(findings_records(findings), indent=2, ensure_ascii=False))
    else:
        print(format_findings(findings))
    return 1 if has_errors(findings) else 0


def _health_runs(args: argparse.Namespace, store: Any) -> None:
    """``--probe-timeouts`` and ``--repeat-failures``: the runs are stored as rows of their
    kinds, what they did is said on stderr (stdout stays the findings)."""
    import pandas as pd

    from workbench.analysis.health import probe_candidates
    from workbench.analysis.rows import failing
    from workbench.evaluation.reruns import (
        PROBE_FACTOR,
        as_samples,
        probe_timeouts,
        repeat_failures,
    )
    from workbench.inputs.samples import tasks_for_samples

    scored = store.results()
    probed = probe_candidates(scored) if args.probe_timeouts else scored.iloc[0:0]
    repeated = failing(scored) if args.repeat_failures else scored.iloc[0:0]
    both = pd.concat([probed, repeated], ignore_index=True)
    if both.empty:
        print("health: no timed-out or failing samples to run again", file=sys.stderr)
        return
    tasks = tasks_for_samples(as_samples(both), args.data)
    run = {"store": store, "jobs": args.jobs, "progress": not args.quiet}
    if args.probe_timeouts:
        rows = probe_timeouts(probed, tasks, **run)
        done = int(rows["status"].ne("timeout").sum())
        print(
            f"health: probed {len(rows)} timed-out samples with {PROBE_FACTOR:g}x their "
            f"limit: {done} finished",
            file=sys.stderr,
        )
    if args.repeat_failures:
        rows = repeat_failures(
            repeated, tasks, args.repeat_failures, limits=options.limits(args), **run
        )
        print(
            f"health: ran {len(repeated)} failing samples {args.repeat_failures} more "
            f"time{'s' * (args.repeat_failures != 1)} ({len(rows)} runs)",
            file=sys.stderr,
        )


def _repair(args: argparse.Namespace) -> int:
    from workbench.evaluation.repair import repair_store

    with options.open_store(args.store) as store:
        rows = repair_store(
            store,
            data=args.data,
            models=args.model,
            languages=args.languages,
            jobs=args.jobs,
            limits=options.limits(args),
            progress=not args.quiet,
        )
    print(
        f"{len(rows)} failing samples changed by a repair and run again, stored as rows of kind "
        f"'repaired' beside their scored verdicts (unchanged) in {args.store}\n"
    )
    return repaired_results(args.store, args.model)


def repaired_results(
    path: Path, models: list[str] | None = None, by: str = "language", fmt: str = "table"
) -> int:
    """``workbench results --repaired`` (and ``repair``'s summary): pass@1 per ``by`` group and
    model as scored and after repair, and which repairs recovered how many samples."""
    from workbench.analysis.repairs import recovered, repair_scores
    from workbench.execution.records import REPAIRED, SCORED
    from workbench.views.text import format_repair_scores

    with options.open_store(path) as store:
        results = store.results(models, kinds=(SCORED, REPAIRED))
    if results.empty:
        print(f"{path}: no results yet")
        return 0
    scores = repair_scores(results, by=by)
    if fmt == "csv":
        print(scores.to_csv(index=False), end="")
    elif fmt == "json":
        print(scores.to_json(orient="records", indent=2))
    else:
        print(format_repair_scores(scores, recovered(results), by=by))
    return 0


def _positive(text: str) -> int:
    value = int(text) if text.isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {text!r}")
    return value


def _checks(args: argparse.Namespace) -> int:
    from workbench.analysis.wrong_answers import checks_histogram, miss_table
    from workbench.evaluation.checks import opened, run_checks
    from workbench.inputs.samples import tasks_for_samples
    from workbench.registry.languages import get_language
    from workbench.views.text import format_checks

    names = {get_language(n).name for n in args.languages} if args.languages else None
    with options.open_store(args.store) as store:

        def chosen():
            results = store.results(models=args.model)
            return results if names is None else results[results["language"].isin(names)]

        failing = opened(chosen())
        if not failing.empty:
            run_checks(
                failing,
                tasks_for_samples(failing, args.data),
                jobs=args.jobs,
                limits=options.limits(args),
                store=store,
                cache=not args.no_cache,
                progress=not args.quiet,
            )
        results = chosen()
    print(f"{len(failing)} samples opened (failed or runtime_error)\n")
    print(format_checks(checks_histogram(results), miss_table(results)))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add this group's commands to the ``workbench`` parser."""
    h = sub.add_parser(
        "health",
        help="can these numbers be trusted? the health checks of a store; exit 1 on an error",
    )
    options.store(h)
    h.add_argument("--format", default="table", choices=["table", "json"])
    h.add_argument(
        "--probe-timeouts",
        action="store_true",
        help="run timed-out samples again with more time (a sample of them per language and "
        "task kind), stored as probe rows",
    )
    h.add_argument(
        "--repeat-failures",
        type=_positive,
        default=None,
        metavar="K",
        help="run every failing sample K more times, uncached, stored as repeat rows",
    )
    options.data(
        h,
        help="the tasks the store's samples answer, for the reruns (default: "
        "MCEVAL_DATA or ../shared/mceval; the demo's: data/demo)",
    )
    options.jobs(h, help="parallel executions of the reruns (default: cores)")
    options.run_timeout(h)
    options.quiet(h, help="no progress bar for the reruns")
    h.set_defaults(func=_health)

    ch = sub.add_parser(
        "checks",
        help="run the failing samples again with every check of their test judged (second run)",
    )
    options.store(ch)
    options.models(ch)
    options.languages(ch, help="only these languages")
    options.data(ch)
    options.jobs(ch, help="parallel executions (default: cores)")
    ch.add_argument(
        "--no-cache", action="store_true", help="run again even if the store has the run"
    )
    options.run_timeout(ch)
    options.quiet(ch, help="no progress bar")
    ch.set_defaults(func=_checks)
    rp = sub.add_parser(
        "repair",
        help="rerun failing samples after mechanical repairs, stored beside the scored ones",
    )
    options.store(rp)
    options.data(rp)
    options.models(rp)
    options.languages(rp, help="only these languages")
    options.jobs(rp)
    options.run_timeout(rp)
    options.quiet(rp)
    rp.set_defaults(func=_repair)
