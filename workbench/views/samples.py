"""The sample table the views browse: results with their facets, clusters and notes, filtered
vectorised.

``sample_table`` adds what a user filters on — task kind label, difficulty, paradigm and scenario
(from the registry), the error-message cluster (the ids of ``failure_modes``), the sample's tags
and whether it carries a note — and a categorical column per filter, so a filter is a comparison
of integer codes, not a loop over rows (tags, a list per sample, are a row × tag matrix). Its
rows are in task-number order (C/2 before C/10). ``SampleFilter`` keeps one boolean mask per
facet and the text search's mask (answers, output and notes); a change recomputes only the
changed mask, then the matching rows and the counts per facet value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from workbench.analysis.categories import language_categories
from workbench.analysis.failure_modes import cluster_names, row_clusters
from workbench.analysis.passk import group_labels
from workbench.analysis.repairs import with_repairs
from workbench.analysis.rows import in_task_order
from workbench.errors import InputError
from workbench.evaluation.checks import attach_checks
from workbench.evaluation.notes import NOTE_KEY, notes, tag_list, with_notes
from workbench.evaluation.store import Kinds, Store
from workbench.execution.records import REPAIRED, SCORED
from workbench.views.detail import shorten

# The rows the views read: the scored verdicts, and the repaired runs shown beside them.
VIEWED: tuple[str, ...] = (SCORED, REPAIRED)
# Facet name -> column of the sample table.
FACETS: dict[str, str] = {
    "model": "model",
    "language": "language",
    "task": "task_kind",
    "difficulty": "difficulty",
    "paradigm": "paradigm",
    "scenario": "scenario",
    "status": "status",
    "cause": "cause",
    "miss": "miss",  # the kind of miss of a wrong answer whose checks were opened
    "tag": "tags",
    "noted": "noted",
    "cluster": "cluster_label",
}
# Facets whose column holds a list per row (a sample carries any number of tags): a row matches
# a chosen value when its list holds it, and counts towards each value its list holds.
LIST_FACETS: frozenset[str] = frozenset({"tag"})
# What the text search looks in: the model's answer (its raw text, else the code given as a
# completion), what the toolchain and the test said (``error_line`` is a line of these), and the
# sample's note.
SEARCHED: tuple[str, ...] = ("answer", "stdout", "stderr", "reason", "failing_check", "note")
NONE = "(none)"
NOTED = "with a note"  # the ``noted`` facet's value for a sample whose note has text
FACET_PREFIX = "facet:"  # the views' own filter columns: left out of exports
PASSED_CLUSTER = "(passed)"
MACHINE_CLUSTER = "(machine)"


def load_results(
    source: pd.DataFrame | Store | str | Path, kinds: Kinds = VIEWED
) -> tuple[pd.DataFrame, Store | Path | None]:
    """The results of ``source`` with their current notes (and a store's per-check rows,
    ``attach_checks``), and where they are stored (the Store, or the store file's path; None
    for a DataFrame not tied to a store). From a store, the rows of ``kinds`` (``VIEWED`` by
    default; None: every kind, for the health checks)."""
    if isinstance(source, pd.DataFrame):
        return with_notes(source, None), None
    if isinstance(source, Store):
        results = attach_checks(source.results(kinds=kinds), source.checks())
        return with_notes(results, notes(source)), source
    path = Path(source)
    if not path.is_file():
        raise InputError("no results store here", file=path)
    with Store(path) as store:
        results = attach_checks(store.results(kinds=kinds), store.checks())
    return with_notes(results, notes(path)), path


def cluster_labels(table: pd.DataFrame) -> pd.Series:
    """Each row's cluster as a filter shows it: ``#3 <the cluster's most frequent template>``,
    or ``(passed)`` / ``(machine)`` for rows that are not failures."""
    labels = pd.Series(
        np.where(table["status"].astype(str).eq("passed"), PASSED_CLUSTER, MACHINE_CLUSTER),
        index=table.index,
        dtype=object,
    )
    clustered = table[table["cluster"].notna()]
    if clustered.empty:
        return labels
    top = cluster_names(clustered)
    names = {c: f"#{int(c)} {shorten(t, 70)}" for c, t in top.items()}
    labels.loc[clustered.index] = clustered["cluster"].map(names)
    return labels


def sample_table(results: pd.DataFrame) -> pd.DataFrame:
    """``results``' scored rows (one per sample) with the facet columns of ``FACETS`` as
    categoricals, ``message``/``template``/``cluster``, the repairs and repaired verdict
    (``analysis.repairs.with_repairs``), and a ``key`` string per sample."""
    missing = [c for c in (*NOTE_KEY, "language", "status") if c not in results.columns]
    if missing:
        raise InputError(f"results have no column {missing[0]!r}", field=missing[0])
    # The scored rows, with the repaired run's verdict beside each where there is one.
    table = with_repairs(results).reset_index(drop=True)
    for column in ("subset", "level", "cause", "miss"):
        if column not in table.columns:
            table[column] = None
    table["task_kind"] = group_labels(table, "task")
    table["difficulty"] = group_labels(table, "difficulty")
    for kind in ("paradigm", "scenario"):
        table[kind] = table["language"].map(language_categories(kind))
    clusters = row_clusters(table)
    table[["message", "template", "cluster"]] = clusters
    table["cluster_label"] = cluster_labels(table)
    set_note_facets(table)
    for facet, column in FACETS.items():
        if facet not in LIST_FACETS:
            values = facet_values(table[column])
            table[facet_column(facet)] = pd.Categorical(values, categories=_ordered(values, column))
    table["key"] = key_strings(table)
    return in_task_order(table).reset_index(drop=True)


def set_note_facets(table: pd.DataFrame) -> None:
    """The columns the note facets read, from ``tags`` and ``note`` (set again after an edit):
    ``tags`` as lists, ``noted`` (``NOTED`` or missing) and the tag facet's list per row."""
    if "tags" not in table.columns:
        table["tags"] = [[] for _ in range(len(table))]
    if "note" not in table.columns:
        table["note"] = None
    table["tags"] = [tag_list(t) for t in table["tags"]]
    has_note = table["note"].map(lambda n: isinstance(n, str) and bool(n.strip()))
    table["noted"] = np.where(has_note, NOTED, None)
    for facet in LIST_FACETS:
        table[facet_column(facet)] = [tuple(v) or (NONE,) for v in table[FACETS[facet]]]


