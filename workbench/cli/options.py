"""Options several commands share, each built once from the package's own constants: the store
(``paths.DEFAULT_STORE``), the McEval data, the task kinds and completion subsets (``records``),
languages, jobs, output formats."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.errors import InputError
from workbench.execution.records import CONTROLS_PER_KIND, SUBSETS, TASK_KINDS
from workbench.paths import DEFAULT_STORE

FORMATS = ("table", "csv", "json")
DATA_HELP = "McEval folder (default: MCEVAL_DATA or ../shared/mceval)"


def store(p: argparse.ArgumentParser, default: Path | None = DEFAULT_STORE, **kw: str) -> None:
    """``--store``: the DuckDB results file."""
    p.add_argument("--store", type=Path, default=default, **kw)


def data(p: argparse.ArgumentParser, help: str = DATA_HELP, **kw: object) -> None:
    """``--data``: where the McEval tasks are."""
    p.add_argument("--data", default=None, help=help, **kw)  # type: ignore[arg-type]


def task(p: argparse.ArgumentParser, default: str | None = "generation", **kw: str) -> None:
    """``--task`` (one of ``TASK_KINDS``) and ``--subset`` (a completion subset)."""
    p.add_argument("--task", default=default, choices=TASK_KINDS, **kw)
    p.add_argument("--subset", default=None, choices=SUBSETS)


def languages(p: argparse.ArgumentParser, **kw: str) -> None:
    """``--languages``: only these languages."""
    p.add_argument("--languages", nargs="+", default=None, **kw)


def models(p: argparse.ArgumentParser) -> None:
    """``--model M ...``: only these models' samples of the store."""
    p.add_argument(
        "--model", nargs="+", default=None, metavar="M", help="only these models' samples"
    )


def jobs(p: argparse.ArgumentParser, **kw: str) -> None:
    """``--jobs``: parallel executions."""
    p.add_argument("--jobs", type=int, default=None, **kw)


def quiet(p: argparse.ArgumentParser, **kw: str) -> None:
    """``--quiet``: no progress bar."""
    p.add_argument("--quiet", action="store_true", **kw)


def run_timeout(p: argparse.ArgumentParser) -> None:
    """``--run-timeout``: one run time limit for every program."""
    p.add_argument(
        "--run-timeout", type=float, default=None, help="override every run time limit (s)"
    )


def controls(p: argparse.ArgumentParser) -> None:
    """``--controls N``: canonical solutions judged beside the samples (docs/health.md)."""
    p.add_argument(
        "--controls",
        type=int,
        default=CONTROLS_PER_KIND,
        metavar="N",
        help="canonical solutions known to pass judged per language and task kind, uncached, "
        f"to check the machine (default: {CONTROLS_PER_KIND}; 0: none)",
    )


def output_format(p: argparse.ArgumentParser) -> None:
    """``--format``: a text table, CSV or JSON."""
    p.add_argument("--format", default="table", choices=FORMATS)


def limits(args: argparse.Namespace) -> dict[str, float] | None:
    """The run limits the options override (``--run-timeout``), or None."""
    return {"run_timeout": args.run_timeout} if args.run_timeout else None


def open_store(path: Path):  # -> Store; the store module is imported when a command runs
    """The results store at ``path``; an InputError when there is none (opening would create
    an empty one)."""
    from workbench.evaluation.store import Store

    if not path.is_file():
        raise InputError("no results store here", file=path)
    return Store(path)
