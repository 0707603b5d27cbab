"""``ModelComparison``: two or more models side by side in a notebook.

The table is ``compare_models``' (per language and overall), led by what says whether the
models differ: the discordant counts (only A passes, only B passes) and the exact McNemar
p-value, marked below 0.05, and the same with the defective tasks set aside; then both pass, both
fail and the pairs. Each count is a button that lists those samples, and choosing one shows, for
both models, what the FailureBrowser's detail shows — the verdict (error line, failing check),
the answer with the extracted code, the program that ran with the failing check highlighted, the
compile log or stderr and stdout — with the diff of their code, and "open in FailureBrowser"
for either side. Drivable from code like the browser: ``click(language, cell)``, ``rows``,
``select(key)``, ``open_in_browser("b")``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd
from pandas.io.formats.style import Styler

from workbench.analysis.compare_models import (
    CELLS,
    DEFECTIVE_PAIRS,
    OVERALL,
    PAIR_FLAGS,
    PAIR_KEY,
    Comparison,
    compare_models,
    paired_frame,
)
from workbench.analysis.defects import defective_tasks
from workbench.analysis.passk import DEFECTS_ASIDE
from workbench.errors import InputError, WorkbenchError
from workbench.evaluation.store import Store
from workbench.views.busy import STYLE as BUSY_STYLE
from workbench.views.busy import BusyLine
from workbench.views.detail import (
    STYLE,
    VERDICT_FIELDS,
    answer_html,
    esc,
    facts,
    notes_html,
    outputs_html,
    program_html,
    side_by_side,
)
from workbench.views.samples import load_results
from workbench.views.tasks import TaskLookup
from workbench.views.text import SIGNIFICANT, p_text, shown_comparison
from workbench.views.wrong_answers import misses_html

# The count buttons of a row, in the order the table shows them: the discordant pairs first.
GRID_CELLS = ("only_a", "only_b", "both_pass", "both_fail")
CELL_TITLES = {
    "both_pass": "both pass",
    "only_a": "only A passes",
    "only_b": "only B passes",
    "both_fail": "both fail",
}


def pair_key(key: Mapping[str, Any] | Sequence[Any] | str) -> str:
    """A paired sample's key string ``task|task_id|sample_index`` (from a mapping, a 3-tuple
    or the string itself)."""
    if isinstance(key, str):
        return key
    values = [key[k] for k in PAIR_KEY] if isinstance(key, Mapping | pd.Series) else list(key)
    return "|".join(str(v) for v in values)


def paired_samples(results: pd.DataFrame, a: str, b: str, by: str = "language") -> pd.DataFrame:
    """The samples both ``a`` and ``b`` answered, one row per pair: ``paired_frame``'s paired
    rows (every column of each side with suffix ``_a`` / ``_b``, the ``by`` column, ``cell``)
    and a ``key`` string. Pairs with a machine status are left out, as ``compare_models``
    leaves them out."""
    merged = paired_frame(results, a, b, by)
    merged = merged[merged["paired"]].drop(columns=PAIR_FLAGS).reset_index(drop=True)
    merged["key"] = merged[PAIR_KEY].astype(str).agg("|".join, axis=1) if len(merged) else []
    return merged


def side(row: Mapping[str, Any], suffix: str) -> dict[str, Any]:
    """One model's half of a paired row, under the plain column names."""
    return {k[: -len(suffix)]: v for k, v in row.items() if k.endswith(suffix)}


