"""What the benchmarks share: where the McEval data is."""

from __future__ import annotations

import sys
from pathlib import Path

from workbench.inputs.tasks import default_data_dir


def mceval_data(given: str | Path | None) -> str | Path:
    """``--data`` when given, else ``MCEVAL_DATA`` or ``../shared/mceval``; without any, the
    benchmark stops with exit status 2 and says how to provide it."""
    data = given or default_data_dir()
    if data is None:
        print("McEval data not found: set MCEVAL_DATA or pass --data", file=sys.stderr)
        raise SystemExit(2)
    return data
