"""``FailureBrowser``: a notebook widget to find samples by what went wrong and read them.

Filters (model, language, task kind, difficulty, paradigm, scenario, status, cause, message
cluster; each value shown with the rows it would give) and a text or regular-expression search
over answers and messages narrow a paged table; choosing a row shows its detail (instruction,
raw answer with the extracted code, the program that ran with the failing check, its diff with
the canonical solution, compile log, outputs). A sample can be run again (the new verdict is
stored), tagged and noted, and the matching rows exported with their notes.

Every control is a public attribute and every action a method, so a test or a script drives
the browser exactly as a click would: ``browser.status.value = ("failed",)``, ``browser.rows``,
``browser.select(key)``, ``browser.rerun()``, ``browser.annotate(...)``, ``browser.export(path)``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd

from workbench.analysis.failure_modes import message_template
from workbench.errors import InputError, WorkbenchError
from workbench.evaluation.notes import TAMBON_PATTERNS, annotate, tag_list
from workbench.evaluation.runner import evaluate
from workbench.evaluation.store import Store
from workbench.views.detail import checks_label, esc, sample_html, text
from workbench.views.export import export_samples
from workbench.views.samples import (
    FACETS,
    NONE,
    SampleFilter,
    cluster_labels,
    facet_column,
    facet_values,
    key_string,
    load_results,
    sample_table,
)
from workbench.views.tasks import TaskLookup

STYLE = """<style>
.wb-table select { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
.wb-facet select { font-size: 12px; }
</style>"""
# A facet with more values than this (message clusters of a large store) lists the values
# that have rows under the other filters, up to this many, plus the chosen ones.
MAX_OPTIONS = 300


def _label(row: Mapping[str, Any]) -> str:
    message = text(row.get("message"))
    cause = text(row.get("cause")).replace(NONE, "")
    checks = checks_label(row)
    return (
        f"{row['task_id']} #{row['sample_index']} │ {row['model']} │ {row['status']} "
        f"{cause}{f' {checks} checks' if checks else ''} │ {message[:90]}"
    )


class FailureBrowser(widgets.VBox):
    """Browse, filter, rerun, annotate and export the samples of a results table or store.

    ``source``: a results DataFrame (``evaluate``'s), a ``Store`` or a store file's path
    (reruns and notes are stored there). ``tasks`` (a task table) or ``data`` (a McEval folder;
    default ``MCEVAL_DATA`` / ``../shared/mceval``) give the instruction, the canonical solution
    and what a rerun needs. ``failures_only`` starts with the status filter on every
    non-passing status.
    """

    def __init__(
        self,
        source: pd.DataFrame | Store | str | Path,
        *,
        tasks: pd.DataFrame | None = None,
        data: str | Path | None = None,
        page_size: int = 20,
        failures_only: bool = True,
    ) -> None:
        results, self.store = load_results(source)
        self.table = sample_table(results)
        self.filter = SampleFilter(self.table)
        self.lookup = TaskLookup(tasks, data)
        self.page_size = page_size
        self.page = 0
        self.selected_index: int | None = None
        self._matching = np.arange(len(self.table))
        self._quiet = False  # set while the browser itself rewrites option lists

        self.filters: dict[str, widgets.SelectMultiple] = {}
        boxes = []
        for facet in FACETS:
            control = widgets.SelectMultiple(rows=6, layout=widgets.Layout(width="98%"))
            control.add_class("wb-facet")
            control.observe(lambda change, f=facet: self._on_facet(f), names="value")
            self.filters[facet] = control
            setattr(self, facet, control)
            boxes.append(widgets.VBox([widgets.HTML(f"<b>{facet}</b>"), control]))
        self.search = widgets.Text(
            placeholder="search answers and messages", continuous_update=False
        )
        self.regex = widgets.Checkbox(value=False, description="regular expression (RE2)")
        self.clear = widgets.Button(description="clear filters", layout={"width": "auto"})
        self.search.observe(lambda change: self._on_search(), names="value")
        self.regex.observe(lambda change: self._on_search(), names="value")
        self.clear.on_click(lambda button: self.clear_filters())

        self.summary = widgets.HTML()
        self.table_widget = widgets.Select(rows=page_size, layout=widgets.Layout(width="100%"))
        self.table_widget.add_class("wb-table")
        self.table_widget.observe(self._on_row, names="value")
        self.previous = widgets.Button(description="◀ previous", layout={"width": "auto"})
        self.next = widgets.Button(description="next ▶", layout={"width": "auto"})
        self.page_label = widgets.Label()
        self.previous.on_click(lambda button: self.show_page(self.page - 1))
        self.next.on_click(lambda button: self.show_page(self.page + 1))

        self.detail = widgets.HTML("<i>choose a sample</i>")
        self.rerun_button = widgets.Button(
            description="rerun this sample", icon="refresh", layout={"width": "auto"}
        )
        self.rerun_button.on_click(lambda button: self._act(self.rerun))
        self.tags = widgets.TagsInput(
            value=[], allow_duplicates=False, layout=widgets.Layout(min_width="30%")
        )
        self.pattern = widgets.Dropdown(
            options=[("add a Tambon et al. pattern…", ""), *[(p, p) for p in TAMBON_PATTERNS]]
        )
        self.pattern.observe(self._on_pattern, names="value")
        self.note = widgets.Textarea(placeholder="note", layout=widgets.Layout(width="60%"))
        self.save_note = widgets.Button(
            description="save tags and note", icon="tag", layout={"width": "auto"}
        )
        self.save_note.on_click(
            lambda button: self._act(lambda: self.annotate(list(self.tags.value), self.note.value))
        )
        self.export_path = widgets.Text(value="failures.csv", description="export to")
        self.export_button = widgets.Button(
            description="export matching rows", icon="download", layout={"width": "auto"}
        )
        self.export_button.on_click(
            lambda button: self._act(lambda: self.export(self.export_path.value))
        )
        self.message = widgets.HTML()

        if failures_only:
            failing = [v for v in self.filter.categories("status") if v != "passed"]
            self.filter.set("status", failing)
        super().__init__(
            [
                widgets.HTML(STYLE),
                # Cluster templates are long: that filter has a row of its own.
                widgets.GridBox(
                    boxes[:-1], layout=widgets.Layout(grid_template_columns="repeat(4, 1fr)")
                ),
                boxes[-1],
                widgets.HBox([self.search, self.regex, self.clear]),
                self.summary,
                self.table_widget,
                widgets.HBox([self.previous, self.page_label, self.next]),
                widgets.HBox(
                    [self.rerun_button, widgets.HTML("&nbsp;tags:"), self.tags, self.pattern]
                ),
                widgets.HBox([self.note, self.save_note]),
                widgets.HBox([self.export_path, self.export_button]),
                self.message,
                self.detail,
            ]
        )
        self.refresh()

    # -- filtering ---------------------------------------------------------------------------
    def _on_facet(self, facet: str) -> None:
        if self._quiet:
            return
        self.filter.set(facet, self.filters[facet].value)
        self.refresh()

    def _on_search(self) -> None:
        if self._quiet:
            return
        try:
            self.filter.search(self.search.value, self.regex.value)
        except InputError as exc:
            self.message.value = f'<span style="color:#b00">{esc(exc)}</span>'
            return
        self.message.value = ""
        self.refresh()

    def clear_filters(self) -> None:
        """Every filter and the search back to all rows."""
        self._quiet = True
        for control in self.filters.values():
            control.value = ()
        self.search.value = ""
        self._quiet = False
        for facet in FACETS:
            self.filter.set(facet, ())
        self._on_search()

    def refresh(self) -> None:
        """Recompute the matching rows and the counts per filter value; show the first page."""
        self._matching = np.flatnonzero(self.filter.matches)
        counts = self.filter.counts()
        self._quiet = True
        try:
            for facet, control in self.filters.items():
                chosen = self.filter.chosen(facet)
                values = self.filter.categories(facet)
                n = counts[facet]
                shown = [i for i, v in enumerate(values) if n[i] > 0 or v in chosen]
                if len(shown) > MAX_OPTIONS:
                    top = sorted(shown, key=lambda i: -n[i])[:MAX_OPTIONS]
                    shown = sorted(set(top) | {i for i in shown if values[i] in chosen})
                control.options = [(f"{values[i]} ({n[i]})", values[i]) for i in shown]
                control.value = tuple(v for v in chosen if v in values)
        finally:
            self._quiet = False
        searched = html.escape(self.search.value)
        self.summary.value = f"<b>{len(self._matching)}</b> of {len(self.table)} samples match" + (
            f" · search: <code>{searched}</code>" if searched else ""
        )
        self.show_page(0)

    # -- the table ---------------------------------------------------------------------------
    @property
    def pages(self) -> int:
        return max(1, -(-len(self._matching) // self.page_size))

    def show_page(self, page: int) -> None:
        """Show page ``page`` (0-based, clamped) of the matching rows."""
        self.page = min(max(page, 0), self.pages - 1)
        rows = self.rows
        self._quiet = True
        try:
            self.table_widget.options = [
                (_label(r), k) for r, k in zip(rows.to_dict("records"), rows["key"], strict=True)
            ]
            self.table_widget.value = None
        finally:
            self._quiet = False
        first = self.page * self.page_size
        self.page_label.value = (
            f"rows {first + 1}–{first + len(rows)} of {len(self._matching)} "
            f"(page {self.page + 1} of {self.pages})"
            if len(rows)
            else "no rows"
        )

    @property
    def matches(self) -> pd.DataFrame:
        """Every row the filters let through."""
        return self.table.iloc[self._matching]

    @property
    def rows(self) -> pd.DataFrame:
        """The rows of the current page."""
        start = self.page * self.page_size
        return self.table.iloc[self._matching[start : start + self.page_size]]

    def counts(self) -> pd.DataFrame:
        """Per filter and value, the rows choosing that value would show (tidy: facet, value,
        count)."""
        counts = self.filter.counts()
        return pd.DataFrame(
            [
                {"facet": facet, "value": value, "count": int(n)}
                for facet in FACETS
                for value, n in zip(self.filter.categories(facet), counts[facet], strict=True)
            ]
        )

    # -- one sample --------------------------------------------------------------------------
    def _on_row(self, change: dict[str, Any]) -> None:
        if not self._quiet and change["new"] is not None:
            self._act(lambda: self.select(change["new"]))

    def _position(self, key: Mapping[str, Any] | Iterable[Any] | str) -> int:
        wanted = key_string(key)
        found = np.flatnonzero(self.table["key"].to_numpy() == wanted)
        if not len(found):
            raise InputError(f"no sample {wanted} in the browser", field="key")
        return int(found[0])

    def select(self, key: Mapping[str, Any] | Iterable[Any] | str) -> dict[str, Any]:
        """Show the detail of the sample ``key`` (a key string, mapping or 4-tuple); its row."""
        self.selected_index = self._position(key)
        row = self.selected
        task, why = self.lookup.find(row)
        reference = self.lookup.reference(task) if task is not None else None
        self.detail.value = sample_html(row, task, reference, why)
        self._quiet = True
        self.tags.value = tag_list(row.get("tags"))
        self.note.value = row["note"] if isinstance(row.get("note"), str) else ""
        self._quiet = False
        return row

    @property
    def selected(self) -> dict[str, Any]:
        """The chosen sample's row (an InputError when none is chosen)."""
        if self.selected_index is None:
            raise InputError("no sample chosen: select(key) first", field="key")
        return self.table.iloc[self.selected_index].to_dict()

    def rerun(self) -> dict[str, Any]:
        """Run the chosen sample again now, without the cache; the new verdict replaces the old
        one in the store (when the browser has one) and here. Returns the new row."""
        row = self.selected
        tasks = self.lookup.tasks_for(row)
        completion = row.get("extraction") == "completion"
        sample = pd.DataFrame(
            [
                {
                    "task": row["task"],
                    "task_id": row["task_id"],
                    "model": row["model"],
                    "sample_index": int(row["sample_index"]),
                    "raw_generation": None if completion else row.get("raw_generation"),
                    "completion": row.get("code") if completion else None,
                    "source_file": str(getattr(self.store, "path", self.store or "results")),
                    "source_line": 0,
                }
            ]
        )
        new = evaluate(sample, tasks, store=self.store, cache=False, progress=False, jobs=1)
        fresh = new.iloc[0].to_dict()
        self._replace_row(self.selected_index, fresh)
        self.select(row["key"])
        self.message.value = f"rerun: {fresh['status']}" + (
            f" ({fresh['cause']})" if isinstance(fresh.get("cause"), str) else ""
        )
        return self.selected

    def _replace_row(self, position: int, fresh: Mapping[str, Any]) -> None:
        """Put a new verdict in the table: its columns, message, template and cluster (a
        template seen before keeps its cluster; a new one gets a new id)."""
        table = self.table
        updates = {k: v for k, v in fresh.items() if k in table.columns and k != "key"}
        found = message_template(updates)
        if found is None:
            message = template = cluster = None
        else:
            message, template = found
            known = table.loc[table["template"] == template, "cluster"].dropna()
            if len(known):
                cluster = int(known.iloc[0])
            else:
                cluster = int(table["cluster"].max()) + 1 if table["cluster"].notna().any() else 0
        updates.update(message=message, template=template, cluster=cluster)
        labels = (
            table.loc[table["cluster"] == cluster, "cluster_label"] if cluster is not None else []
        )
        if len(labels):
            updates["cluster_label"] = str(labels.iloc[0])
        else:
            one = pd.DataFrame(
                {
                    "status": [fresh["status"]],
                    "template": [template],
                    "cluster": pd.array([cluster], dtype="Int64"),
                }
            )
            updates["cluster_label"] = cluster_labels(one).iloc[0]
        for column, value in updates.items():
            table.at[position, column] = value
        for facet, column in FACETS.items():
            name = facet_column(facet)
            value = facet_values(table.loc[[position], column]).iloc[0]
            if value not in table[name].cat.categories:
                table[name] = table[name].cat.add_categories([value])
            table.at[position, name] = value
        # The codes and the search index hold the old row: rebuilt, with the same choices.
        old, self.filter = self.filter, SampleFilter(table)
        for facet in FACETS:
            self.filter.set(facet, old.chosen(facet))
        old.close()
        self.filter.search(self.search.value, self.regex.value)
        self.refresh()

    def annotate(
        self, tags: Iterable[str] | None = None, note: str | None = None, author: str | None = None
    ) -> dict[str, Any]:
        """Tag and note the chosen sample in the store (``workbench.annotate``); the row written."""
        if self.store is None:
            raise InputError(
                "notes are kept in a store: open the browser on a store", field="store"
            )
        row = self.selected
        written = annotate(self.store, row, tags=tags, note=note, author=author)
        position = self.selected_index
        self.table.at[position, "tags"] = written["tags"]
        self.table.at[position, "note"] = written["note"]
        self.table.at[position, "note_author"] = written["author"]
        self.table.at[position, "note_time"] = pd.Timestamp(written["created_at"]).tz_convert("UTC")
        self.select(row["key"])
        self.message.value = "note saved"
        return written

    def _on_pattern(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.tags.value = [*self.tags.value, change["new"]]
            self.pattern.value = ""

    def export(self, path: str | Path, format: str | None = None) -> Path:
        """Write every matching row with its notes to ``path`` (.csv, .parquet or .jsonl)."""
        written = export_samples(self.matches, path, format)
        self.message.value = f"{len(self._matching)} rows written to {written}"
        return written

    def _act(self, action: Any) -> None:
        """Run a button's action; show a workbench error instead of raising it in the UI."""
        try:
            action()
        except WorkbenchError as exc:
            self.message.value = f'<span style="color:#b00">{esc(exc)}</span>'

    def close(self) -> None:
        self.filter.close()
        super().close()
