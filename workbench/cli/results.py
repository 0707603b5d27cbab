"""``results``, ``failures``, ``compare`` and ``report``: what a results store says, as text, CSV,
JSON or one HTML page. Each reads the store's scored rows, computes with ``analysis/`` and lays
the tables out with ``views/``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from workbench.cli import options, trust
from workbench.errors import InputError


def _records(frame: Any) -> Any:
    """A DataFrame as JSON-ready records (numpy values made plain)."""
    return json.loads(frame.to_json(orient="records"))


def _ks(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(k) for k in str(text).split(",") if k.strip())
    except ValueError:
        raise InputError(
            f"--k must be comma-separated integers such as 1,10; got {text!r}"
        ) from None


def _results(args: argparse.Namespace) -> int:
    from workbench.analysis.defects import defective_tasks
    from workbench.analysis.passk import pass_at_k_table
    from workbench.evaluation.store import Store
    from workbench.views.text import footnote_text, format_pass_at_k

    ks = _ks(args.k)
    if args.repaired:
        if ks != (1,):
            raise InputError("--repaired shows pass@1 only: leave out --k", field="k")
        return trust.repaired_results(args.store, by=args.by, fmt=args.format)
    with Store(args.store) as store:
        results = store.results()
        defects = defective_tasks(store)
    if results.empty:
        empty = {"table": f"{args.store}: no results yet", "json": "[]", "csv": ""}
        print(empty[args.format])
        return 0
    # Both readings: the benchmark's rules, and the defective tasks set aside (issue 25).
    table = pass_at_k_table(results, k=ks, by=args.by, set_aside=defects)
    if args.format == "csv":
        print(table.to_csv(index=False), end="")
    elif args.format == "json":
        print(table.to_json(orient="records", indent=2))
    else:
        print(format_pass_at_k(table, ks, footnote_text(results, defects)))
    return 0


def _failures(args: argparse.Namespace) -> int:
    from workbench.analysis.failure_modes import example_key, failure_modes
    from workbench.analysis.rows import labelled
    from workbench.analysis.wrong_answers import checks_histogram, miss_table
    from workbench.evaluation.notes import notes, with_notes
    from workbench.views.text import format_checks, format_failure_modes

    with options.open_store(args.store) as store:
        if args.refresh:
            store.refresh_causes()
        results = with_notes(store.results(), notes(store))
    results = labelled(results, args.tag or (), args.note, args.noted)
    table = failure_modes(results, by=args.by)
    if args.format == "json":
        print(json.dumps(_records(table), indent=2, ensure_ascii=False, default=str))
    elif args.format == "csv":
        table["examples"] = table["examples"].map(lambda xs: "; ".join(map(example_key, xs)))
        print(table.to_csv(index=False), end="")
    else:
        print(format_failure_modes(table, args.by, top=args.top))
        print("\n" + format_checks(checks_histogram(results), miss_table(results)))
    return 0


def _compare(args: argparse.Namespace) -> int:
    from workbench.analysis.compare_models import compare_models
    from workbench.analysis.defects import defective_tasks
    from workbench.evaluation.notes import notes, with_notes
    from workbench.views.text import footnote_text, format_comparison

    with options.open_store(args.store) as store:
        results = store.results(models=args.models)
        absent = sorted(set(args.models) - set(results["model"]))
        if absent:
            held = sorted(store.results()["model"].unique())
            raise InputError(f"no results for {absent}; the store holds {held}", file=args.store)
        # Exported disagreements carry each side's tags and note, as the browser's exports do.
        results = with_notes(results, notes(store))
        defects = defective_tasks(store)
    comparison = compare_models(results, args.models, set_aside=defects)
    if args.format == "json":
        both = {
            "table": _records(comparison.table),
            "disagreements": _records(comparison.disagreements),
            "misses": _records(comparison.misses),
        }
        print(json.dumps(both, indent=2, ensure_ascii=False))
    elif args.format == "csv":
        chosen = comparison.disagreements if args.disagreements else comparison.table
        print(chosen.to_csv(index=False), end="")
    else:
        print(format_comparison(comparison, limit=args.limit))
        print("\n" + footnote_text(results, defects))
    return 0


def _report(args: argparse.Namespace) -> int:
    from workbench.paths import outputs_dir
    from workbench.views.report import write_report

    with options.open_store(args.store) as store:
        out = write_report(
            store, args.out or outputs_dir() / "report.html", title=args.title, data=args.data
        )
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB); open it in any browser, offline")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``results``, ``failures``, ``compare`` and ``report`` to the command line."""
    from pathlib import Path

    r = sub.add_parser("results", help="pass@k with 95%% Wilson intervals from a results store")
    options.store(r)
    r.add_argument(
        "--by",
        default="language",
        choices=["language", "task", "difficulty", "paradigm", "scenario"],
        help="grouping (default: language, with the AVG macro average)",
    )
    r.add_argument("--k", default="1", help="comma-separated k values, e.g. 1,10 (default: 1)")
    r.add_argument(
        "--repaired",
        action="store_true",
        help="pass@1 as scored and after the mechanical repairs (workbench repair)",
    )
    options.output_format(r)
    r.set_defaults(func=_results)

    _register_failures(sub)

    c = sub.add_parser("compare", help="models compared sample by sample (exact McNemar test)")
    options.store(c)
    c.add_argument("models", nargs="+", metavar="MODEL", help="two or more: every pair compared")
    options.output_format(c)
    c.add_argument(
        "--disagreements", action="store_true", help="csv: the disagreements, not the table"
    )
    c.add_argument("--limit", type=int, default=20, help="disagreements listed per pair (table)")
    c.set_defaults(func=_compare)

    rp = sub.add_parser("report", help="one self-contained HTML report of a store (offline)")
    options.store(rp)
    rp.add_argument(
        "--out", type=Path, default=None, help="default: report.html in the outputs folder"
    )
    rp.add_argument("--title", default="McEval failure report")
    options.data(
        rp,
        help="the failing samples' tasks (default: MCEVAL_DATA or ../shared/mceval, then the demo)",
    )
    rp.set_defaults(func=_report)


def _register_failures(sub: argparse._SubParsersAction) -> None:
    """``failures``: its filters and groupings."""
    fm = sub.add_parser(
        "failures",
        help="failing samples clustered: error messages; wrong answers by miss kind and check",
    )
    options.store(fm)
    fm.add_argument(
        "--by",
        nargs="+",
        default=["language"],
        choices=["language", "model", "cause", "status", "task", "miss"],
        help="group clusters by these columns (default: language)",
    )
    options.output_format(fm)
    fm.add_argument("--top", type=int, default=10, help="clusters shown per group (table)")
    fm.add_argument(
        "--refresh", action="store_true", help="recompute causes from stored output first"
    )
    fm.add_argument("--tag", action="append", help="only samples with this tag (repeatable)")
    fm.add_argument("--note", default=None, help="only samples whose note contains this text")
    fm.add_argument("--noted", action="store_true", help="only samples with a tag or a note")
    fm.set_defaults(func=_failures)
