"""McEval Workbench: run, inspect and analyse McEval evaluations.

The public API, in the order data flows: ``load_tasks`` -> ``load_samples`` -> ``evaluate`` ->
``pass_at_1_by_language`` -> ``pass_at_1_chart``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_API = {
    "load_tasks": "workbench.tasks",
    "load_samples": "workbench.samples",
    "prepare": "workbench.samples",
    "evaluate": "workbench.runner",
    "execute": "workbench.executor",
    "Program": "workbench.executor",
    "Store": "workbench.store",
    "pass_at_k": "workbench.metrics",
    "pass_at_1_by_language": "workbench.metrics",
    "pass_at_1_chart": "workbench.charts",
    "save_chart": "workbench.charts",
    "get_language": "workbench.languages",
    "all_languages": "workbench.languages",
    "DEMO_DATA": "workbench.cli",
}
__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    # Imported on first use so ``workbench --help`` and ``import workbench`` stay fast.
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")
