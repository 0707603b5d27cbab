"""The ``workbench`` command line: the parser's skeleton and the dispatch. Each group of commands
lives in a module of its own, which adds its commands (``register``) and runs them."""

from __future__ import annotations

import argparse
import sys

from workbench.cli import defects, machine, reproduce, results, run, trust
from workbench.errors import WorkbenchError

DESCRIPTION = "The ``workbench`` command line."
# The command groups, in the order ``workbench --help`` lists their commands.
GROUPS = (run, results, trust, defects, reproduce, machine)


def parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    p = argparse.ArgumentParser(prog="workbench", description=DESCRIPTION)
    sub = p.add_subparsers(dest="command", required=True)
    for group in GROUPS:
        group.register(sub)
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
