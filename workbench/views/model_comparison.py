"""``ModelComparison``: two or more models side by side in a notebook.

The table is ``compare_models``' (per language and overall: both pass, only A, only B, both
fail, exact McNemar p-value); each count is a button that lists those samples, and choosing one
shows both models' answers and verdicts side by side with the diff of their code. Drivable from
code like the browser: ``click(language, cell)``, ``rows``, ``select(key)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from workbench.analysis.compare_models import (
    CELLS,
    OVERALL,
    PAIR_FLAGS,
    PAIR_KEY,
    compare_models,
    paired_frame,
)
from workbench.errors import InputError, WorkbenchError
from workbench.evaluation.store import Store
from workbench.views.detail import STYLE, esc, facts, notes_html, raw_with_code, side_by_side
from workbench.views.samples import load_results
from workbench.views.tasks import TaskLookup
from workbench.views.wrong_answers import misses_html

SIDE_FIELDS: tuple[tuple[str, str], ...] = (
    ("status", "status"),
    ("cause", "cause"),
    ("error", "error_line"),
    ("failing check", "failing_check"),
    ("expected", "expected"),
    ("actual", "actual"),
    ("miss", "miss"),
)
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
        names = list(models) if models else sorted(self.results["model"].unique())
        self.comparison = compare_models(self.results, names, by=by)
        self.by = by
        self.lookup = TaskLookup(tasks, data)
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
        self.misses = widgets.HTML()  # the pair's kinds of miss per language, side by side
        super().__init__(
            [
                self.pair,
                self.grid,
                self.misses,
                self.heading,
                self.samples,
                self.message,
                self.detail,
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
        header = [self.by, "pairs", "both pass", f"only A ({a})", f"only B ({b})", "both fail", "p"]
        cells: list[widgets.Widget] = [widgets.HTML(f"<b>{esc(h)}</b>") for h in header]
        for row in table.to_dict("records"):
            group = row[self.by]
            cells.append(widgets.HTML(f"<b>{esc(group)}</b>"))
            cells.append(widgets.HTML(str(row["n_pairs"])))
            for cell in CELLS:
                button = widgets.Button(
                    description=str(row[cell]),
                    tooltip=f"{group}: {CELL_TITLES[cell]}",
                    layout=widgets.Layout(width="auto"),
                    button_style="warning" if cell in ("only_a", "only_b") and row[cell] else "",
                )
                button.on_click(lambda _, g=group, c=cell: self._act(lambda: self.click(g, c)))
                cells.append(button)
            cells.append(widgets.HTML(f"{row['p_value']:.3g}"))
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
        return row

    def pair_html(self, row: Mapping[str, Any]) -> str:
        """Both models' verdicts and answers side by side, and the diff of their code."""
        a, b = self.current_pair
        one, two = side(row, "_a"), side(row, "_b")
        key = {**one, **{k: row[k] for k in PAIR_KEY}}
        task, why = self.lookup.find(key)
        halves = []
        for name, half in ((a, one), (b, two)):
            halves.append(
                f"<div><h4>{esc(name)}</h4>{facts(half, SIDE_FIELDS)}{notes_html(half)}"
                f"{raw_with_code(half.get('raw_generation'), half.get('code'))}</div>"
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

    def _act(self, action: Any) -> None:
        try:
            action()
        except WorkbenchError as exc:
            self.message.value = f'<span style="color:#b00">{esc(exc)}</span>'
