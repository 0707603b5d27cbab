"""``evaluate``, ``generate`` and ``run``: judge model samples, make them, or both in a row."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from workbench.cli import options


def _scores_and_health(results: Any, store: Path) -> None:
    """The pass@1 table of a run (its scored rows), then the health summary of the run (its
    controls included): one line when healthy. The exit status does not depend on it."""
    from workbench.analysis.health import health
    from workbench.views.text import format_by_task, format_health_summary

    print(format_by_task(results))
    print(f"\n{format_health_summary(health(results), store)}")


def _evaluate(args: argparse.Namespace) -> int:
    from workbench.analysis.wrong_answers import checks_histogram, miss_table
    from workbench.evaluation.runner import evaluate
    from workbench.inputs.samples import load_samples, samples_of_languages, tasks_for_samples
    from workbench.views.text import format_checks

    samples = load_samples(args.samples)
    # Without --task, each sample's kind and subset come from its id (and stage1_* fields).
    tasks = tasks_for_samples(
        samples, args.data, task=args.task, subset=args.subset, languages=args.languages
    )
    if args.languages:
        samples = samples_of_languages(samples, tasks, args.languages)
    backend: Any = args.backend
    if backend == "docker":
        from workbench.evaluation.backends import DockerBackend
        from workbench.evaluation.containers import runtime_image

        # A missing engine or image: an error now, not after the samples are prepared.
        backend = DockerBackend(runtime_image(args.image), args.jobs)
    results = evaluate(
        samples,
        tasks,
        jobs=args.jobs,
        backend=backend,
        cluster=args.cluster,
        store=args.store,
        cache=not args.no_cache,
        limits=options.limits(args),
        progress=not args.quiet,
        checks=args.checks,
        controls=args.controls,
        with_controls=True,
    )
    _scores_and_health(results, args.store)
    if args.checks:
        print("\n" + format_checks(checks_histogram(results), miss_table(results)))
    print(f"\nstore: {args.store}")
    return 0


def _generated(args: argparse.Namespace) -> tuple[Any, Any]:
    """Samples generated as ``args`` say (and resumed from ``--out``), with their tasks."""
    from workbench.generation.generate import generate
    from workbench.inputs.tasks import load_tasks

    tasks = load_tasks(args.data, task=args.task, subset=args.subset, languages=args.languages)
    if args.limit is not None:
        tasks = tasks.groupby(["language", "subset"], dropna=False, sort=False).head(args.limit)
    settings = {k: getattr(args, k) for k in GENERATION_SETTINGS}
    samples = generate(args.model, tasks, out=args.out, progress=not args.quiet, **settings)
    return samples, tasks


# The options of ``generate`` and ``run`` that are ``generate``'s keyword arguments.
GENERATION_SETTINGS = (
    "n",
    "temperature",
    "top_p",
    "max_new_tokens",
    "batch_size",
    "device",
    "dtype",
    "chat_template",
    "system_prompt",
    "seed",
)


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
    results = evaluate(
        samples,
        tasks,
        jobs=args.jobs,
        store=args.store,
        limits=options.limits(args),
        progress=not args.quiet,
        controls=args.controls,
        with_controls=True,
    )
    _scores_and_health(results, args.store)
    print(f"\nsamples: {Path(samples['source_file'].iloc[0]).parent}\nstore: {args.store}")
    return 0


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


def _generation_options(g: argparse.ArgumentParser) -> None:
    """The options of ``generate`` and ``run``."""
    g.add_argument("--model", required=True, help="a hub id or a local model folder")
    options.task(g)
    options.languages(g)
    g.add_argument(
        "--limit", type=int, default=None, help="first N tasks per language (and per subset)"
    )
    options.data(g)
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
    options.quiet(g, help="no progress bar")


def _evaluate_options(e: argparse.ArgumentParser) -> None:
    options.data(
        e, help="McEval folder or hf://owner/name (default: MCEVAL_DATA or ../shared/mceval)"
    )
    e.add_argument("--samples", required=True, type=Path, help="samples JSONL file or folder")
    options.task(
        e,
        default=None,
        help="default: per sample, from its id (-single, -multi, -span, -light-span: completion) "
        "and fields (stage1_*: explanation; else generation)",
    )
    options.languages(e, help="only these languages")
    options.store(e, help="DuckDB results file")
    options.jobs(e, help="parallel executions (default: cores)")
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
        default=None,
        help="the runtime image of --backend docker (default: $WORKBENCH_IMAGE or "
        "mceval-workbench:latest)",
    )
    e.add_argument(
        "--no-cache", action="store_true", help="run again even if the store has the verdict"
    )
    e.add_argument(
        "--checks",
        action="store_true",
        help="then run the failing samples again with every check judged (docs/checks.md)",
    )
    options.run_timeout(e)
    options.controls(e)
    options.quiet(e, help="no progress bar")


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``evaluate``, ``generate`` and ``run`` to the command line."""
    e = sub.add_parser("evaluate", help="run model samples against McEval tasks")
    _evaluate_options(e)
    e.set_defaults(func=_evaluate)

    gen = sub.add_parser(
        "generate", help="samples from a transformers model, in the official evaluator's layout"
    )
    _generation_options(gen)
    gen.set_defaults(func=_generate)

    run = sub.add_parser("run", help="generate, evaluate into the store, print pass@1")
    _generation_options(run)
    options.store(run)
    options.jobs(run, help="parallel executions")
    options.run_timeout(run)
    options.controls(run)
    run.set_defaults(func=_run)
