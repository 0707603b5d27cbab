"""``--help`` of the program and of every command, the first thing a newcomer types.

The commands are read from the parser itself (nested ones included), so a command added later is
covered without touching this test. argparse formats help texts with ``%``: a bare ``%`` in a
help string ("95% Wilson") crashed ``workbench --help`` while each command's own help worked.
"""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest

from workbench.cli import main, parser


def command_paths(
    p: argparse.ArgumentParser, prefix: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    """Every command path of ``p``: ``()`` for the program, ``("image", "build")`` for a nested one."""
    paths = [prefix]
    for action in p._actions:  # argparse offers no public walk of its subparsers
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                paths += command_paths(sub, (*prefix, name))
    return paths


COMMANDS = command_paths(parser())


def test_the_walk_finds_the_commands() -> None:
    names = {path[0] for path in COMMANDS if path}
    assert {"evaluate", "results", "failures", "report", "doctor", "image", "demo"} <= names
    assert () in COMMANDS  # the program's own help


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "workbench")
def test_help_exits_0_and_describes_the_command(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main([*path, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: workbench")
    assert " ".join(("workbench", *path)) in out.splitlines()[0] + out


def test_the_installed_entry_point_prints_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "workbench.cli", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "95% Wilson" in done.stdout


def test_the_parser_imports_nothing_heavy() -> None:
    # ``workbench --help`` answers at once: the command modules import their work when it runs.
    code = (
        "import sys; from workbench.cli import parser; parser(); "
        "print([m for m in ('pandas', 'duckdb', 'numpy') if m in sys.modules])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