def facet_column(facet: str) -> str:
    """The categorical column a facet filters on (the results' own column stays as it was)."""
    return f"{FACET_PREFIX}{facet}"


def facet_values(values: pd.Series) -> pd.Series:
    """Values as a filter lists them: text, a missing one as ``NONE``."""
    return values.astype(object).where(values.notna(), NONE).astype(str)


def _ordered(values: pd.Series, column: str) -> list[str]:
    distinct = values.unique().tolist()
    if column == "cluster_label":  # by cluster id: the most frequent first

        def rank(label: str) -> tuple[int, int]:
            return (0, int(label[1:].split(" ", 1)[0])) if label.startswith("#") else (1, 0)

        return sorted(distinct, key=rank)
    return sorted(distinct)


def key_strings(frame: pd.DataFrame) -> pd.Series:
    """One string per sample key: ``task|task_id|model|sample_index``."""
    parts = [frame[k].astype(str) for k in NOTE_KEY]
    return parts[0].str.cat(parts[1:], sep="|")


def key_string(key: Mapping[str, Any] | Iterable[Any] | str) -> str:
    """The ``key_strings`` form of one key (a mapping, a 4-tuple or already a string)."""
    if isinstance(key, str):
        return key
    if isinstance(key, Mapping | pd.Series):
        values = [key[k] for k in NOTE_KEY]
    else:
        values = list(key)
    return "|".join(str(v) for v in values)


