"""``verify``, ``figures`` and ``demo``: the benchmark's own answers run, the paper's figures drawn
again, and the bundled demo end to end."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli import options
from workbench.paths import DEMO_STORE


def _verify(args: argparse.Namespace) -> int:
    from workbench.evaluation.verify import report_markdown, report_text, unexpected, verify

    results = verify(
        args.data,
        task=args.task,
        subset=args.subset,
        languages=args.languages,
        jobs=args.jobs,
        store=args.store,
        progress=not args.quiet,
        limit=args.limit,
    )
    if args.json:
        from workbench.evaluation.verify import summary

        print(summary(results).to_json(orient="records", indent=2))
    else:
        print(report_text(results))
    if args.write_times:
        from workbench.registry.limits import write_canonical_times

        path = write_canonical_times(results.to_dict("records"))
        print(f"canonical run times: {path}")
    if args.report:
        kind = args.task + (f"/{args.subset}" if args.subset else "")
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(
            report_markdown(results, f"Verification: {kind} canonical solutions")
        )
        print(f"report: {args.report}")
    return 0 if unexpected(results).empty else 1


def _figures(args: argparse.Namespace) -> int:
    from workbench.figures.build import build_figures

    build_figures(
        args.out, args.results, args.data, embedder=args.embedder, tokenizer=args.tokenizer
    )
    return 0


def _demo(args: argparse.Namespace) -> int:
    from workbench.analysis.defects import defective_tasks
    from workbench.analysis.health import health
    from workbench.ops.demo import next_steps, run_demo
    from workbench.views.text import format_health_summary, format_table

    results, files = run_demo(args.data, args.store, args.figures, args.jobs, not args.quiet)
    print(format_table(results, defective_tasks(args.store)))
    print(f"\n{format_health_summary(health(results), args.store)}")
    print("\nfigures: " + ", ".join(str(f) for f in files))
    print(f"store:   {args.store}")
    print("\n" + next_steps(args.store))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``demo``, ``verify`` and ``figures`` to the command line."""
    m = sub.add_parser("demo", help="evaluate the bundled demo data and draw its figure")
    options.data(m, help="default: the bundled demo", type=Path)
    options.store(m, default=DEMO_STORE)
    m.add_argument("--figures", type=Path, default=Path("figures"))
    options.jobs(m)
    options.quiet(m)
    m.set_defaults(func=_demo)

    v = sub.add_parser("verify", help="run every canonical solution; exit 1 if any fails")
    options.data(v)
    options.task(v)
    options.languages(v)
    v.add_argument("--limit", type=int, default=None, help="first N tasks per language")
    options.jobs(v)
    options.store(v, default=None, help="keep results (default: temporary)")
    v.add_argument("--json", action="store_true")
    v.add_argument("--report", type=Path, default=None, help="write a Markdown report here")
    v.add_argument(
        "--write-times",
        action="store_true",
        help="record canonical run times: run limits become a factor of them",
    )
    options.quiet(v)
    v.set_defaults(func=_verify)

    f = sub.add_parser("figures", help="regenerate the paper's figures from data")
    f.add_argument("--out", type=Path, default=Path("figures"))
    f.add_argument("--results", type=Path, default=None, help="a results store to draw from")
    options.data(f, help="McEval folder for dataset statistics", type=Path)
    f.add_argument(
        "--embedder",
        default=None,
        help="codebert | minilm | tfidf | auto | a local model folder (default: auto)",
    )
    f.add_argument("--tokenizer", default=None, help="tokenizer for length statistics")
    f.set_defaults(func=_figures)
