"""The ``workbench`` command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

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
    columns = ["language", "status", "version"]
    if data.get("docker", {}).get("available"):  # the Docker backend's versions, side by side
        table["docker"] = table["docker"].fillna("-").str.slice(0, 40)
        columns.append("docker")
    widths = {c: max(len(c), table[c].str.len().max()) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in widths) + "  detail")
    for row in table.to_dict("records"):
        print("  ".join(str(row[c]).ljust(widths[c]) for c in widths) + "  " + row["detail"])
    ready = (table["status"] == "ready").sum()
    print(f"\n{ready} of {len(table)} languages ready to execute locally")
    _print_docker(data)
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
    from workbench.analysis.passk import AVG_LABEL, pass_at_k_table, status_counts

    scores = pass_at_k_table(results, k=1, by="language")
    counts = status_counts(results)
    out = []
    for model, table in scores.groupby("model", sort=True):
        merged = table[["model", "language", "n_tasks", "n_samples", "pass_at_1"]].merge(
            counts[counts["model"] == model], on=["model", "language"], how="left"
        )
        merged["pass@1 %"] = (merged.pop("pass_at_1") * 100).round(1)
        status_cols = [c for c in counts.columns if c not in ("model", "language")]
        merged[status_cols] = merged[status_cols].fillna(0).astype(int)
        merged.loc[merged["language"] == AVG_LABEL, status_cols] = merged[status_cols].sum().values
        cols = ["language", "n_tasks", "n_samples", "pass@1 %", *status_cols]
        out.append(f"model: {model}\n{merged[cols].to_string(index=False)}")
    return "\n\n".join(out)


def format_by_task(results: pd.DataFrame) -> str:
    """``format_table`` once per task kind (and completion subset) the results hold."""
    label = results["task"] + results["subset"].map(lambda s: f"/{s}" if isinstance(s, str) else "")
    if label.nunique() <= 1:
        return format_table(results)
    parts = results.groupby(label, sort=False)
    return "\n\n".join(f"task: {name}\n{format_table(part)}" for name, part in parts)


def _evaluate(args: argparse.Namespace) -> int:
    from workbench.evaluation.runner import evaluate
    from workbench.inputs.samples import load_samples, tasks_for_samples

    samples = load_samples(args.samples)
    # Without --task, each sample's kind and subset come from its id (and stage1_* fields).
    tasks = tasks_for_samples(
        samples, args.data, task=args.task, subset=args.subset, languages=args.languages
    )
    if args.languages:
        samples = samples[
            samples["task_id"]
            .str.split("/")
            .str[0]
            .map(lambda p: p in set(tasks["language"]) or p in args.languages)
        ]
    limits = {"run_timeout": args.run_timeout} if args.run_timeout else None
    backend = args.backend
    if backend == "docker":
        from workbench.evaluation.backends import DockerBackend

        backend = DockerBackend(args.image, args.jobs)  # a missing engine or image: an error now
    results = evaluate(
        samples,
        tasks,
        jobs=args.jobs,
        backend=backend,
        cluster=args.cluster,
        store=args.store,
        cache=not args.no_cache,
        limits=limits,
        progress=not args.quiet,
    )
    print(format_by_task(results))
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
    table = pass_at_k_table(results, k=ks, by=args.by)
    if args.format == "csv":
        print(table.to_csv(index=False), end="")
    elif args.format == "json":
        print(table.to_json(orient="records", indent=2))
    else:
        blocks = []
        for model, part in table.groupby("model", sort=True):
            shown = part.drop(columns="model").copy()
            for k in ks:
                col = f"pass_at_{k}"
                pct = shown.pop(col) * 100
                low, high = shown.pop(f"{col}_low") * 100, shown.pop(f"{col}_high") * 100
                shown[f"pass@{k} %"] = pct.round(1)
                shown[f"pass@{k} 95% CI"] = [
                    "" if pd.isna(lo) else f"[{lo:.1f}, {hi:.1f}]"
                    for lo, hi in zip(low, high, strict=True)
                ]
            blocks.append(f"model: {model}\n{shown.to_string(index=False)}")
        print("\n\n".join(blocks))
    return 0


def _open_store(path: Path):  # -> Store, imported lazily like every command's modules
    """The results store at ``path``; an InputError when there is none (opening would create
    an empty one)."""
    from workbench.errors import InputError
    from workbench.evaluation.store import Store

    if not path.is_file():
        raise InputError("no results store here", file=path)
    return Store(path)


def _failures(args: argparse.Namespace) -> int:
    from workbench.analysis.failure_modes import example_key, failure_modes, format_failure_modes

    with _open_store(args.store) as store:
        if args.refresh:
            store.refresh_causes()
        results = store.results()
    table = failure_modes(results, by=args.by)
    if args.format == "json":
        records = json.loads(table.to_json(orient="records"))  # numpy values made plain
        print(json.dumps(records, indent=2, ensure_ascii=False))
    elif args.format == "csv":
        table["examples"] = table["examples"].map(lambda xs: "; ".join(map(example_key, xs)))
        print(table.to_csv(index=False), end="")
    else:
        print(format_failure_modes(table, args.by, top=args.top))
    return 0


def _compare(args: argparse.Namespace) -> int:
    from workbench.analysis.compare_models import compare_models, format_comparison
    from workbench.errors import InputError
    from workbench.evaluation.notes import notes, with_notes

    with _open_store(args.store) as store:
        results = store.results(models=args.models)
        absent = sorted(set(args.models) - set(results["model"]))
        if absent:
            held = sorted(store.results()["model"].unique())
            raise InputError(f"no results for {absent}; the store holds {held}", file=args.store)
        # Exported disagreements carry each side's tags and note, as the browser's exports do.
        results = with_notes(results, notes(store))
    comparison = compare_models(results, args.models)
    if args.format == "json":
        both = {
            "table": json.loads(comparison.table.to_json(orient="records")),
            "disagreements": json.loads(comparison.disagreements.to_json(orient="records")),
        }
        print(json.dumps(both, indent=2, ensure_ascii=False))
    elif args.format == "csv":
        chosen = comparison.disagreements if args.disagreements else comparison.table
        print(chosen.to_csv(index=False), end="")
    else:
        print(format_comparison(comparison, limit=args.limit))
    return 0


def _report(args: argparse.Namespace) -> int:
    from workbench.views.report import write_report

    with _open_store(args.store) as store:
        out = write_report(store, args.out, title=args.title)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB); open it in any browser, offline")
    return 0


def _image_profile(args: argparse.Namespace) -> int:
    """What an image described by a profile serves: as documented, and as observed in the
    image when it is on this machine."""
    from workbench.evaluation.containers import DockerUnavailable, docker_client
    from workbench.ops.image import check_profile, load_profile

    profile = load_profile(args.profile)
    print(f"profile of {', '.join(profile.names)}: {len(profile.tools)} tools")
    _print_coverage("as documented", profile)
    candidates = [args.image] if args.image else profile.names
    try:
        client = docker_client()
    except DockerUnavailable as exc:
        print(f"not checked: no Docker engine answers ({exc})")
        return 0
    import docker.errors

    for name in candidates:
        try:
            client.images.get(name)
        except docker.errors.ImageNotFound:
            continue
        observed = check_profile(profile, name, client)
        absent = sorted(set(profile.tools) - set(observed.tools))
        _print_coverage(f"observed in {name}", observed)
        if absent:
            print(
                "  tools not found there: " + ", ".join(f"{t} ({profile.tools[t]})" for t in absent)
            )
        return 0 if not absent else 1
    print(f"not checked: none of {candidates} is on this machine (docker pull it first)")
    return 0


def _print_coverage(label: str, profile: Any) -> None:
    print(f"{label}: serves {len(profile.served)} languages: {', '.join(profile.served)}")
    for name, tools in profile.missing.items():
        print(f"  {name}: lacks {', '.join(tools)}")


def _figures(args: argparse.Namespace) -> int:
    from workbench.figures.build import run

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


def _print_docker(data: dict) -> None:
    """The Docker backend's part of ``doctor``: its image and what neither backend serves."""
    docker = data.get("docker") or {}
    print(f"docker backend: {docker.get('detail', 'unknown')}")
    if docker.get("available"):
        languages = docker["languages"]
        local = {r["language"]: r["version"] for r in data["languages"] if r["status"] == "ready"}
        changed = [n for n, v in languages.items() if n in local and v != local[n]]
        only = [n for n in languages if n not in local]
        print(f"  serves {len(languages)}: " + ", ".join(languages))
        if only:
            print("  only in the image: " + ", ".join(f"{n} ({languages[n]})" for n in only))
        if changed:
            print("  other version than here: " + ", ".join(changed))
    unserved = data.get("unserved", [])
    if unserved:
        print(
            f"not served on this machine by either backend ({len(unserved)}): "
            + ", ".join(unserved)
        )


