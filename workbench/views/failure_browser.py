"""``FailureBrowser``: a notebook widget to find samples by what went wrong and read them.

Filters (model, language, task kind, difficulty, paradigm, scenario, status, cause, tag, note,
message cluster; each value shown with the rows it would give) and a text or regular-expression
search over answers, messages and notes narrow a paged list; choosing a row shows its detail
beside the list (instruction, raw answer with the extracted code, the program that ran with the
failing check, its diff with the canonical solution, compile log, outputs), and previous/next
walk the matching samples without going back to the list. A sample can be run again (the new
verdict is stored), tagged and noted, its task set aside as defective, and the matching rows
exported with their notes. An action that takes a moment says so while it runs (the busy line
beside the search, the buttons disabled).

Every control is a public attribute and every action a method, so a test or a script drives
the browser exactly as a click would: ``browser.status.value = ("failed",)``, ``browser.rows``,
``browser.select(key)``, ``browser.next_sample()``, ``browser.rerun()``,
``browser.annotate(...)``, ``browser.mark_task_defective(reason)``, ``browser.export(path)``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd

from workbench.analysis.defects import applied_defects, defective_tasks
from workbench.analysis.failure_modes import message_template
from workbench.errors import InputError, WorkbenchError
from workbench.evaluation.notes import TAMBON_PATTERNS, annotate, tag_list
from workbench.evaluation.runner import evaluate
from workbench.evaluation.store import Store
from workbench.evaluation.task_defects import mark_defective, restore_task
from workbench.paths import outputs_dir
from workbench.views.busy import STYLE as BUSY_STYLE
from workbench.views.busy import BusyLine
from workbench.views.detail import checks_label, esc, sample_html, shorten, text
from workbench.views.export import export_samples
from workbench.views.health import error_findings, health_line
from workbench.views.samples import (
    FACETS,
    LIST_FACETS,
    NONE,
    SampleFilter,
    cluster_labels,
    facet_column,
    facet_values,
    key_string,
    load_results,
    sample_table,
    set_note_facets,
)
from workbench.views.tasks import TaskLookup

STYLE = """<style>
.wb-table select { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
.wb-facet select { font-size: 12px; }
.wb-pane .widget-html-content { min-width: 0; }
.wb-defect { background: #fff3cd; border: 1px solid #e0c36a; padding: 4px 8px; margin: 4px 0;
  font-size: 12px; }
</style>"""
# A facet with more values than this (message clusters of a large store) lists the values
# that have rows under the other filters, up to this many, plus the chosen ones.
MAX_OPTIONS = 300
# The facets in the grid of filters, a row of their own for the long cluster templates.
GRID_COLUMNS = 6
WIDE_FACETS = ("cluster",)
EXPORT_NAME = "failures.csv"  # in the outputs folder, unless the user names another path
LABEL_MESSAGE = 90  # characters of a row's message in the list


def _label(row: Mapping[str, Any]) -> str:
    """A row of the list: the sample, its marks (✎ a note, its tags), model, verdict, message."""
    cause = text(row.get("cause")).replace(NONE, "")
    tags = tag_list(row.get("tags"))
    marks = (" ✎" if text(row.get("note")).strip() else "") + (
        f" [{', '.join(tags)}]" if tags else ""
    )
    checks = checks_label(row)
    checks = f" {checks} checks" if checks else ""
    return (
        f"{row['task_id']} #{row['sample_index']}{marks} │ {row['model']} │ {row['status']} "
        f"{cause}{checks} │ {shorten(row.get('message'), LABEL_MESSAGE)}"
    )


def _button(description: str, icon: str = "") -> widgets.Button:
    """A button as wide as its words, never squeezed by the inputs beside it."""
    layout = widgets.Layout(width="auto", flex="0 0 auto")
    return widgets.Button(description=description, icon=icon, layout=layout)


class FailureBrowser(widgets.VBox):
    """Browse, filter, rerun, annotate and export the samples of a results table or store.

    ``source``: a results DataFrame (``evaluate``'s), a ``Store`` or a store file's path
    (reruns, notes and defect marks are stored there). ``tasks`` (a task table) or ``data`` (a
    McEval folder; default ``MCEVAL_DATA`` / ``../shared/mceval``, then the bundled demo) give
    the instruction, the canonical solution and what a rerun needs. ``failures_only`` starts with
    the status filter on every non-passing status.
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
        results, self.store = load_results(source, kinds=None)  # the controls too
        self.health = health_line(error_findings(results))  # languages not to be trusted
        self.table = sample_table(results)
        self.filter = SampleFilter(self.table)
        self.lookup = TaskLookup(tasks, data)
        self.defects = defective_tasks(self.store)
        self.page_size = page_size
        self.page = 0
        self.selected_index: int | None = None
        self._matching = np.arange(len(self.table))
        self._quiet = False  # set while the browser itself rewrites option lists

        self.filters: dict[str, widgets.SelectMultiple] = {}
        boxes: dict[str, widgets.VBox] = {}
        for facet in FACETS:
            control = widgets.SelectMultiple(rows=5, layout=widgets.Layout(width="98%"))
            control.add_class("wb-facet")
            control.observe(lambda change, f=facet: self._on_facet(f), names="value")
            self.filters[facet] = control
            setattr(self, facet, control)
            boxes[facet] = widgets.VBox([widgets.HTML(f"<b>{facet}</b>"), control])
        self.search = widgets.Text(
            placeholder="search answers, messages and notes",
            continuous_update=False,
            layout=widgets.Layout(width="40%"),
        )
        self.regex = widgets.Checkbox(value=False, description="regular expression (RE2)")
        self.clear = _button("clear filters")
        self.busy = BusyLine()  # what is running now, with a spinner; empty when idle
        self.search.observe(lambda change: self._on_search(), names="value")
        self.regex.observe(lambda change: self._on_search(), names="value")
        self.clear.on_click(lambda button: self._act(self.clear_filters, "clearing the filters"))

        self.summary = widgets.HTML()
        self.table_widget = widgets.Select(rows=page_size, layout=widgets.Layout(width="100%"))
        self.table_widget.add_class("wb-table")
        self.table_widget.observe(self._on_row, names="value")
        self.previous = _button("◀ page")
        self.next = _button("page ▶")
        self.page_label = widgets.Label()
        self.previous.on_click(lambda button: self.show_page(self.page - 1))
        self.next.on_click(lambda button: self.show_page(self.page + 1))
        self.export_path = widgets.Text(
            value=str(outputs_dir() / EXPORT_NAME),
            description="export to",
            layout=widgets.Layout(width="100%"),
        )
        self.export_button = _button("export matching rows", "download")
        self.export_button.on_click(
            lambda button: self._act(lambda: self.export(self.export_path.value), "exporting")
        )
        self.message = widgets.HTML()

        self.previous_sample_button = _button("◀ previous sample")
        self.next_sample_button = _button("next sample ▶")
        self.position = widgets.Label(layout=widgets.Layout(flex="0 0 auto"))
        self.previous_sample_button.on_click(
            lambda button: self._act(self.previous_sample, "opening the previous sample")
        )
        self.next_sample_button.on_click(
            lambda button: self._act(self.next_sample, "opening the next sample")
        )
        self.rerun_button = _button("rerun this sample", "refresh")
        self.rerun_button.on_click(lambda button: self._act(self.rerun, "running the sample"))
        self.tags = widgets.TagsInput(
            value=[], allow_duplicates=False, layout=widgets.Layout(flex="1 1 auto")
        )
        self.pattern = widgets.Dropdown(
            options=[("add a Tambon et al. pattern…", ""), *[(p, p) for p in TAMBON_PATTERNS]],
            layout=widgets.Layout(width="15em", flex="0 0 auto"),
        )
        self.pattern.observe(self._on_pattern, names="value")
        self.note = widgets.Textarea(placeholder="note", layout=widgets.Layout(flex="1 1 auto"))
        self.save_note = _button("save tags and note", "tag")
        self.save_note.on_click(
            lambda button: self._act(
                lambda: self.annotate(list(self.tags.value), self.note.value), "saving the note"
            )
        )
        self.defect_reason = widgets.Text(
            placeholder="why is this task defective? (its test or instruction, not the answer)",
            layout=widgets.Layout(flex="1 1 auto"),
        )
        self.mark_button = _button("set task aside", "ban")
        self.mark_button.tooltip = "set this sample's task aside as defective, with the reason"
        self.mark_button.on_click(
            lambda button: self._act(
                lambda: self.mark_task_defective(self.defect_reason.value), "setting it aside"
            )
        )
        self.restore_button = _button("count it again", "undo")
        self.restore_button.tooltip = "count this sample's task again in every score"
        self.restore_button.on_click(
            lambda button: self._act(self.restore_task, "counting the task again")
        )
        self.detail = widgets.HTML(
            "<i>choose a sample in the list: its detail shows here</i>",
            layout=widgets.Layout(width="100%", min_width="0"),
        )
        self.detail.add_class("wb-pane")  # its text wraps in the column, never widens it
        self.busy.buttons = [
            self.clear,
            self.export_button,
            self.previous_sample_button,
            self.next_sample_button,
            self.rerun_button,
            self.save_note,
            self.mark_button,
            self.restore_button,
        ]

        if failures_only:
            failing = [v for v in self.filter.categories("status") if v != "passed"]
            self.filter.set("status", failing)
        super().__init__(self._layout(boxes))
        self.refresh()

    def _layout(self, boxes: dict[str, widgets.VBox]) -> list[widgets.Widget]:
        """The filters on top; under them the list (left) and the chosen sample (right), side by
        side, so a click on a row shows its detail where the eye already is."""
        grid = [box for facet, box in boxes.items() if facet not in WIDE_FACETS]
        left = widgets.VBox(
            [
                self.summary,
                self.table_widget,
                widgets.HBox([self.previous, self.page_label, self.next]),
                self.export_path,
                self.export_button,
                self.message,
            ],
            layout=widgets.Layout(width="44%", min_width="24em"),
        )
        # The detail scrolls in its own pane, as wide as its column (its text wraps there).
        pane = widgets.Box(
            [self.detail],
            layout=widgets.Layout(width="100%", max_height="80vh", overflow="auto"),
        )
        right = widgets.VBox(
            [
                widgets.HBox(
                    [
                        self.previous_sample_button,
                        self.position,
                        self.next_sample_button,
                        self.rerun_button,
                    ]
                ),
                widgets.HBox([widgets.HTML("tags:&nbsp;"), self.tags, self.pattern]),
                widgets.HBox([self.note, self.save_note]),
                widgets.HBox([self.defect_reason, self.mark_button, self.restore_button]),
                pane,
            ],
            layout=widgets.Layout(width="56%", min_width="0"),
        )
        return [
            widgets.HTML(STYLE + BUSY_STYLE),
            widgets.GridBox(
                grid,
                layout=widgets.Layout(grid_template_columns=f"repeat({GRID_COLUMNS}, 1fr)"),
            ),
            *[boxes[facet] for facet in WIDE_FACETS],
            widgets.HBox([self.search, self.regex, self.clear, self.busy]),
            widgets.HBox([left, right], layout=widgets.Layout(align_items="flex-start")),
        ]

    # -- actions ----------------------------------------------------------------------------
    def _act(self, action: Callable[[], Any], what: str = "working") -> None:
        """Run a button's action under the busy line; show a workbench error instead of raising
        it in the UI."""
        try:
            with self.busy.running(what):
                action()
        except WorkbenchError as exc:
            self.message.value = f'<span style="color:#b00">{esc(exc)}</span>'

    # -- filtering ---------------------------------------------------------------------------
    def _on_facet(self, facet: str) -> None:
        if self._quiet:
            return
        with self.busy.running("filtering"):
            self.filter.set(facet, self.filters[facet].value)
            self.refresh()

    def _on_search(self) -> None:
        if self._quiet:
            return
        with self.busy.running("searching"):
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
                options = [(f"{values[i]} ({n[i]})", values[i]) for i in shown]
                if options == list(control.options):
                    continue
                control.value = ()  # as for the list (show_page): no stale chosen position
                with control.hold_sync():
                    control.options = options
                    control.value = tuple(v for v in chosen if v in values)
        finally:
            self._quiet = False
        searched = html.escape(self.search.value)
        self.summary.value = (
            f"<b>{len(self._matching)}</b> of {len(self.table)} samples match"
            + (f" · search: <code>{searched}</code>" if searched else "")
            + self.health
        )
        self.show_page(0)
        self._show_position()

    # -- the list ----------------------------------------------------------------------------
    @property
    def pages(self) -> int:
        return max(1, -(-len(self._matching) // self.page_size))

    def show_page(self, page: int) -> None:
        """Show page ``page`` (0-based, clamped) of the matching rows; the chosen sample stays
        highlighted when it is on it."""
        self.page = min(max(page, 0), self.pages - 1)
        rows = self.rows
        self._quiet = True
        try:
            # No row chosen while the options change, then the new options and the chosen row in
            # one message: the page never holds a chosen position its list does not have.
            self.table_widget.value = None
            chosen = self._selected_key()
            with self.table_widget.hold_sync():
                self.table_widget.options = [
                    (_label(r), k)
                    for r, k in zip(rows.to_dict("records"), rows["key"], strict=True)
                ]
                self.table_widget.value = chosen if chosen in set(rows["key"]) else None
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
            self._act(lambda: self.select(change["new"]), "opening the sample")

    def _position(self, key: Mapping[str, Any] | Iterable[Any] | str) -> int:
        wanted = key_string(key)
        found = np.flatnonzero(self.table["key"].to_numpy() == wanted)
        if not len(found):
            raise InputError(f"no sample {wanted} in the browser", field="key")
        return int(found[0])

    def _selected_key(self) -> str | None:
        return None if self.selected_index is None else self.table.at[self.selected_index, "key"]

    def select(self, key: Mapping[str, Any] | Iterable[Any] | str) -> dict[str, Any]:
        """Show the detail of the sample ``key`` (a key string, mapping or 4-tuple) beside the
        list; its row."""
        self.selected_index = self._position(key)
        row = self.selected
        task, why = self.lookup.find(row)
        reference = self.lookup.reference(task) if task is not None else None
        self.detail.value = self._defect_banner(row) + sample_html(row, task, reference, why)
        self._quiet = True
        self.tags.value = tag_list(row.get("tags"))
        self.note.value = row["note"] if isinstance(row.get("note"), str) else ""
        if row["key"] in {value for _, value in self.table_widget.options}:
            self.table_widget.value = row["key"]
        self._quiet = False
        self._show_position()
        return row

    @property
    def selected(self) -> dict[str, Any]:
        """The chosen sample's row (an InputError when none is chosen)."""
        if self.selected_index is None:
            raise InputError("no sample chosen: select(key) first", field="key")
        return self.table.iloc[self.selected_index].to_dict()

    def _step(self, step: int) -> dict[str, Any]:
        """The matching sample ``step`` places from the chosen one (the first or the last when
        none is chosen or the chosen one no longer matches), shown with its page."""
        if not len(self._matching):
            raise InputError("no sample matches the filters", field="key")
        here = np.flatnonzero(self._matching == self.selected_index)
        if len(here):
            place = int(min(max(here[0] + step, 0), len(self._matching) - 1))
        else:
            place = 0 if step > 0 else len(self._matching) - 1
        if place // self.page_size != self.page:
            self.selected_index = int(self._matching[place])
            self.show_page(place // self.page_size)
        return self.select(self.table.at[int(self._matching[place]), "key"])

    def next_sample(self) -> dict[str, Any]:
        """Show the next matching sample (turning the page when it is on the next one)."""
        return self._step(1)

    def previous_sample(self) -> dict[str, Any]:
        """Show the previous matching sample."""
        return self._step(-1)

    def _show_position(self) -> None:
        here = np.flatnonzero(self._matching == self.selected_index)
        self.position.value = (
            f"{here[0] + 1} of {len(self._matching)}"
            if len(here)
            else f"– of {len(self._matching)}"
        )

    def _defect_banner(self, row: Mapping[str, Any]) -> str:
        """A line over the detail when the sample's task is set aside as defective."""
        found = applied_defects(pd.DataFrame([dict(row)]), self.defects)
        return "".join(
            f'<div class="wb-defect">task {esc(d["task_id"])} is set aside as defective '
            f"({esc(d['source'])}{', ' + esc(d['author']) if text(d['author']) else ''}): "
            f"{esc(d['reason'])}. The second reading of every score leaves it out.</div>"
            for d in found.to_dict("records")
        )

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
        self._rebuild_filter([position])

    def _rebuild_filter(self, changed: Iterable[int]) -> None:
        """After rows ``changed`` got new values: their facet columns set again, and the codes,
        the tag matrix and the search index rebuilt, with the same choices and search."""
        table = self.table
        set_note_facets(table)
        for facet, column in FACETS.items():
            if facet in LIST_FACETS:
                continue
            name = facet_column(facet)
            for position in changed:
                value = facet_values(table.loc[[position], column]).iloc[0]
                if value not in table[name].cat.categories:
                    table[name] = table[name].cat.add_categories([value])
                table.at[position, name] = value
        old, self.filter = self.filter, SampleFilter(table)
        for facet in FACETS:
            self.filter.set(facet, old.chosen(facet))
        old.close()
        self.filter.search(self.search.value, self.regex.value)
        chosen = self._selected_key()
        self.refresh()
        if chosen is not None:  # the chosen sample stays chosen, on its page when it matches
            here = np.flatnonzero(self._matching == self.selected_index)
            if len(here):
                self.show_page(int(here[0]) // self.page_size)
            self._show_position()

    def annotate(
        self, tags: Iterable[str] | None = None, note: str | None = None, author: str | None = None
    ) -> dict[str, Any]:
        """Tag and note the chosen sample in the store (``workbench.annotate``); the row written.
        The filters and the search see the new tags and note at once."""
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
        self._rebuild_filter([position])
        self.select(row["key"])
        self.message.value = "note saved"
        return written

    def mark_task_defective(
        self, reason: str, task: str | None = None, evidence: str = ""
    ) -> dict[str, Any]:
        """Set the chosen sample's task aside as defective in the store
        (``workbench.mark_defective``: its id — a completion record's own — and every task kind
        unless ``task`` names one), saying why; the row written. Scores then show a second
        reading without it; no verdict changes."""
        if self.store is None:
            raise InputError(
                "defect marks are kept in a store: open the browser on a store", field="store"
            )
        row = self.selected
        written = mark_defective(self.store, row["task_id"], reason, task, evidence)
        self._defects_changed(row)
        self.defect_reason.value = ""
        self.message.value = f"task {written['task_id']} set aside as defective"
        return written

    def restore_task(self, task: str | None = None) -> dict[str, Any]:
        """Count the chosen sample's task again (``workbench.restore_task``); the row written."""
        if self.store is None:
            raise InputError("defect marks are kept in a store", field="store")
        row = self.selected
        written = restore_task(self.store, row["task_id"], task)
        self._defects_changed(row)
        self.message.value = f"task {written['task_id']} counts again"
        return written

    def _defects_changed(self, row: Mapping[str, Any]) -> None:
        self.defects = defective_tasks(self.store)
        self.select(row["key"])

    def _on_pattern(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.tags.value = [*self.tags.value, change["new"]]
            self.pattern.value = ""

    def export(self, path: str | Path, format: str | None = None) -> Path:
        """Write every matching row with its notes to ``path`` (.csv, .parquet or .jsonl; the
        box's default is the outputs folder, ``workbench.outputs_dir()``)."""
        written = export_samples(self.matches, path, format)
        self.message.value = f"{len(self._matching)} rows written to {written}"
        return written

    def close(self) -> None:
        self.filter.close()
        super().close()
