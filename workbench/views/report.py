"""``workbench report``: one self-contained HTML file anyone can open, with no network.

What it holds: whether the numbers can be trusted (the health checks, docs/health.md); pass@1 per
language and model with 95% Wilson intervals (per task kind), in two readings — under the
benchmark's rules, and with the defective tasks set aside, the tasks listed in a footnote; the cause
breakdown; pass@1 as scored and after the mechanical repairs; every check of the wrong answers
opened; the most frequent error-message clusters with example samples; the model comparison
(discordant pairs and the exact McNemar p first, p < 0.05 marked, in both readings); the notes with
their tags; and every failing sample, in task-number order, in a collapsible ``<details>``: its
instruction, its test, the diff of the program that ran with the canonical one, its code and
output. Charts are SVG drawn by vl-convert and embedded as ``data:`` images, styles are inline, and
the page has no script at all: its Content-Security-Policy allows none, so even text that escaped
escaping could not run; every text from a sample is escaped (``workbench.views.detail``).
Per-sample detail is clipped (``CODE_CHARS`` …) to keep the file small: about 4 KB per failing
sample with its task (docs/benchmark.md).
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from workbench.analysis.compare_models import OVERALL, compare_models
from workbench.analysis.defects import applied_defects, defective_tasks
from workbench.analysis.failure_modes import (
    cause_counts,
    cause_order,
    cause_table,
    example_key,
    failure_messages,
    failure_modes,
)
from workbench.analysis.passk import (
    AVG_LABEL,
    DEFECTIVE_COUNT,
    pass_at_k_table,
    select_task_kind,
    status_counts,
)
from workbench.analysis.repairs import recovered, repair_scores
from workbench.analysis.rows import failing, in_task_order, is_failing, of_kind, task_kinds
from workbench.analysis.wrong_answers import checks_histogram, miss_side_by_side, miss_table
from workbench.evaluation.notes import tag_counts
from workbench.evaluation.store import Store
from workbench.execution.records import REPAIRED, SAMPLE_KEY, STATUS_IN_WORDS
from workbench.figures.theme import THEME_NAME, colour_scale, colours_for, register_theme
from workbench.registry.languages import language_names
from workbench.views.detail import STYLE as DETAIL_STYLE
from workbench.views.detail import (
    clip,
    esc,
    facts,
    flag,
    output,
    plural,
    shorten,
    tags_html,
    text,
    unified_diff,
    without_docstring,
)
from workbench.views.health import section_health
from workbench.views.samples import load_results
from workbench.views.scores import footnote_html, shown_scores
from workbench.views.tasks import TaskLookup
from workbench.views.text import shown_comparison
from workbench.views.wrong_answers import checks_chart, misses_html

CODE_CHARS = 1200  # of each failing sample's code shown in the report
OUTPUT_CHARS = 600  # of its stderr and stdout
TASK_CHARS = 800  # of its task's instruction and of its test
DIFF_LINES = 40  # of its diff with the canonical program
SUMMARY_CHARS = 110  # of the message on its one line
TOP_CLUSTERS = 20
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

STYLE = """
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1200px; color: #222;
  padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ccc; }