class ModelComparison(widgets.VBox):
    """Compare ``models`` (default: every model, pairwise) on the samples they share.

    ``source``: a results DataFrame, a ``Store`` or a store file's path. ``tasks`` / ``data``
    give each task's instruction, as in ``FailureBrowser``.
    """

    def __init__(
        self,
        source: pd.DataFrame | Store | str | Path,
        models: Sequence[str] | None = None,
        *,
        by: str = "language",
        tasks: pd.DataFrame | None = None,
        data: str | Path | None = None,
    ) -> None:
        self.results, self.store = load_results(source)
        self.source = self.store if self.store is not None else self.results
        names = list(models) if models else sorted(self.results["model"].unique())
        self.defects = defective_tasks(self.store)
        self.comparison = compare_models(self.results, names, by=by, set_aside=self.defects)
        self.by = by
        self.lookup = TaskLookup(tasks, data)
        self._browser: Any = None  # the FailureBrowser "open in FailureBrowser" made, kept
        pairs = self.comparison.table[["model_a", "model_b"]].drop_duplicates()
        self.pairs = list(pairs.itertuples(index=False, name=None))
        self._paired: dict[tuple[str, str], pd.DataFrame] = {}
        self._rows = pd.DataFrame()
        self._quiet = False
        self.pair = widgets.Dropdown(
            options=[(f"A = {a}  vs  B = {b}", (a, b)) for a, b in self.pairs],
            layout=widgets.Layout(width="auto"),
        )
        self.pair.observe(lambda change: self._draw_table(), names="value")
        self.grid = widgets.GridBox()
        self.heading = widgets.HTML()
        self.samples = widgets.Select(rows=10, layout=widgets.Layout(width="100%"))
        self.samples.observe(self._on_sample, names="value")
        self.detail = widgets.HTML("<i>click a count, then choose a sample</i>")
        self.message = widgets.HTML()
        self.open_a = widgets.Button(description="open A in FailureBrowser", icon="search")
        self.open_b = widgets.Button(description="open B in FailureBrowser", icon="search")
        for button, letter in ((self.open_a, "a"), (self.open_b, "b")):
            button.layout = widgets.Layout(width="auto")
            button.disabled = True
            button.on_click(
                lambda _, s=letter: self._act(lambda: self.open_in_browser(s), "opening")
            )
        self.busy = BusyLine([self.open_a, self.open_b])
        self.misses = widgets.HTML()  # the pair's kinds of miss per language, side by side
        self.browser_box = widgets.VBox()  # where an opened FailureBrowser shows
        self._row: dict[str, Any] | None = None
        super().__init__(
            [
                widgets.HTML(BUSY_STYLE),
                self.pair,
                self.grid,
                self.misses,
                self.heading,
                self.samples,
                widgets.HBox([self.open_a, self.open_b, self.busy]),
                self.message,
                self.detail,
                self.browser_box,
            ]
        )
        self._draw_table()

    @property
    def current_pair(self) -> tuple[str, str]:
        return self.pair.value

    def table(self, pair: tuple[str, str] | None = None) -> pd.DataFrame:
        """``compare_models``' table for one pair (default: the pair shown)."""
        a, b = pair or self.current_pair
        full = self.comparison.table
        return full[(full["model_a"] == a) & (full["model_b"] == b)].reset_index(drop=True)

    def paired(self, pair: tuple[str, str] | None = None) -> pd.DataFrame:
        """Every compared pair of samples of one model pair (``paired_samples``)."""
        pair = pair or self.current_pair
        if pair not in self._paired:
            self._paired[pair] = paired_samples(self.results, *pair, by=self.by)
        return self._paired[pair]

    def _draw_table(self) -> None:
        table = self.table()
        a, b = self.current_pair
        aside = DEFECTIVE_PAIRS in table.columns
        header = [
            self.by,
            f"only A ({a})",
            f"only B ({b})",
            "p",
            *(["defective pairs", "p aside"] if aside else []),
            "both pass",
            "both fail",
            "pairs",
        ]
        cells: list[widgets.Widget] = [widgets.HTML(f"<b>{esc(h)}</b>") for h in header]
        for row in table.to_dict("records"):
            group = row[self.by]
            cells.append(widgets.HTML(f"<b>{esc(group)}</b>"))
            buttons = {}
            for cell in GRID_CELLS:
                button = widgets.Button(
                    description=str(row[cell]),
                    tooltip=f"{group}: {CELL_TITLES[cell]}",
                    layout=widgets.Layout(width="auto"),
                    button_style="warning" if cell in ("only_a", "only_b") and row[cell] else "",
                )
                button.on_click(lambda _, g=group, c=cell: self._act(lambda: self.click(g, c)))
                buttons[cell] = button
            cells += [buttons["only_a"], buttons["only_b"], _p_cell(row["p_value"])]
            if aside:
                cells.append(widgets.HTML(str(row[DEFECTIVE_PAIRS])))
                cells.append(_p_cell(row[f"p_value_{DEFECTS_ASIDE}"]))
            cells += [buttons["both_pass"], buttons["both_fail"], widgets.HTML(str(row["n_pairs"]))]
        self.grid.children = cells
        misses = self.comparison.misses
        if not misses.empty:
            shown = misses[[self.by, "miss", a, b]]
            shown = shown[shown[[a, b]].sum(axis=1) > 0]
            self.misses.value = (
                f"<b>kinds of miss of the wrong answers</b> (docs/checks.md){misses_html(shown)}"
            )
        self.grid.layout = widgets.Layout(
            grid_template_columns=f"repeat({len(header)}, max-content)", grid_gap="2px 12px"
        )

    def click(self, group: str, cell: str, pair: tuple[str, str] | None = None) -> pd.DataFrame:
        """List the samples of one cell: ``group`` (a ``by`` value, or ``ALL``) and ``cell``
        (both_pass, only_a, only_b, both_fail). Returns them, also as ``rows``."""
        if cell not in CELLS:
            raise InputError(f"cell is one of {CELLS}, not {cell!r}", field="cell")
        if pair is not None:
            self.pair.value = tuple(pair)
        paired = self.paired()
        chosen = paired["cell"].eq(cell)
        if group != OVERALL:
            chosen &= paired[self.by].eq(group)
        self._rows = paired[chosen]
        self.heading.value = (
            f"<b>{len(self._rows)}</b> samples · {esc(group)} · {esc(CELL_TITLES[cell])}"
        )
        self._quiet = True
        self.samples.options = [
            (f"{r['task_id']} #{r['sample_index']} │ A {r['status_a']} │ B {r['status_b']}", k)
            for r, k in zip(self._rows.to_dict("records"), self._rows["key"], strict=True)
        ]
        self.samples.value = None
        self._quiet = False
        return self._rows

    @property
    def rows(self) -> pd.DataFrame:
        """The samples of the cell clicked last."""
        return self._rows

    def _on_sample(self, change: dict[str, Any]) -> None:
        if not self._quiet and change["new"] is not None:
            self._act(lambda: self.select(change["new"]))

    def select(self, key: Mapping[str, Any] | Sequence[Any] | str) -> dict[str, Any]:
        """Show both answers of the paired sample ``key`` (``task|task_id|sample_index``)."""
        wanted = pair_key(key)
        paired = self.paired()
        found = paired[paired["key"] == wanted]
        if found.empty:
            raise InputError(f"no paired sample {wanted} for {self.current_pair}", field="key")
        row = found.iloc[0].to_dict()
        self.detail.value = self.pair_html(row)
        self._row = row
        self.open_a.disabled = self.open_b.disabled = False
        return row

    def pair_html(self, row: Mapping[str, Any]) -> str:
        """Both models' evidence side by side — verdict with its error line and failing check,
        notes, answer, the program that ran with the failing check highlighted, the compile log
        or stderr, and stdout: what the FailureBrowser's detail shows — and the diff of their
        code."""
        a, b = self.current_pair
        one, two = side(row, "_a"), side(row, "_b")
        key = {**one, **{k: row[k] for k in PAIR_KEY}}
        task, why = self.lookup.find(key)
        halves = []
        for name, half in ((a, one), (b, two)):
            halves.append(
                f"<div><h4>{esc(name)}</h4>{facts(half, VERDICT_FIELDS)}{notes_html(half)}"
                f"{answer_html(half)}{program_html(half)}{outputs_html(half)}</div>"
            )
        instruction = (
            f"<h4>instruction</h4><pre>{esc(task.get('instruction'))}</pre>"
            if task is not None
            else f"<p><i>{esc(why)}</i></p>"
        )
        return (
            f'<div class="wb-detail"><style>{STYLE}</style>'
            f"<h4>{esc(row['task_id'])} #{esc(row['sample_index'])} · {esc(row['task'])} · "
            f"{esc(row.get(self.by))}</h4>{instruction}"
            f'<div class="side">{"".join(halves)}</div>'
            "<h4>the two answers' code</h4>"
            f"{side_by_side(one.get('code'), two.get('code'), a, b)}</div>"
        )

    def open_in_browser(self, which: str = "b") -> Any:
        """Open the chosen pair's sample of model A (``"a"``) or B (``"b"``) in a
        ``FailureBrowser`` under the comparison (made once, then reused): its list filtered to
        that model, the sample chosen. Returns the browser."""
        from workbench.views.failure_browser import FailureBrowser

        if which not in ("a", "b"):
            raise InputError(f"which is 'a' or 'b', not {which!r}", field="which")
        if self._row is None:
            raise InputError("choose a sample first: select(key)", field="key")
        model = self.current_pair[0 if which == "a" else 1]
        if self._browser is None:
            self._browser = FailureBrowser(
                self.source,
                tasks=self.lookup.given,
                data=self.lookup.data,
                failures_only=False,
                page_size=10,
            )
            self.browser_box.children = [self._browser]
        self._browser.model.value = (model,)
        self._browser.select({**{k: self._row[k] for k in PAIR_KEY}, "model": model})
        self.message.value = f"opened in the FailureBrowser below: {esc(model)}"
        return self._browser

    def _act(self, action: Any, what: str = "working") -> None:
        try:
            with self.busy.running(what):
                action()
        except WorkbenchError as exc:
            self.message.value = f'<span style="color:#b00">{esc(exc)}</span>'