def _image(args: argparse.Namespace) -> int:
    if args.action == "profile":
        return _image_profile(args)
    from workbench.ops.image import build_image

    built = build_image(args.tag, args.base, args.vendor, args.network, cache=args.cache)
    served = sum(v is not None for v in built.versions.values())
    print(
        f"\n{built.tag}: built in {built.seconds / 60:.1f} min on {built.base}; {served} of "
        f"{len(built.versions)} languages have a toolchain in it"
    )
    return 0


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


def _batch_size(text: str) -> int | str:
    if text == "auto":
        return text
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected auto or a positive integer, not {text!r}")
    return value


def _generated(args: argparse.Namespace) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Samples generated as ``args`` say (and resumed from ``--out``), with their tasks."""
    from workbench.generation.generate import generate
    from workbench.inputs.tasks import load_tasks

    tasks = load_tasks(args.data, task=args.task, subset=args.subset, languages=args.languages)
    if args.limit is not None:
        tasks = tasks.groupby(["language", "subset"], dropna=False, sort=False).head(args.limit)
    samples = generate(
        args.model,
        tasks,
        n=args.n,
        temperature=args.temperature,
        top_p=args.top_p,
        max_new_tokens=args.max_new_tokens,
        batch_size=args.batch_size,
        device=args.device,
        dtype=args.dtype,
        chat_template=args.chat_template,
        system_prompt=args.system_prompt,
        out=args.out,
        seed=args.seed,
        progress=not args.quiet,
    )
    return samples, tasks


def _generate(args: argparse.Namespace) -> int:
    samples, _ = _generated(args)
    files = sorted(set(samples["source_file"]))
    where = files[0] if len(files) == 1 else str(Path(files[0]).parent)
    print(f"{len(samples)} samples of {samples['task_id'].nunique()} tasks: {where}")
    print(f"evaluate them: workbench evaluate --samples {where}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from workbench.evaluation.runner import evaluate

    samples, tasks = _generated(args)
    limits = {"run_timeout": args.run_timeout} if args.run_timeout else None
    results = evaluate(
        samples, tasks, jobs=args.jobs, store=args.store, limits=limits, progress=not args.quiet
    )
    print(format_by_task(results))
    print(f"\nsamples: {Path(samples['source_file'].iloc[0]).parent}\nstore: {args.store}")
    return 0


def _generation_options(g: argparse.ArgumentParser) -> None:
    """The options of ``generate`` and ``run``."""
    g.add_argument("--model", required=True, help="a hub id or a local model folder")
    g.add_argument(
        "--task", default="generation", choices=["generation", "explanation", "completion"]
    )
    g.add_argument("--subset", default=None, choices=["single", "multi", "span", "light"])
    g.add_argument("--languages", nargs="+", default=None)
    g.add_argument(
        "--limit", type=int, default=None, help="first N tasks per language (and per subset)"
    )
    g.add_argument(
        "--data", default=None, help="McEval folder (default: MCEVAL_DATA or ../shared/mceval)"
    )
    g.add_argument("--n", type=int, default=1, help="samples per task (n > 1: --temperature)")
    g.add_argument("--temperature", type=float, default=0.0, help="0: greedy, the paper's setting")
    g.add_argument("--top-p", type=float, default=0.95)
    g.add_argument("--max-new-tokens", type=int, default=1024)
    g.add_argument("--batch-size", type=_batch_size, default="auto", help="halved on OOM")
    g.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:1 | mps")
    g.add_argument("--dtype", default="auto", help="auto (bf16 on GPU, fp32 on CPU) | ...")
    g.add_argument(
        "--chat-template",
        default="auto",
        choices=["auto", "on", "off"],
        help="auto: the tokenizer's template when it has one",
    )
    g.add_argument("--system-prompt", default=None)
    g.add_argument("--seed", type=int, default=0, help="sampling seed")
    g.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder of <Lang>.jsonl or one .jsonl (default: generations/<task>/<model>); "
        "what it holds is kept and not generated again",
    )
    g.add_argument("--quiet", action="store_true", help="no progress bar")


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
        "--task",
        default=None,
        choices=["generation", "explanation", "completion"],
        help="default: per sample, from its id (-single, -multi, -span, -light-span: completion) "
        "and fields (stage1_*: explanation; else generation)",
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
        "--backend",
        default="local",
        choices=["local", "dask", "docker"],
        help="where programs run: this machine, a Dask cluster, or containers of the runtime "
        "image (docker: one per job; see `workbench image build`)",
    )
    e.add_argument(
        "--image",
        default=os.environ.get("WORKBENCH_IMAGE") or "mceval-workbench:latest",
        help="the runtime image of --backend docker (default: $WORKBENCH_IMAGE or "
        "mceval-workbench:latest)",
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

    r = sub.add_parser("results", help="pass@k with 95%% Wilson intervals from a results store")
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

    fm = sub.add_parser("failures", help="error messages of failing samples, clustered")
    fm.add_argument("--store", type=Path, default=Path("workbench.duckdb"))
    fm.add_argument(
        "--by",
        nargs="+",
        default=["language"],
        choices=["language", "model", "cause", "status", "task"],
        help="group clusters by these columns (default: language)",
    )
    fm.add_argument("--format", default="table", choices=["table", "csv", "json"])
    fm.add_argument("--top", type=int, default=10, help="clusters shown per group (table)")
    fm.add_argument(
        "--refresh", action="store_true", help="recompute causes from stored output first"
    )
    fm.set_defaults(func=_failures)

    c = sub.add_parser("compare", help="models compared sample by sample (exact McNemar test)")
    c.add_argument("--store", type=Path, default=Path("workbench.duckdb"))
    c.add_argument("models", nargs="+", metavar="MODEL", help="two or more: every pair compared")
    c.add_argument("--format", default="table", choices=["table", "csv", "json"])
    c.add_argument(
        "--disagreements", action="store_true", help="csv: the disagreements, not the table"
    )
    c.add_argument("--limit", type=int, default=20, help="disagreements listed per pair (table)")
    c.set_defaults(func=_compare)

    rp = sub.add_parser("report", help="one self-contained HTML report of a store (offline)")
    rp.add_argument("--store", type=Path, default=Path("workbench.duckdb"))
    rp.add_argument("--out", type=Path, default=Path("report.html"))
    rp.add_argument("--title", default="McEval failure report")
    rp.set_defaults(func=_report)

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

    im = sub.add_parser(
        "image",
        help="build the Docker backend's runtime image, or check another image's profile",
    )
    im.add_argument("action", choices=["build", "profile"])
    im.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="profile: a docker/profiles/*.toml (default: the official McEval image's)",
    )
    im.add_argument(
        "--image",
        default=None,
        help="profile: check the paths in this local image (default: the profile's names)",
    )
    im.add_argument(
        "--base",
        default=None,
        metavar="IMAGE",
        help="base image (default: Debian bookworm made here with debootstrap, as root)",
    )
    im.add_argument(
        "--no-vendor",
        dest="vendor",
        action="store_false",
        help="Debian and npm toolchains only: leave out Julia, Swift, Dart, PowerShell, .NET",
    )
    im.add_argument("--tag", default="mceval-workbench:latest")
    im.add_argument(
        "--no-cache", dest="cache", action="store_false", help="rebuild every layer of the image"
    )
    im.add_argument(
        "--network", default=None, help="build network mode (host: where the bridge is cut off)"
    )
    im.set_defaults(func=_image)

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

    gen = sub.add_parser(
        "generate", help="samples from a transformers model, in the official evaluator's layout"
    )
    _generation_options(gen)
    gen.set_defaults(func=_generate)

    run = sub.add_parser("run", help="generate, evaluate into the store, print pass@1")
    _generation_options(run)
    run.add_argument("--store", type=Path, default=Path("workbench.duckdb"))
    run.add_argument("--jobs", type=int, default=None, help="parallel executions")
    run.add_argument(
        "--run-timeout", type=float, default=None, help="override every run time limit (s)"
    )
    run.set_defaults(func=_run)
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
