"""Commands that say how far a store's numbers can be trusted and open its failures further:
``health`` (issue 22: the checks of docs/health.md), ``checks`` (issue 26: every check of the
failing samples), ``repair`` (issue 23: the mechanical repairs) and ``defects`` (issue 25: tasks
set aside as defective). Each adds rows of its own kind or its own table to the store; none
changes a scored verdict."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add this group's commands to the ``workbench`` parser."""