def comparison_table(comparison: Comparison) -> Styler:
    """``compare_models``' table as a notebook shows it: per model pair (named once, in the
    caption, or in a ``pair`` column when there are several) the group, the discordant pairs and
    p first, pass rates in %, every p below 0.05 marked (``*``, bold on yellow)."""
    parts = []
    pairs = comparison.table.groupby(["model_a", "model_b"], sort=False)
    for (a, b), part in pairs:
        shown = shown_comparison(part)
        if pairs.ngroups > 1:
            shown.insert(0, "pair", f"A = {a}, B = {b}")
        parts.append(shown)
    frame = pd.concat(parts, ignore_index=True)
    marked = [c for c in ("p", "p aside") if c in frame.columns]
    caption = (
        f"A = {comparison.table['model_a'].iloc[0]}, B = {comparison.table['model_b'].iloc[0]}. "
        if pairs.ngroups == 1
        else ""
    ) + f"* p < {SIGNIFICANT} (exact McNemar test on the pairs where one model passed)"
    if DEFECTIVE_PAIRS in comparison.table.columns:
        caption += "; aside: the same with the defective tasks set aside"
    return (
        frame.style.hide(axis="index")
        .map(
            lambda v: (
                "font-weight: bold; background: #fff3cd; white-space: nowrap"
                if str(v).endswith(" *")
                else ""
            ),
            subset=marked,
        )
        .format(precision=1, escape="html")
        .set_caption(html.escape(caption))
    )


def _p_cell(p: float) -> widgets.HTML:
    """A p-value cell, marked (bold, ``*``) below ``SIGNIFICANT``."""
    shown = esc(p_text(p))
    return widgets.HTML(f"<b>{shown}</b>" if p < SIGNIFICANT else shown)
