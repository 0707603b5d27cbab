"""``workbench figures``: regenerate every figure that the available data allows.

Always (shipped data under data/paper): per-language charts, paradigm/scenario tables, McEval vs
MultiPL-E, and the base-vs-fine-tune comparison. With the McEval data (``--data``, $MCEVAL_DATA
or ../shared/mceval): dataset statistics and the representation analysis. With a results store
(``--results``): the same analyses on the user's own results, plus the difficulty breakdown.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd

from workbench.errors import InputError, WorkbenchError
from workbench.figures.theme import FORMATS, FigureFiles

EMBEDDER_ENV = "WORKBENCH_EMBEDDER"

# The shipped comparison: mCoder is the paper's CodeQwen1.5-7B fine-tuned on its McEval-Instruct
# data; CodeQwen1.5-7B-Chat, the vendor's own instruction tune of the same base, is the other
# entry of that family on the explanation leaderboard.
SHIPPED_COMPARISON = ("explanation", None, ("CodeQwen1.5-7B-Chat", "mCoder"))


def _say(quiet: bool) -> Callable[[str], None]:
    return (lambda _line: None) if quiet else (lambda line: print(line, flush=True))


def shipped_figures(
    out: Path, formats: Sequence[str], say: Callable[[str], None]
) -> list[FigureFiles]:
    """Figures computed from data/paper alone."""
    from workbench.figures.categories import category_figures
    from workbench.figures.compare import compare_figure
    from workbench.figures.multiple import multiple_figures
    from workbench.figures.per_language import leaderboard_figures, task_label, task_slug
    from workbench.inputs.paper import LEADERBOARD_KINDS, load_leaderboard, task_counts_for

    formats = tuple(formats)
    board = load_leaderboard()
    files: list[FigureFiles] = []
    for figure in leaderboard_figures(out / "per_language", formats=formats, leaderboard=board):
        say(figure.describe())
        files.append(figure)
    for task, subset in LEADERBOARD_KINDS:
        rows = board[
            (board["task"] == task)
            & (board["subset"].isna() if subset is None else board["subset"] == subset)
        ]
        counts = task_counts_for(task, subset)
        for figure in category_figures(
            rows,
            counts,
            out / "categories",
            task_slug(task, subset),
            f"McEval {task_label(task, subset)} (leaderboard)",
            formats=formats,
        ):
            say(figure.describe())
            files.append(figure)
    figure, joined = multiple_figures(out / "multiple", formats=formats)
    say(figure.describe())
    say(f"  {len(joined.points)} models paired; unpaired: " + ", ".join(joined.unmatched["name"]))
    files.append(figure)
    task, subset, models = SHIPPED_COMPARISON
    rows = board[(board["task"] == task) & board["subset"].isna()]
    figure = compare_figure(
        rows,
        list(models),
        out / "compare",
        f"{task}-codeqwen-vs-mcoder",
        f"McEval {task}: {models[0]} vs {models[1]} (CodeQwen1.5-7B tuned on McEval-Instruct)",
        "source: McEval leaderboard (published pass@1); AVG = mean over the 40 languages",
        formats=formats,
    )
    say(figure.describe())
    files.append(figure)
    return files


def dataset_figures(
    out: Path,
    data: Path,
    formats: Sequence[str],
    say: Callable[[str], None],
    *,
    embedder: str,
    tokenizer: str | None,
    cache_dir: Path | None,
) -> list[FigureFiles]:
    """Figures that need the McEval data itself."""
    from workbench.analysis.dataset import get_tokenizer, load_all_tasks
    from workbench.analysis.representation import EmbeddingCache, get_embedder, snippets_from_tasks
    from workbench.figures.dataset import stats_figures
    from workbench.figures.representation import representation_figures

    tasks = load_all_tasks(data)
    files = stats_figures(out / "dataset", tasks, get_tokenizer(tokenizer), formats=tuple(formats))
    for figure in files:
        say(figure.describe())
    chosen = get_embedder(embedder)
    say(f"embedding {len(tasks[tasks['task'] == 'generation'])} snippets with {chosen.name} ...")
    figures, rep = representation_figures(
        out / "representation",
        snippets_from_tasks(tasks),
        chosen,
        EmbeddingCache(cache_dir),
        formats=tuple(formats),
    )
    for figure in figures:
        say(figure.describe())
    say(
        f"  silhouette by language {rep.silhouette_embedding:.3f} (embeddings), "
        f"{rep.silhouette_tsne:.3f} (t-SNE); families in one subtree: "
        + (", ".join(rep.families.loc[rep.families["exclusive"].astype(bool), "family"]) or "none")
    )
    return files + figures


def read_results(path: Path) -> pd.DataFrame:
    """The ``executions`` table of a results store; ``InputError`` when there is none."""
    from workbench.evaluation.store import Store

    path = Path(path)
    # Store() would create an empty store at a mistyped path; a figure run must not.
    if not path.is_file():
        raise InputError("no results store at this path", file=path)
    with Store(path) as store:
        return store.results()


def results_figures(
    out: Path,
    results: pd.DataFrame,
    formats: Sequence[str],
    say: Callable[[str], None],
    source: str,
) -> list[FigureFiles]:
    """The analyses on a results store, per task kind: per language, categories, difficulty,
    comparison. Every score comes from ``pass_at_k_table``."""
    from workbench.analysis.passk import AVG_LABEL, pass_at_k_table, select_task_kind
    from workbench.analysis.rows import task_kinds
    from workbench.figures.categories import category_figures
    from workbench.figures.compare import compare_figure
    from workbench.figures.difficulty import difficulty_figure
    from workbench.figures.per_language import results_figure, task_label, task_slug

    formats = tuple(formats)
    files: list[FigureFiles] = []
    for task, subset in task_kinds(results):
        scores = pass_at_k_table(select_task_kind(results, task, subset), k=1, by="language")
        files.append(
            results_figure(
                scores, out / "per_language", task, subset, formats=formats, source=source
            )
        )
        rows = scores[(scores["language"] != AVG_LABEL) & scores["pass_at_1"].notna()]
        counts = rows.groupby("language", sort=False)["n_tasks"].max().reset_index()
        slug, label = task_slug(task, subset), task_label(task, subset)
        files += category_figures(
            rows, counts, out / "categories", f"results-{slug}", label, formats=formats
        )
        figure = difficulty_figure(
            results, out / "difficulty", task=task, subset=subset, formats=formats, source=source
        )
        if figure is not None:
            files.append(figure)
        models = list(dict.fromkeys(rows["model"]))
        if len(models) >= 2:
            files.append(
                compare_figure(
                    rows,
                    models,
                    out / "compare",
                    f"results-{slug}",
                    f"{label}: result sets compared",
                    f"source: {source}; first model is the baseline for the deltas",
                    formats=formats,
                )
            )
        else:
            say(
                f"skipped results comparison for {label}: "
                f"one model only ({models[0] if models else 'none'})"
            )
    for figure in files:
        say(figure.describe())
    return files


def build_figures(
    out: Path,
    results: Path | None = None,
    data: Path | None = None,
    *,
    embedder: str | None = None,
    tokenizer: str | None = None,
    formats: Sequence[str] = FORMATS,
    cache_dir: Path | None = None,
    quiet: bool = False,
) -> list[Path]:
    """Write every figure the available data allows into ``out``; returns the paths written.

    ``data`` defaults to $MCEVAL_DATA or ../shared/mceval; figures that need it are skipped
    (with a line saying so) when it is absent. ``embedder`` defaults to $WORKBENCH_EMBEDDER or
    "auto"; ``formats`` may drop "svg"/"png" to recompute the CSVs only.
    """
    from workbench.inputs.tasks import default_data_dir

    say = _say(quiet)
    started = time.perf_counter()
    out = Path(out)
    frame = None
    if results is not None:  # read first: a wrong path fails before any work is done
        frame = read_results(Path(results))
    files = shipped_figures(out, formats, say)

    source = Path(data) if data is not None else default_data_dir()
    if source is None or not (source / "generation").is_dir():
        where = f" at {source}" if source is not None else ""
        say(
            f"skipped dataset statistics and representation figures: McEval data not found{where} "
            "(pass --data DIR or set MCEVAL_DATA)"
        )
    else:
        try:
            files += dataset_figures(
                out,
                source,
                formats,
                say,
                embedder=embedder or os.environ.get(EMBEDDER_ENV) or "auto",
                tokenizer=tokenizer,
                cache_dir=cache_dir,
            )
        except WorkbenchError as exc:
            say(f"skipped dataset figures: {exc}")

    if frame is not None:
        if frame.empty:
            say(f"skipped results figures: {results} holds no results yet")
        else:
            files += results_figures(out / "results", frame, formats, say, source=str(results))

    paths = [p for f in files for p in f.paths]
    say(
        f"{len(files)} figures ({len(paths)} files) in {out} in {time.perf_counter() - started:.1f} s"
    )
    return paths
