"""The main job on a fresh machine: evaluate the bundled demo outputs and draw their figure."""

from __future__ import annotations

import shlex
from pathlib import Path

import pandas as pd

from workbench.paths import demo_data_dir, outputs_dir

DEMO_DATA = demo_data_dir()
DEMO_FIGURE = "demo_pass_at_1"


def run_demo(
    data: Path | None, store: Path, figures: Path, jobs: int | None = None, progress: bool = True
) -> tuple[pd.DataFrame, list[Path]]:
    """Evaluate the bundled demo outputs and draw the demo figure; returns (results, files):
    the scored rows, then the run's controls (``row_kind`` ``control``)."""
    from workbench.analysis.passk import pass_at_k_table
    from workbench.evaluation.runner import evaluate
    from workbench.figures.per_language import pass_at_1_chart
    from workbench.figures.theme import save_figure
    from workbench.inputs.samples import load_samples
    from workbench.inputs.tasks import load_tasks

    data = data or DEMO_DATA
    samples = load_samples(data / "samples.jsonl")
    tasks = load_tasks(data, languages=sorted({t.split("/", 1)[0] for t in samples["task_id"]}))
    results = evaluate(
        samples,
        tasks,
        jobs=jobs,
        store=store,
        progress=progress,
        limits={"run_timeout": 5.0},
        with_controls=True,  # the rows of its controls too, for the health summary
    )
    table = pass_at_k_table(results, k=1, by="language")
    chart = pass_at_1_chart(table, "Demo: pass@1 per language (synthetic outputs)")
    return results, save_figure(chart, table, figures, DEMO_FIGURE).paths


# The notebooks a newcomer opens next, in order (the README's "Start here" names the same).
FIRST_NOTEBOOKS: tuple[tuple[str, str], ...] = (
    ("00_quickstart", "evaluate outputs and read pass@1 with its interval"),
    ("02_text_to_verdict", "from a model's text to a verdict, with exercises"),
    ("03_failure_analysis", "why samples fail: causes, clusters, the FailureBrowser"),
)


def next_steps(store: Path) -> str:
    """What to do after the demo: JupyterLab and its first notebooks, and the commands that
    read the store the demo wrote."""
    where = shlex.quote(str(store))
    notebooks = "\n".join(
        f"       notebooks/{name}.ipynb: {what}" for name, what in FIRST_NOTEBOOKS
    )
    return (
        "Next steps:\n"
        "  1. make lab     JupyterLab on the notebooks; open, in this order:\n"
        f"{notebooks}\n"
        f"  2. workbench failures --store {where}\n"
        "                  the failing samples' error messages, clustered\n"
        f"  3. workbench report --store {where}\n"
        f"                  one HTML page with everything ({outputs_dir() / 'report.html'}),\n"
        "                  to open in any browser, offline"
    )
