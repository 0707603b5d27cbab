"""McEval Workbench: run, inspect and analyse McEval evaluations.

The public API, in the order data flows: ``load_tasks`` -> ``load_samples`` -> ``evaluate`` ->
``pass_at_k_table`` -> ``pass_at_1_chart`` -> ``save_figure``; around it, the pieces the
notebooks show one at a time (extraction, assembly, limits, intervals, the paper's analyses and
figures). ``import workbench as wb``: every name is imported on first use, and ``dir(wb)`` (a
notebook's tab completion) lists them all.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from workbench.views.notebook import in_kernel

__version__ = "0.1.0"

# Name -> the module that defines it, by stage.
_API = {
    # where things are
    "shared_path": "workbench.paths",
    "outputs_dir": "workbench.paths",
    "DEMO_DATA": "workbench.ops.demo",
    # languages
    "get_language": "workbench.registry.languages",
    "all_languages": "workbench.registry.languages",
    "canonical_times": "workbench.registry.limits",
    "task_limits": "workbench.registry.limits",
    # inputs
    "default_data_dir": "workbench.inputs.tasks",
    "load_tasks": "workbench.inputs.tasks",
    "load_samples": "workbench.inputs.samples",
    "tasks_for_samples": "workbench.inputs.samples",
    # from a model's text to a program
    "generate": "workbench.generation.generate",
    "toy_model": "workbench.generation.toy",
    "extract_code": "workbench.programs.extract",
    "fences": "workbench.programs.extract",
    "build_program": "workbench.programs.assemble",
    "prepare": "workbench.programs.prepare",
    # execution and evaluation
    "Program": "workbench.execution.records",
    "execute": "workbench.execution.execute",
    "missing_tools": "workbench.execution.toolchain",
    "toolchain_version": "workbench.execution.toolchain",
    "evaluate": "workbench.evaluation.runner",
    "run_checks": "workbench.evaluation.checks",
    "Store": "workbench.evaluation.store",
    "annotate": "workbench.evaluation.notes",
    "notes": "workbench.evaluation.notes",
    "mark_defective": "workbench.evaluation.task_defects",
    "restore_task": "workbench.evaluation.task_defects",
    "defect_marks": "workbench.evaluation.task_defects",
    "repair_store": "workbench.evaluation.repair",
    # analysis
    "pass_at_k": "workbench.analysis.passk",
    "task_scores": "workbench.analysis.passk",
    "pass_at_k_table": "workbench.analysis.passk",
    "wilson_interval": "workbench.analysis.intervals",
    "effective_sample_size": "workbench.analysis.intervals",
    "difficulty_table": "workbench.analysis.difficulty",
    "failure_modes": "workbench.analysis.failure_modes",
    "compare_models": "workbench.analysis.compare_models",
    "health": "workbench.analysis.health",
    "has_errors": "workbench.analysis.health",
    "defective_tasks": "workbench.analysis.defects",
    "checks_histogram": "workbench.analysis.wrong_answers",
    "miss_table": "workbench.analysis.wrong_answers",
    "repair_scores": "workbench.analysis.repairs",
    # figures
    "pass_at_1_chart": "workbench.figures.per_language",
    "save_figure": "workbench.figures.theme",
    "counts_chart": "workbench.figures.dataset",
    "language_stats_chart": "workbench.figures.dataset",
    "difficulty_chart": "workbench.figures.difficulty",
    "category_chart": "workbench.figures.categories",
    "markdown_table": "workbench.figures.categories",
    "multiple_chart": "workbench.figures.multiple",
    "tsne_chart": "workbench.figures.representation",
    "dendrogram_chart": "workbench.figures.representation",
    "build_figures": "workbench.figures.build",
    # views and this machine
    "FailureBrowser": "workbench.views.failure_browser",
    "ModelComparison": "workbench.views.model_comparison",
    "comparison_table": "workbench.views.model_comparison",
    "write_report": "workbench.views.report",
    "mark_languages": "workbench.views.health",
    "score_table": "workbench.views.scores",
    "language_statuses": "workbench.ops.doctor",
    "broken_toolchain": "workbench.ops.faults",
}
# Modules offered whole: the paper's analyses, its published numbers, the teaching checks.
_MODULES = {
    "dataset": "workbench.analysis.dataset",
    "categories": "workbench.analysis.categories",
    "multiple": "workbench.analysis.multiple",
    "representation": "workbench.analysis.representation",
    "paper": "workbench.inputs.paper",
    "teaching": "workbench.views.teaching",
}
__all__ = sorted([*_API, *_MODULES])

if TYPE_CHECKING:  # what editors and type checkers see (tests/test_api.py keeps it = _API)
    from workbench.analysis import categories, dataset, multiple, representation
    from workbench.analysis.compare_models import compare_models
    from workbench.analysis.defects import defective_tasks
    from workbench.analysis.difficulty import difficulty_table
    from workbench.analysis.failure_modes import failure_modes
    from workbench.analysis.health import has_errors, health
    from workbench.analysis.intervals import effective_sample_size, wilson_interval
    from workbench.analysis.passk import pass_at_k, pass_at_k_table, task_scores
    from workbench.analysis.repairs import repair_scores
    from workbench.analysis.wrong_answers import checks_histogram, miss_table
    from workbench.evaluation.checks import run_checks
    from workbench.evaluation.notes import annotate, notes
    from workbench.evaluation.repair import repair_store
    from workbench.evaluation.runner import evaluate
    from workbench.evaluation.store import Store
    from workbench.evaluation.task_defects import defect_marks, mark_defective, restore_task
    from workbench.execution.execute import execute
    from workbench.execution.records import Program
    from workbench.execution.toolchain import missing_tools, toolchain_version
    from workbench.figures.build import build_figures
    from workbench.figures.categories import category_chart, markdown_table
    from workbench.figures.dataset import counts_chart, language_stats_chart
    from workbench.figures.difficulty import difficulty_chart
    from workbench.figures.multiple import multiple_chart
    from workbench.figures.per_language import pass_at_1_chart
    from workbench.figures.representation import dendrogram_chart, tsne_chart
    from workbench.figures.theme import save_figure
    from workbench.generation.generate import generate
    from workbench.generation.toy import toy_model
    from workbench.inputs import paper
    from workbench.inputs.samples import load_samples, tasks_for_samples
    from workbench.inputs.tasks import default_data_dir, load_tasks
    from workbench.ops.demo import DEMO_DATA
    from workbench.ops.doctor import language_statuses
    from workbench.ops.faults import broken_toolchain
    from workbench.paths import outputs_dir, shared_path
    from workbench.programs.assemble import build_program
    from workbench.programs.extract import extract_code, fences
    from workbench.programs.prepare import prepare
    from workbench.registry.languages import all_languages, get_language
    from workbench.registry.limits import canonical_times, task_limits
    from workbench.views import teaching
    from workbench.views.failure_browser import FailureBrowser
    from workbench.views.health import mark_languages
    from workbench.views.model_comparison import ModelComparison, comparison_table
    from workbench.views.report import write_report
    from workbench.views.scores import score_table


# Inside a Jupyter kernel, charts render with no network (workbench/views/notebook.py); the
# check is a dict lookup, so a plain ``import workbench`` does not import altair.
if in_kernel():
    from workbench.views.notebook import setup as _offline_charts

    _offline_charts()


def __getattr__(name: str) -> Any:
    # Imported on first use so ``workbench --help`` and ``import workbench`` stay fast.
    if name in _API:
        return getattr(import_module(_API[name]), name)
    if name in _MODULES:
        return import_module(_MODULES[name])
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
