"""Scorers: judge languages whose answers are compared rather than run against a test.

A scorer is called by the executor with the language, the program (the model's answer), the
limits, the prepared work folder (support files already copied in, the answer written to the
language's source file) and a partly filled ``Execution``; it returns that Execution with its
status and reason set. The registry names a scorer with ``scorer = "<key of SCORERS>"``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from workbench.executor import Execution, Program
from workbench.languages import Language, Limits

Scorer = Callable[[Language, Program, Limits, Path, Execution], Execution]

SCORERS: dict[str, Scorer] = {}
