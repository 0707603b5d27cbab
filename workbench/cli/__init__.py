"""The ``workbench`` command: ``main.py`` (the parser's skeleton and the dispatch) and one module
per group of commands — ``run`` (evaluate, generate, run), ``results`` (results, failures,
compare, report), ``machine`` (doctor, toolchains, image), ``reproduce`` (verify, figures,
demo) — with the options they share in ``options``."""

from __future__ import annotations

from workbench.cli.main import main, parser

__all__ = ["main", "parser"]
