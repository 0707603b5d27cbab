"""``workbench report``: one self-contained HTML file anyone can open, with no network.

What it holds: pass@1 per language and model with 95% Wilson intervals (per task kind), the
cause breakdown, pass@1 as scored and after the mechanical repairs, the most frequent error-message clusters with example samples, the model
comparison (exact McNemar per language), every failing sample's detail in a collapsible
``<details>``, and the notes. Charts are SVG drawn by vl-convert and embedded as ``data:``
images, styles are inline, and the page has no script at all: its Content-Security-Policy
allows none, so even text that escaped escaping could not run; every text from a sample is
escaped (``workbench.views.detail``). Per-sample detail is clipped to keep a report of 10k
failures a few MB.
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Iterable
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path

import altair as alt
import pandas as pd

from workbench.analysis.compare_models import OVERALL, compare_models
from workbench.analysis.failure_modes import (
    cause_counts,
    cause_order,
    cause_table,
    example_key,
    failure_modes,
)
from workbench.analysis.passk import AVG_LABEL, pass_at_k_table, select_task_kind, status_counts
from workbench.analysis.repairs import recovered, repair_scores
from workbench.analysis.rows import failing, is_failing, of_kind, task_kinds
from workbench.analysis.wrong_answers import checks_histogram, miss_side_by_side, miss_table
from workbench.evaluation.store import Store
from workbench.execution.records import REPAIRED, SAMPLE_KEY
from workbench.figures.theme import THEME_NAME, colour_scale, colours_for, register_theme
from workbench.registry.languages import language_names
from workbench.views.detail import STYLE as DETAIL_STYLE
from workbench.views.detail import clip, esc, facts, flag, output, tags_html, text
from workbench.views.samples import load_results
from workbench.views.wrong_answers import checks_chart, misses_html

CODE_CHARS = 1200  # of each failing sample's code shown in the report
OUTPUT_CHARS = 600  # of its stderr and stdout
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
table.t td.n { text-align: right; font-variant-numeric: tabular-nums; }
table.t th { background: #f3f3f3; }
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
    "code",
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


def table_html(frame: pd.DataFrame, numeric: Iterable[str] = ()) -> str:
    """A small table, every cell escaped."""
    numeric = set(numeric)
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False):
        cells = "".join(
            f'<td class="n">{esc(v)}</td>' if c in numeric else f"<td>{esc(v)}</td>"
            for c, v in zip(frame.columns, values, strict=True)
        )
        rows.append(f"<tr>{cells}</tr>")
    return f'<table class="t"><tr>{head}</tr>{"".join(rows)}</table>'


def _percent(value: float) -> str:
    return "" if pd.isna(value) else f"{value * 100:.1f}"


def scores_table(results: pd.DataFrame) -> pd.DataFrame:
    """pass@1 with its interval per task kind, model and language (AVG per model too)."""
    frames = []
    for task, subset in task_kinds(results):
        table = pass_at_k_table(select_task_kind(results, task, subset), k=1, by="language")
        table.insert(0, "task", task if subset is None else f"{task}/{subset}")
        frames.append(table)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def scores_chart(scores: pd.DataFrame) -> alt.FacetChart:
    """pass@1 (points) with its 95% interval (rules) per language and model, a row per task."""
    data = scores.dropna(subset=["pass_at_1"])
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
        y=alt.Y("pass_at_1_low:Q", title="pass@1", scale=alt.Scale(domain=[0, 1])),
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


def _section_scores(results: pd.DataFrame) -> str:
    scores = scores_table(results)
    if scores.empty:
        return "<h2>pass@1</h2><p>no results</p>"
    shown = pd.DataFrame(
        {
            "task": scores["task"],
            "model": scores["model"],
            "language": scores["language"],
            "tasks": scores["n_tasks"],
            "passed": scores["n_passed"],
            "excluded": scores["n_excluded"],
            "pass@1 %": scores["pass_at_1"].map(_percent),
            "95% interval %": _intervals(scores["pass_at_1_low"], scores["pass_at_1_high"]),
        }
    )
    return (
        "<h2>pass@1 per language and model</h2>"
        '<p class="muted">Points: pass@1; bars: 95% Wilson interval over tasks. Samples with a '
        "machine status (toolchain missing, infrastructure error) are excluded.</p>"
        + svg_image(scores_chart(scores), "pass@1 per language and model")
        + '<details class="g"><summary>the table</summary>'
        + table_html(shown, ["tasks", "passed", "excluded", "pass@1 %"])
        + "</details>"
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


def _section_comparison(results: pd.DataFrame) -> str:
    models = sorted(results["model"].unique())
    if len(models) < 2:
        return ""
    comparison = compare_models(results, models)
    table = comparison.table
    overall = table[(table["language"] == OVERALL) & (table["n_pairs"] > 0)]
    if overall.empty:
        return "<h2>Models compared</h2><p>no two models answered the same samples</p>"
    parts = [
        "<h2>Models compared</h2>",
        '<p class="muted">On the samples both models answered; p: exact McNemar test on the '
        "pairs where exactly one passed.</p>",
    ]

    def shown(frame: pd.DataFrame, first: str) -> pd.DataFrame:
        out = frame[
            [first, "n_pairs", "both_pass", "only_a", "only_b", "both_fail", "p_value"]
        ].copy()
        out["pass A %"] = frame["pass_rate_a"].map(_percent)
        out["pass B %"] = frame["pass_rate_b"].map(_percent)
        out["p_value"] = out["p_value"].map(lambda p: f"{p:.3g}")
        return out

    summary = shown(overall.assign(pair=overall["model_a"] + " vs " + overall["model_b"]), "pair")
    parts.append(table_html(summary, [c for c in summary.columns if c != "pair"]))
    for (a, b), part in table.groupby(["model_a", "model_b"], sort=False):
        if part["n_pairs"].sum() == 0:
            continue
        per_language = shown(part[part["n_pairs"] > 0], "language")
        parts.append(
            f'<details class="g"><summary>A = {esc(a)}, B = {esc(b)}: per language</summary>'
            + table_html(per_language, [c for c in per_language.columns if c != "language"])
            + "</details>"
        )
    return "".join(parts)


def _sample_detail(row: dict) -> str:
    code = clip(row.get("code"), CODE_CHARS)
    summary = (
        f"{esc(row['task_id'])} #{esc(row['sample_index'])} · {esc(row['task'])} · "
        f"<b>{esc(row['status'])}</b> · {esc(row.get('cause'))} — "
        f'<span class="muted">{esc(text(row.get("error_line"))[:120])}</span>'
    )
    note = ""
    if row.get("tags") or text(row.get("note")):
        note = (
            f"<p>note: {tags_html(row.get('tags'))} {esc(row.get('note'))} "
            f'<span class="muted">({esc(row.get("note_author"))}, '
            f"{esc(row.get('note_time'))})</span></p>"
        )
    return (
        f'<details class="s" id="{anchor(row)}"><summary>{summary}</summary>'
        f'<div class="wb-detail">{facts(row, SUMMARY_FIELDS)}{note}'
        f"<h4>code</h4><pre>{esc(code)}</pre><h4>stderr</h4>"
        f"{output(clip(row.get('stderr'), OUTPUT_CHARS), flag(row.get('output_truncated')))}"
        + (
            f"<h4>stdout</h4>{output(clip(row.get('stdout'), OUTPUT_CHARS))}"
            if text(row.get("stdout"))
            else ""
        )
        + "</div></details>"
    )


def _section_samples(failures: pd.DataFrame) -> str:
    if failures.empty:
        return ""
    order = failures.sort_values(["model", "language", "task", "task_id", "sample_index"])
    # Only what a detail shows: turning the big columns (program, raw text) into dicts costs.
    shown = [c for c in DETAIL_COLUMNS if c in order.columns]
    parts = [f"<h2>Failing samples ({len(order)})</h2>"]
    rows = order[shown].to_dict("records")
    for (model, language), group in groupby(rows, key=lambda r: (r["model"], r["language"])):
        samples = [_sample_detail(row) for row in group]
        parts.append(
            f'<details class="g"><summary>{esc(model)} · {esc(language)} ({len(samples)})'
            f"</summary>{''.join(samples)}</details>"
        )
    return "".join(parts)


def _section_notes(results: pd.DataFrame) -> str:
    noted = results[
        results["tags"].map(lambda t: bool(t)) | results["note"].map(lambda n: bool(text(n)))
    ]
    if noted.empty:
        return "<h2>Notes</h2><p>no notes yet (<code>workbench.annotate</code>)</p>"
    rows = []
    for row in noted.to_dict("records"):
        key = esc(f"{row['task_id']} #{row['sample_index']} ({row['model']}, {row['task']})")
        linked = f'<a href="#{anchor(row)}">{key}</a>' if is_failing(row["status"]) else key
        rows.append(
            f"<tr><td>{linked}</td>"
            f"<td>{esc(row['status'])}</td><td>{tags_html(row.get('tags'))}</td>"
            f"<td>{esc(row.get('note'))}</td><td>{esc(row.get('note_author'))}</td>"
            f"<td>{esc(row.get('note_time'))}</td></tr>"
        )
    return (
        f"<h2>Notes ({len(noted)})</h2>"
        '<table class="t"><tr><th>sample</th><th>status</th><th>tags</th><th>note</th>'
        f"<th>author</th><th>time</th></tr>{''.join(rows)}</table>"
    )


def report_html(
    results: pd.DataFrame, title: str = "McEval failure report", source: str = ""
) -> str:
    """The report of ``results`` (with note columns: ``load_results`` / ``with_notes``) as one
    HTML document."""
    every_kind, results = results, of_kind(results)
    failures = failing(results)
    anchors = {anchor(r) for r in failures[list(SAMPLE_KEY)].to_dict("records")}
    statuses = status_counts(results, by=["model"])
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = (
        f'<h1>{esc(title)}</h1><p class="muted">{esc(source)} · generated {made} · '
        f"{len(results)} samples, {results['model'].nunique()} models, "
        f"{results['language'].nunique()} languages, {len(failures)} failing</p>"
        + table_html(statuses, [c for c in statuses.columns if c != "model"])
    )
    body = "".join(
        [
            head,
            _section_scores(results),
            _section_causes(failures),
            _section_repairs(every_kind),
            _section_clusters(results, anchors),
            _section_checks(results),
            _section_comparison(results),
            _section_notes(results),
            _section_samples(failures),
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
) -> Path:
    """Write the report of a results table or store (notes included) to ``out``."""
    results, where = load_results(source)
    label = str(getattr(where, "path", where)) if where is not None else "results table"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report_html(results, title, f"store: {label}"), encoding="utf-8")
    return out
