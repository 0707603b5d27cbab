"""McEval Workbench: run, inspect and analyse McEval evaluations.

The public API, in the order data flows: ``load_tasks`` -> ``load_samples`` -> ``evaluate`` ->
``pass_at_k_table`` -> ``pass_at_1_chart`` -> ``save_figure``.
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_API = {
    "load_tasks": "workbench.inputs.tasks",
    "generate": "workbench.generation.generate",
    "load_samples": "workbench.inputs.samples",
    "tasks_for_samples": "workbench.inputs.samples",
    "prepare": "workbench.programs.prepare",
    "evaluate": "workbench.evaluation.runner",
    "execute": "workbench.execution.execute",
    "Program": "workbench.execution.records",
    "Store": "workbench.evaluation.store",
    "pass_at_k": "workbench.analysis.passk",
    "task_scores": "workbench.analysis.passk",
    "pass_at_k_table": "workbench.analysis.passk",
    "failure_modes": "workbench.analysis.failure_modes",
    "compare_models": "workbench.analysis.compare_models",
    "annotate": "workbench.evaluation.notes",
    "notes": "workbench.evaluation.notes",
    "FailureBrowser": "workbench.views.failure_browser",
    "ModelComparison": "workbench.views.model_comparison",
    "write_report": "workbench.views.report",
    "pass_at_1_chart": "workbench.figures.per_language",
    "save_figure": "workbench.figures.theme",
    "get_language": "workbench.registry.languages",
    "all_languages": "workbench.registry.languages",
    "DEMO_DATA": "workbench.ops.demo",
}
__all__ = sorted(_API)


# Inside a Jupyter kernel, charts render with no network (workbench/views/notebook.py); the
# check is a dict lookup, so a plain ``import workbench`` does not import altair.
if "ipykernel" in sys.modules:
    from workbench.views.notebook import setup as _offline_charts

    _offline_charts()


def __getattr__(name: str) -> Any:
    # Imported on first use so ``workbench --help`` and ``import workbench`` stay fast.
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")
