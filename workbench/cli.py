"""The ``workbench`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from workbench.errors import WorkbenchError


def _doctor(args: argparse.Namespace) -> int:
    from workbench.ops.doctor import report

    data = report()
    if args.verify:
        from dataclasses import asdict

        from workbench.ops.doctor import self_test

        checks = self_test(args.data, args.languages)
        data["self_test"] = [asdict(c) for c in checks]
    if args.json:
        print(json.dumps(data, indent=2))
        return 0 if all(c.get("ok") for c in data.get("self_test", [])) else 1
    sandbox = data["sandbox"]
    print(f"sandbox: {sandbox['mode']} — {sandbox['detail']}")
    print(f"work folders: {data['work_folders']}\n")
    table = pd.DataFrame(data["languages"])
    table["version"] = table["version"].fillna("").str.slice(0, 48)
    widths = {c: max(len(c), table[c].str.len().max()) for c in ("language", "status", "version")}
    print("  ".join(c.ljust(widths[c]) for c in widths) + "  detail")
    for row in table.to_dict("records"):
        print("  ".join(str(row[c]).ljust(widths[c]) for c in widths) + "  " + row["detail"])
    ready = (table["status"] == "ready").sum()
    print(f"\n{ready} of {len(table)} languages ready to execute locally")
    if args.verify:
        broken = [c for c in data["self_test"] if not c["ok"]]
        print(f"\nself-test ({len(data['self_test'])} languages):")
        for check in data["self_test"]:
            mark = "ok    " if check["ok"] else "BROKEN"
            print(f"  {mark} {check['language']}: {check['detail']}")
        if broken:
            print(
                f"\n{len(broken)} toolchain(s) BROKEN: their verdicts would be wrong",
                file=sys.stderr,
            )
            return 1
    return 0


def format_table(results: pd.DataFrame) -> str:
    """Per-language pass@1 and status counts for each model, as text."""
    from workbench.analysis.passk import pass_at_1_by_language, status_counts

    scores = pass_at_1_by_language(results)
    counts = status_counts(results)
    out = []
    for model, table in scores.groupby("model", sort=True):
        merged = table[["model", "language", "tasks", "samples", "pass_at_k"]].merge(
            counts[counts["model"] == model], on=["model", "language"], how="left"
        )
        merged["pass@1 %"] = (merged.pop("pass_at_k") * 100).round(1)
        status_cols = [c for c in counts.columns if c not in ("model", "language")]
        merged[status_cols] = merged[status_cols].fillna(0).astype(int)
        merged.loc[merged["language"] == "AVG", status_cols] = merged[status_cols].sum().values
        cols = ["language", "tasks", "samples", "pass@1 %", *status_cols]
        out.append(f"model: {model}\n{merged[cols].to_string(index=False)}")
    return "\n\n".join(out)


def _evaluate(args: argparse.Namespace) -> int:
    from workbench.evaluation.runner import evaluate
    from workbench.inputs.samples import load_samples
    from workbench.inputs.tasks import load_tasks

    samples = load_samples(args.samples)
    languages = args.languages or sorted({t.split("/", 1)[0] for t in samples["task_id"]})
    tasks = load_tasks(args.data, task=args.task, subset=args.subset, languages=languages)
    if args.languages:
        samples = samples[
            samples["task_id"]
            .str.split("/")
            .str[0]
            .map(lambda p: p in set(tasks["language"]) or p in args.languages)
        ]
    limits = {"run_timeout": args.run_timeout} if args.run_timeout else None
    results = evaluate(
        samples,
        tasks,
        jobs=args.jobs,
        cluster=args.cluster,
        store=args.store,
        cache=not args.no_cache,
        limits=limits,
        progress=not args.quiet,
    )
    print(format_table(results))
    print(f"\nstore: {args.store}")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from workbench.ops.demo import run_demo

    results, files = run_demo(args.data, args.store, args.figures, args.jobs, not args.quiet)
    print(format_table(results))
    print("\nfigures: " + ", ".join(str(f) for f in files))
    print(f"store:   {args.store}")
    return 0


def _results(args: argparse.Namespace) -> int:
    from workbench.analysis.passk import pass_at_k_table
    from workbench.errors import InputError
    from workbench.evaluation.store import Store

    try:
        ks = tuple(int(k) for k in str(args.k).split(",") if k.strip())
    except ValueError:
        raise InputError(
            f"--k must be comma-separated integers such as 1,10; got {args.k!r}"
        ) from None
    with Store(args.store) as store:
        results = store.results()
    if results.empty:
        if args.format == "table":
            print(f"{args.store}: no results yet")
        else:
            print("[]" if args.format == "json" else "")
        return 0
    table = pass_at_k_table(results, ks=ks, by=args.by)
    if args.format == "csv":
        print(table.to_csv(index=False), end="")
    elif args.format == "json":
        print(table.to_json(orient="records", indent=2))
    else:
        blocks = []
        for model, part in table.groupby("model", sort=True):
            shown = part.drop(columns="model").copy()
            for k in ks:
                col = f"pass@{k}"
                pct = shown.pop(col) * 100
                low, high = shown.pop(f"{col}_low") * 100, shown.pop(f"{col}_high") * 100
                shown[f"{col} %"] = pct.round(1)
                shown[f"{col} 95% CI"] = [
                    "" if pd.isna(lo) else f"[{lo:.1f}, {hi:.1f}]"
                    for lo, hi in zip(low, high, strict=True)
                ]
            blocks.append(f"model: {model}\n{shown.to_string(index=False)}")
        print("\n\n".join(blocks))
    return 0


def _figures(args: argparse.Namespace) -> int:
    from workbench.figures.cli import run

    run(args.out, args.results, args.data, embedder=args.embedder, tokenizer=args.tokenizer)
    return 0


def _verify(args: argparse.Namespace) -> int:
    from workbench.evaluation.verify import (
        known_failure,
        report_markdown,
        summary,
        unexpected,
        verify,
    )

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
    table = summary(results)
    if args.json:
        print(table.to_json(orient="records", indent=2))
    else:
        print(table.to_string(index=False))
        bad = results[results["status"] != "passed"]
        for row in bad.to_dict("records"):
            known = known_failure(row["task_id"])
            note = f"  [known {known['kind']} limit: {known['reason']}]" if known else ""
            print(f"  {row['task_id']}: {row['status']} — {row['reason']}{note}")
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


def _toolchains(args: argparse.Namespace) -> int:
    from workbench.ops.toolchains import can_install, install, npm_packages_for, packages_for

    if args.action == "list" or (args.action == "install" and not can_install()):
        packages, npm = packages_for(args.languages), npm_packages_for(args.languages)
        if packages:
            print("missing Debian packages: " + " ".join(packages))
        if npm:
            print("missing npm packages (workbench prefix): " + " ".join(npm))
        if not (packages or npm):
            print("all toolchains present")
        _prebuilt_lines(args.languages, build=False)
        if args.action == "install" and packages:
            print("run as root on Debian/Ubuntu: apt-get install -y " + " ".join(packages))
            return 1
        return 0
    installed = install(args.languages)
    print("installed: " + (" ".join(installed) if installed else "nothing (all present)"))
    return 0 if _prebuilt_lines(args.languages, build=True) else 1


def _prebuilt_lines(languages: list[str] | None, build: bool) -> bool:
    """Print (and with ``build``, build) the prebuilt dependencies and warm compilers; False when
    a build failed."""
    from workbench.execution.prebuilt import ensure_template, status
    from workbench.execution.toolchain import missing_tools, toolchain_version
    from workbench.execution.warm_compilers.pool import programs_dir
    from workbench.execution.warm_compilers.pool import status as server_status
    from workbench.registry.languages import all_languages, get_language

    chosen = [get_language(n) for n in languages] if languages else all_languages()
    ok = True
    for lang in chosen:
        if not (lang.prebuilt or lang.server) or missing_tools(lang):
            continue
        if lang.server:
            if build and programs_dir() is None:
                ok = False
            print(f"{lang.name}: {server_status(lang)}")
        if lang.prebuilt:
            version = toolchain_version(lang.name)
            if build and ensure_template(lang, version) is None:
                ok = False
            print(f"{lang.name}: {status(lang, version)}")
    return ok


def parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    p = argparse.ArgumentParser(prog="workbench", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("doctor", help="toolchains, versions and sandbox of this machine")
    d.add_argument("--json", action="store_true", help="machine-readable output")
    d.add_argument(
        "--verify",
        action="store_true",
        help="self-test: a known-good and a known-bad program per ready language",
    )
    d.add_argument("--data", default=None, help="McEval folder for --verify (default: MCEVAL_DATA)")
    d.add_argument("--languages", nargs="+", default=None, help="only these languages (--verify)")
    d.set_defaults(func=_doctor)

    e = sub.add_parser("evaluate", help="run model samples against McEval tasks")
    e.add_argument(
        "--data",
        default=None,
        help="McEval folder or hf://owner/name (default: MCEVAL_DATA or ../shared/mceval)",
    )
    e.add_argument("--samples", required=True, type=Path, help="samples JSONL file or folder")
    e.add_argument(
        "--task", default="generation", choices=["generation", "explanation", "completion"]
    )
    e.add_argument("--subset", default=None, choices=["single", "multi", "span", "light"])
    e.add_argument("--languages", nargs="+", default=None, help="only these languages")
    e.add_argument(
        "--store", type=Path, default=Path("workbench.duckdb"), help="DuckDB results file"
    )
    e.add_argument("--jobs", type=int, default=None, help="parallel executions (default: cores)")
    e.add_argument(
        "--cluster",
        default=None,
        metavar="ADDR",
        help="Dask scheduler address (tcp://host:8786): execute on its workers",
    )
    e.add_argument(
        "--no-cache", action="store_true", help="run again even if the store has the verdict"
    )
    e.add_argument(
        "--run-timeout", type=float, default=None, help="override every run time limit (s)"
    )
    e.add_argument("--quiet", action="store_true", help="no progress bar")
    e.set_defaults(func=_evaluate)

    m = sub.add_parser("demo", help="evaluate the bundled demo data and draw its figure")
    m.add_argument("--data", type=Path, default=None, help="default: the bundled demo")
    m.add_argument("--store", type=Path, default=Path("workbench-demo.duckdb"))
    m.add_argument("--figures", type=Path, default=Path("figures"))
    m.add_argument("--jobs", type=int, default=None)
    m.add_argument("--quiet", action="store_true")
    m.set_defaults(func=_demo)

    r = sub.add_parser("results", help="pass@k with 95% CIs from a results store")
    r.add_argument("--store", type=Path, default=Path("workbench.duckdb"))
    r.add_argument(
        "--by",
        default="language",
        choices=["language", "task", "difficulty", "paradigm", "scenario"],
        help="grouping (default: language, with the AVG macro average)",
    )
    r.add_argument("--k", default="1", help="comma-separated k values, e.g. 1,10 (default: 1)")
    r.add_argument("--format", default="table", choices=["table", "csv", "json"])
    r.set_defaults(func=_results)

    v = sub.add_parser("verify", help="run every canonical solution; exit 1 if any fails")
    v.add_argument(
        "--data", default=None, help="McEval folder (default: MCEVAL_DATA or ../shared/mceval)"
    )
    v.add_argument(
        "--task", default="generation", choices=["generation", "explanation", "completion"]
    )
    v.add_argument("--subset", default=None, choices=["single", "multi", "span", "light"])
    v.add_argument("--languages", nargs="+", default=None)
    v.add_argument("--limit", type=int, default=None, help="first N tasks per language")
    v.add_argument("--jobs", type=int, default=None)
    v.add_argument("--store", type=Path, default=None, help="keep results (default: temporary)")
    v.add_argument("--json", action="store_true")
    v.add_argument("--report", type=Path, default=None, help="write a Markdown report here")
    v.add_argument(
        "--write-times",
        action="store_true",
        help="record canonical run times: run limits become a factor of them",
    )
    v.add_argument("--quiet", action="store_true")
    v.set_defaults(func=_verify)

    t = sub.add_parser(
        "toolchains",
        help="list or install the toolchains of the registry (Debian, npm, prebuilt dependencies)",
    )
    t.add_argument("action", choices=["list", "install"])
    t.add_argument("--languages", nargs="+", default=None)
    t.set_defaults(func=_toolchains)

    f = sub.add_parser("figures", help="regenerate the paper's figures from data")
    f.add_argument("--out", type=Path, default=Path("figures"))
    f.add_argument("--results", type=Path, default=None, help="a results store to draw from")
    f.add_argument("--data", type=Path, default=None, help="McEval folder for dataset statistics")
    f.add_argument(
        "--embedder",
        default=None,
        help="codebert | minilm | tfidf | auto | a local model folder (default: auto)",
    )
    f.add_argument("--tokenizer", default=None, help="tokenizer for length statistics")
    f.set_defaults(func=_figures)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``workbench`` console script."""
    args = parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except WorkbenchError as exc:
        print(f"workbench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("workbench: interrupted; finished results are in the store", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