class TextSearch:
    """Plain-text or regular-expression search over ``SEARCHED`` columns, run by DuckDB (RE2
    regular expressions, all cores) on the table registered once."""

    def __init__(self, table: pd.DataFrame) -> None:
        def column(name: str) -> pd.Series:
            if name not in table.columns:
                return pd.Series("", index=table.index, dtype=object)
            return table[name].astype(object).where(table[name].notna(), "")

        raw = column("raw_generation")
        texts = pd.DataFrame({c: column(c) for c in SEARCHED if c != "answer"})
        texts.insert(0, "answer", raw.where(raw.ne(""), column("code")))
        self._columns = list(texts.columns)
        self._con = duckdb.connect()
        self._con.execute("SET enable_progress_bar = false")  # no bar under a notebook cell
        self._con.register("wb_search", texts.assign(wb_row=np.arange(len(table))))
        self._size = len(table)

    def mask(self, text: str, regex: bool = False) -> np.ndarray:
        """Rows whose searched columns contain ``text`` (any case) or match the RE2 regular
        expression ``text``. An invalid regular expression is an InputError."""
        if not text:
            return np.ones(self._size, dtype=bool)
        # Plain text is searched as an escaped, case-insensitive pattern: RE2 scans faster
        # than lower() + contains() on long texts.
        pattern, options = (text, "") if regex else (re.escape(text), "i")
        test = " OR ".join(f"regexp_matches({c}, $q, $o)" for c in self._columns)
        try:
            rows = self._con.execute(
                f"SELECT wb_row FROM wb_search WHERE {test}", {"q": pattern, "o": options}
            )
            hits = rows.fetchnumpy()["wb_row"]
        except duckdb.Error as exc:
            raise InputError(
                f"not a regular expression (RE2 syntax): {exc}", field="search"
            ) from None
        mask = np.zeros(self._size, dtype=bool)
        mask[np.asarray(hits, dtype=np.int64)] = True
        return mask

    def close(self) -> None:
        self._con.close()


class SampleFilter:
    """Filters over a ``sample_table``: per facet a set of chosen values (empty: all) and a text
    search; ``matches`` is the boolean mask of rows that pass them all. A facet of one value per
    row filters by its integer codes; a list facet (``LIST_FACETS``) by a row × value matrix."""

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table
        self._values: dict[str, list[str]] = {}
        self._codes: dict[str, np.ndarray] = {}
        self._members: dict[str, np.ndarray] = {}
        for facet in FACETS:
            column = table[facet_column(facet)]
            if facet in LIST_FACETS:
                values = sorted({v for row in column for v in row} - {NONE})
                values += [NONE] if any(NONE in row for row in column) else []
                index = {v: i for i, v in enumerate(values)}
                members = np.zeros((len(table), len(values)), dtype=bool)
                for row, held in enumerate(column):
                    members[row, [index[v] for v in held]] = True
                self._values[facet], self._members[facet] = values, members
            else:
                self._values[facet] = list(column.cat.categories)
                self._codes[facet] = column.cat.codes.to_numpy()
        self._masks: dict[str, np.ndarray] = {}
        self._chosen: dict[str, tuple[str, ...]] = {f: () for f in FACETS}
        self._search = TextSearch(table)
        self._search_mask = np.ones(len(table), dtype=bool)
        self._search_key: tuple[str, bool] = ("", False)

    def categories(self, facet: str) -> list[str]:
        """The values of ``facet``, in the order a filter lists them."""
        return list(self._values[facet])

    def chosen(self, facet: str) -> tuple[str, ...]:
        """The values ``facet`` is restricted to (empty: all)."""
        return self._chosen[facet]

    def set(self, facet: str, values: Iterable[str]) -> None:
        """Keep only rows whose ``facet`` is one of ``values`` (none: no restriction)."""
        chosen = tuple(values)
        self._chosen[facet] = chosen
        if not chosen:
            self._masks.pop(facet, None)
            return
        wanted = pd.Index(self._values[facet]).get_indexer(list(chosen))
        wanted = wanted[wanted >= 0]
        if facet in self._members:
            self._masks[facet] = self._members[facet][:, wanted].any(axis=1)
        else:
            self._masks[facet] = np.isin(self._codes[facet], wanted)

    def search(self, text: str, regex: bool = False) -> None:
        """Keep only rows whose answer or messages contain ``text`` / match ``regex``."""
        if (text, regex) != self._search_key:
            self._search_mask = self._search.mask(text, regex)
            self._search_key = (text, regex)

    def _all_but(self, skip: str | None) -> np.ndarray:
        mask = self._search_mask.copy()
        for facet, facet_mask in self._masks.items():
            if facet != skip:
                mask &= facet_mask
        return mask

    @property
    def matches(self) -> np.ndarray:
        return self._all_but(None)

    def counts(self) -> dict[str, np.ndarray]:
        """Per facet, the rows per value that the other filters let through (what choosing
        that value would show)."""
        out = {}
        for facet in FACETS:
            mask = self._all_but(facet)
            if facet in self._members:
                out[facet] = self._members[facet][mask].sum(axis=0)
            else:
                size = len(self._values[facet])
                out[facet] = np.bincount(self._codes[facet][mask], minlength=size)
        return out

    def close(self) -> None:
        self._search.close()