h3 { font-size: 15px; }
table.t { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
table.t th, table.t td { border: 1px solid #ddd; padding: 2px 8px; text-align: left;
  vertical-align: top; }
table.t td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.t th { background: #f3f3f3; }
table.t td.sig { font-weight: bold; background: #fff3cd; }
details.s { border-bottom: 1px solid #eee; padding: 2px 0; }
details.s > summary { cursor: pointer; font-size: 13px; }
details.g > summary { cursor: pointer; font-weight: bold; margin: 6px 0; }
.muted { color: #666; } code { font-size: 12px; }
img.chart { max-width: 100%; }
td.ex { font-size: 12px; white-space: nowrap; }
"""

# What a failing sample's detail lists (its status and cause are in its summary line).
SUMMARY_FIELDS: tuple[tuple[str, str], ...] = (
    ("detail", "cause_detail"),
    ("error", "error_line"),
    ("failing check", "failing_check"),
    ("expected", "expected"),
    ("actual", "actual"),
    ("miss", "miss"),
)


# The columns a failing sample's detail reads.
DETAIL_COLUMNS: tuple[str, ...] = (
    *SAMPLE_KEY,
    "language",
    "status",
    "cause",
    *(column for _, column in SUMMARY_FIELDS),
    "message",
    "code",
    "program",
    "program_hash",
    "stderr",
    "stdout",
    "output_truncated",
    "tags",
    "note",
    "note_author",
    "note_time",
)


def anchor(row: dict | pd.Series) -> str:
    """The HTML id of a sample's detail: a digest of its key (ids must not carry its text)."""
    key = "\0".join(str(row[k]) for k in SAMPLE_KEY)
    return "s-" + hashlib.sha1(key.encode()).hexdigest()[:12]


def svg_image(chart: alt.TopLevelMixin, alt_text: str) -> str:
    """``chart`` drawn to SVG by vl-convert (the workbench theme), as an inline data: image."""
    register_theme()
    buffer = io.StringIO()
    with alt.theme.enable(THEME_NAME), alt.data_transformers.disable_max_rows():
        chart.save(buffer, format="svg")
    encoded = base64.b64encode(buffer.getvalue().encode()).decode()
    return f'<img class="chart" alt="{esc(alt_text)}" src="data:image/svg+xml;base64,{encoded}">'


def table_html(
    frame: pd.DataFrame,
    numeric: Iterable[str] = (),
    marked: Callable[[str, Any], bool] | None = None,
) -> str:
    """A small table, every cell escaped; ``numeric`` columns right-aligned, cells for which
    ``marked(column, value)`` holds set off (class ``sig``)."""
    numeric = set(numeric)
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False):
        cells = []
        for column, value in zip(frame.columns, values, strict=True):
            classes = " ".join(
                name
                for name, on in (
                    ("n", column in numeric),
                    ("sig", marked is not None and marked(column, value)),
                )
                if on
            )
            cells.append(
                f'<td class="{classes}">{esc(value)}</td>' if classes else f"<td>{esc(value)}</td>"
            )
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f'<table class="t"><tr>{head}</tr>{"".join(rows)}</table>'


def _percent(value: float) -> str:
    return "" if pd.isna(value) else f"{value * 100:.1f}"


def scores_table(results: pd.DataFrame, defects: pd.DataFrame | None = None) -> pd.DataFrame:
    """pass@1 with its interval per task kind, model and language (AVG per model too); with
    ``defects``, the second reading with them set aside beside it."""
    frames = []
    for task, subset in task_kinds(results):
        table = pass_at_k_table(
            select_task_kind(results, task, subset), k=1, by="language", set_aside=defects
        )
        table.insert(0, "task", task if subset is None else f"{task}/{subset}")
        frames.append(table)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def scores_chart(scores: pd.DataFrame) -> alt.FacetChart:
    """pass@1 in % (points) with its 95% interval (rules) per language and model, a row per
    task: the benchmark's reading, on the same 0–100 scale as every table of the report."""
    data = scores.dropna(subset=["pass_at_1"]).copy()
    for column in ("pass_at_1", "pass_at_1_low", "pass_at_1_high"):
        data[column] = data[column] * 100
    models = sorted(data["model"].unique())
    order = [*[x for x in language_names() if x in set(data["language"])], AVG_LABEL]
    x = alt.X("language:N", sort=order, title=None, axis=alt.Axis(labelAngle=-40))
    offset = alt.XOffset("model:N", sort=models)
    colour = alt.Color(
        "model:N",
        sort=models,
        scale=colour_scale(models, colours_for(models)),
        title="model",
        legend=alt.Legend(orient="top", columns=4),
    )
    base = alt.Chart().encode(x=x, xOffset=offset, color=colour)
    rules = base.mark_rule(strokeWidth=1.5).encode(
        y=alt.Y("pass_at_1_low:Q", title="pass@1 (%)", scale=alt.Scale(domain=[0, 100])),
        y2="pass_at_1_high:Q",
    )
    points = base.mark_point(size=40).encode(y="pass_at_1:Q")
    return (
        alt.layer(rules, points, data=data)
        .properties(width=alt.Step(10 * len(models) + 12), height=180)
        .facet(row=alt.Row("task:N", title=None))
        .resolve_scale(x="independent")
    )


def causes_chart(counts: pd.DataFrame) -> alt.Chart:
    """Stacked bars: each model's failures split by cause (``cause_counts``)."""
    order = cause_order(counts["cause"].unique())
    data = counts.copy()
    data["rank"] = data["cause"].map({c: i for i, c in enumerate(order)})
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("model:N", title=None),
            x=alt.X("count:Q", title="failing samples"),
            color=alt.Color("cause:N", sort=order, scale=alt.Scale(scheme="tableau20")),
            order=alt.Order("rank:Q"),
        )
        .properties(width=640, height=alt.Step(22))
    )


def _intervals(low: pd.Series, high: pd.Series) -> list[str]:
    """Each interval as ``low–high`` in percent ('' where there is none)."""
    return [
        f"{_percent(lo)}–{_percent(hi)}" if pd.notna(lo) else ""
        for lo, hi in zip(low, high, strict=True)
    ]


def _section_scores(results: pd.DataFrame, defects: pd.DataFrame) -> str:
    scores = scores_table(results, defects)
    if scores.empty:
        return "<h2>pass@1</h2><p>no results</p>"
    shown = shown_scores(scores, 1).rename(
        columns={"n_tasks": "tasks", "n_samples": "samples", "n_passed": "passed"}
    )
    shown = shown.rename(columns={"n_excluded": "excluded"})
    numeric = ["tasks", "samples", "passed", "excluded", DEFECTIVE_COUNT]
    return (
        "<h2>pass@1 per language and model</h2>"
        '<p class="muted">Points: pass@1 under the benchmark\'s rules, in %; bars: 95% Wilson '
        "interval over tasks. Samples with a machine status (toolchain missing, infrastructure "
        "error) are excluded. The table gives both readings: under the benchmark's rules, and "
        "with the defective tasks set aside.</p>"
        + svg_image(scores_chart(scores), "pass@1 (%) per language and model")
        + '<details class="g"><summary>the table, in both readings</summary>'
        + table_html(shown, numeric)
        + "</details>"
        + footnote_html(applied_defects(results, defects), len(defects))
    )


def _section_causes(failures: pd.DataFrame) -> str:
    if failures.empty:
        return "<h2>Why samples fail</h2><p>no failures</p>"
    table = cause_table(failures)
    numeric = [c for c in table.columns if c != "cause"]
    return (
        "<h2>Why samples fail</h2>"
        + svg_image(causes_chart(cause_counts(failures)), "failures per cause and model")
        + table_html(table, numeric)
    )


def _section_repairs(results: pd.DataFrame) -> str:
    """pass@1 as scored and after the mechanical repairs per model and language, and which
    repairs recovered how many samples (``analysis.repairs``; ``results`` of every kind)."""
    if of_kind(results, REPAIRED).empty:
        return (
            '<h2>As scored and after repair</h2><p class="muted">No repaired runs in this '
            "store: <code>workbench repair --store S</code> reruns the failing samples a "
            "mechanical repair changes (docs/causes.md).</p>"
        )
    scores = repair_scores(results)
    shown = pd.DataFrame(
        {
            "model": scores["model"],
            "language": scores["language"],
            "tasks": scores["n_tasks"],
            "pass@1 %": scores["pass_at_1"].map(_percent),
            "95% interval %": _intervals(scores["pass_at_1_low"], scores["pass_at_1_high"]),
            "after repair %": scores["pass_at_1_after_repair"].map(_percent),
            "after, 95% interval %": _intervals(
                scores["pass_at_1_low_after_repair"], scores["pass_at_1_high_after_repair"]
            ),
            "repaired": scores["n_repaired"],
            "recovered": scores["n_recovered"],
        }
    )
    which = recovered(results)
    return (
        "<h2>As scored and after repair</h2>"
        '<p class="muted">After repair: a failing sample\'s verdict after the mechanical '
        "repairs (docs/causes.md) where one applied; every other sample keeps its scored "
        "verdict, and the scored verdicts above are unchanged. Intervals: 95% Wilson over "
        "tasks. Repaired: failing samples rerun after a repair; recovered: those that passed "
        "then.</p>"
        + table_html(shown, ["tasks", "pass@1 %", "after repair %", "repaired", "recovered"])
        + "<h3>Which repairs recovered how many samples</h3>"
        + table_html(which, ["tried", "recovered"])
    )


def _section_clusters(results: pd.DataFrame, shown: set[str]) -> str:
    table = failure_modes(results, by=[]).head(TOP_CLUSTERS)
    if table.empty:
        return ""
    rows = []
    for row in table.to_dict("records"):
        links = []
        for example in row["examples"]:
            label = esc(example_key(example))
            target = anchor(example)
            links.append(f'<a href="#{target}">{label}</a>' if target in shown else label)
        rows.append(
            f'<tr><td class="n">{row["cluster"]}</td><td class="n">{row["count"]}</td>'
            f'<td class="n">{row["share"] * 100:.1f}</td><td>{esc(row.get("cause"))}</td>'
            f'<td><code>{esc(row["template"])}</code><br><span class="muted">e.g. '
            f'{esc(row["message"])}</span></td><td class="ex">{"<br>".join(links)}</td></tr>'
        )
    return (
        f"<h2>Top {len(table)} error-message clusters</h2>"
        '<p class="muted">Messages with what varies between samples (locations, names, '
        "numbers) replaced by placeholders, near-duplicates merged.</p>"
        '<table class="t"><tr><th>cluster</th><th>count</th><th>share %</th><th>cause</th>'
        f"<th>template and one message</th><th>examples</th></tr>{''.join(rows)}</table>"
    )


def _section_checks(results: pd.DataFrame) -> str:
    """Every check of the failing samples (docs/checks.md): how many passed, per model and
    language, and the kinds of miss of the wrong answers, side by side per model."""
    histogram = checks_histogram(results)
    if histogram.empty or not histogram["opened"].any():
        return ""
    opened = histogram[histogram["opened"] > 0]
    misses = miss_table(results)
    models = sorted(results["model"].unique())
    side = miss_side_by_side(results, models) if len(models) > 1 else pd.DataFrame()
    numeric = [c for c in histogram.columns if c not in ("model", "language")]
    return (
        "<h2>Wrong answers, every check opened</h2>"
        '<p class="muted">The failing samples run again with every check of their test judged '
        "(<code>workbench checks</code>); the verdicts are the scored ones. Bars: the opened "
        "samples by how many of their checks passed. <i>not opened</i>: failing samples the "
        "second run did not judge (not a failed check or an error inside one, or not run yet); "
        "<i>no checks read</i>: a language without a technique, or a test it cannot read.</p>"
        + svg_image(checks_chart(opened), "checks passed per model and language")
        + table_html(histogram, numeric)
        + "<h3>Kinds of miss of the wrong answers</h3>"
        + misses_html(misses)
        + (f"<h3>Side by side, per language</h3>{misses_html(side)}" if not side.empty else "")
    )


def _section_comparison(results: pd.DataFrame, defects: pd.DataFrame) -> str:
    models = sorted(results["model"].unique())
    if len(models) < 2:
        return ""
    comparison = compare_models(results, models, set_aside=defects)
    table = comparison.table
    overall = table[(table["language"] == OVERALL) & (table["n_pairs"] > 0)]
    if overall.empty:
        return "<h2>Models compared</h2><p>no two models answered the same samples</p>"
    parts = [
        "<h2>Models compared</h2>",
        '<p class="muted">On the samples both models answered. only A, only B: the pairs where '
        "exactly one model passed; p: exact McNemar test on them, <b>marked *</b> below 0.05; "
        "the columns marked <i>aside</i> are the same with the defective tasks set aside.</p>",
    ]
    pair = overall["model_a"] + " vs " + overall["model_b"]
    summary = shown_comparison(overall).drop(columns="language")
    summary.insert(0, "pair", pair.to_numpy())
    parts.append(_comparison_html(summary, "pair"))
    for (a, b), part in table.groupby(["model_a", "model_b"], sort=False):
        if part["n_pairs"].sum() == 0:
            continue
        per_language = shown_comparison(part[part["n_pairs"] > 0])
        parts.append(
            f'<details class="g"><summary>A = {esc(a)}, B = {esc(b)}: per language</summary>'
            + _comparison_html(per_language, "language")
            + "</details>"
        )
    return "".join(parts)


def _comparison_html(frame: pd.DataFrame, first: str) -> str:
    """A comparison table with its p-values below 0.05 marked (bold, ``sig``)."""
    return table_html(
        frame,
        [c for c in frame.columns if c != first],
        marked=lambda column, value: column.startswith("p") and str(value).endswith(" *"),
    )


def _summary(row: dict) -> str:
    """A failing sample's one line: key, task kind, status (in words on hover), cause, its
    message cut at a word, its tags and whether it carries a note."""
    status = text(row["status"])
    message = shorten(text(row.get("error_line")) or row.get("message"), SUMMARY_CHARS)
    noted = ' <span class="muted">✎ note</span>' if text(row.get("note")) else ""
    tags = f" {tags_html(row.get('tags'))}" if row.get("tags") else ""
    return (
        f"{esc(row['task_id'])} #{esc(row['sample_index'])} · {esc(row['task'])} · "
        f'<b title="{esc(STATUS_IN_WORDS.get(status, status))}">{esc(status)}</b>'
        + (f" · {esc(row.get('cause'))}" if text(row.get("cause")) else "")
        + (f' — <span class="muted">{esc(message)}</span>' if message else "")
        + tags
        + noted
    )


def _task_parts(row: dict, lookup: TaskLookup) -> list[str]:
    """The failing sample's task: its instruction and test, and the diff of the program that
    ran with the canonical one — or why the task is not at hand."""
    task, why = lookup.find(row)
    if task is None:
        return [f'<p class="muted"><i>{esc(why)}</i></p>']
    parts = ["<h4>instruction</h4>", f"<pre>{esc(clip(task.get('instruction'), TASK_CHARS))}</pre>"]
    if text(task.get("test")).strip():
        parts += ["<h4>test</h4>", f"<pre>{esc(clip(task.get('test'), TASK_CHARS))}</pre>"]
    reference = lookup.reference(task)
    if reference is not None:
        program = text(row.get("program"))
        shown, trimmed = without_docstring(reference, program, task)
        title = "canonical program" + (" (its docstring left out)" if trimmed else "")
        parts += [
            "<h4>diff with the canonical solution</h4>",
            unified_diff(program, shown, "program that ran", title, limit=DIFF_LINES),
        ]
    return parts


def _sample_detail(row: dict, lookup: TaskLookup) -> str:
    code = clip(row.get("code"), CODE_CHARS)
    note = ""
    if row.get("tags") or text(row.get("note")):
        note = (
            f"<p>note: {tags_html(row.get('tags'))} {esc(row.get('note'))} "
            f'<span class="muted">({esc(row.get("note_author"))}, '
            f"{esc(row.get('note_time'))})</span></p>"
        )
    return (
        f'<details class="s" id="{anchor(row)}"><summary>{_summary(row)}</summary>'
        f'<div class="wb-detail">{facts(row, SUMMARY_FIELDS)}{note}'
        + "".join(_task_parts(row, lookup))
        + f"<h4>model's code</h4><pre>{esc(code)}</pre><h4>stderr</h4>"
        f"{output(clip(row.get('stderr'), OUTPUT_CHARS), flag(row.get('output_truncated')))}"
        + (
            f"<h4>stdout</h4>{output(clip(row.get('stdout'), OUTPUT_CHARS))}"
            if text(row.get("stdout"))
            else ""
        )
        + "</div></details>"
    )


def _section_samples(failures: pd.DataFrame, lookup: TaskLookup) -> str:
    if failures.empty:
        return ""
    order = in_task_order(failures)
    # Only what a detail shows: turning the big columns (raw text) into dicts costs.
    shown = [c for c in DETAIL_COLUMNS if c in order.columns]
    parts = [f"<h2>Failing samples ({len(order)})</h2>"]
    rows = order[shown].to_dict("records")
    for (model, language), group in groupby(rows, key=lambda r: (r["model"], r["language"])):
        samples = [_sample_detail(row, lookup) for row in group]
        parts.append(
            f'<details class="g"><summary>{esc(model)} · {esc(language)} ({len(samples)})'
            f"</summary>{''.join(samples)}</details>"
        )
    return "".join(parts)


def _section_notes(results: pd.DataFrame) -> str:
    noted = in_task_order(
        results[
            results["tags"].map(lambda t: bool(t)) | results["note"].map(lambda n: bool(text(n)))
        ]
    )
    if noted.empty:
        return "<h2>Notes</h2><p>no notes yet (<code>workbench.annotate</code>)</p>"
    counts = tag_counts(noted)
    listed = ", ".join(f'{tags_html([t])} <span class="muted">({n})</span>' for t, n in counts)
    rows = []
    for row in noted.to_dict("records"):
        key = esc(f"{row['task_id']} #{row['sample_index']} ({row['model']}, {row['task']})")
        linked = f'<a href="#{anchor(row)}">{key}</a>' if is_failing(row["status"]) else key
        rows.append(
            f"<tr><td>{linked}</td>"
            f'<td>{esc(row["status"])}</td><td class="tags">{tags_html(row.get("tags"))}</td>'
            f"<td>{esc(row.get('note'))}</td><td>{esc(row.get('note_author'))}</td>"
            f"<td>{esc(row.get('note_time'))}</td></tr>"
        )
    return (
        f"<h2>Notes ({len(noted)})</h2>"
        + (f"<p>tags: {listed}</p>" if counts else "")
        + '<table class="t"><tr><th>sample</th><th>status</th><th>tags</th><th>note</th>'
        f"<th>author</th><th>time</th></tr>{''.join(rows)}</table>"
    )


def report_html(
    results: pd.DataFrame,
    title: str = "McEval failure report",
    source: str = "",
    *,
    defects: pd.DataFrame | None = None,
    lookup: TaskLookup | None = None,
) -> str:
    """The report of ``results`` (with note columns: ``load_results`` / ``with_notes``) as one
    HTML document. ``defects``: the defective tasks the second reading of the scores sets aside
    (default: the shipped list); ``lookup``: where the failing samples' tasks are found
    (default: the McEval data, then the bundled demo)."""
    trust = section_health(results)  # every kind of row: the controls, probes and repeats too
    every_kind, results = results, of_kind(results)
    defects = defective_tasks() if defects is None else defects
    lookup = lookup or TaskLookup()
    failures = failing(results)
    failures = failures.assign(message=failure_messages(failures))
    anchors = {anchor(r) for r in failures[list(SAMPLE_KEY)].to_dict("records")}
    statuses = status_counts(results, by=["model"])
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    counted = ", ".join(
        [
            plural(len(results), "sample"),
            plural(results["model"].nunique(), "model"),
            plural(results["language"].nunique(), "language"),
            f"{len(failures)} failing",
        ]
    )
    head = (
        f'<h1>{esc(title)}</h1><p class="muted">{esc(source)} · generated {made} · {counted}</p>'
        + table_html(statuses, [c for c in statuses.columns if c != "model"])
    )
    body = "".join(
        [
            head,
            trust,
            _section_scores(results, defects),
            _section_causes(failures),
            _section_repairs(every_kind),
            _section_clusters(results, anchors),
            _section_checks(results),
            _section_comparison(results, defects),
            _section_notes(results),
            _section_samples(failures, lookup),
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{STYLE}{DETAIL_STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def write_report(
    source: pd.DataFrame | Store | str | Path,
    out: str | Path,
    title: str = "McEval failure report",
    *,
    tasks: pd.DataFrame | None = None,
    data: str | Path | None = None,
) -> Path:
    """Write the report of a results table or store (notes, the runs beside the scored ones and
    the store's defective tasks included) to ``out``. ``tasks`` or ``data`` (a McEval folder) give
    the failing samples' instructions, tests and canonical solutions (default: the McEval data,
    then the demo)."""
    results, where = load_results(source, kinds=None)
    label = str(getattr(where, "path", where)) if where is not None else "results table"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    page = report_html(
        results,
        title,
        f"store: {label}",
        defects=defective_tasks(where),
        lookup=TaskLookup(tasks, data),
    )
    out.write_text(page, encoding="utf-8")
    return out
