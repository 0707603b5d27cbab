"""Failure modes: the error messages of failing samples, reduced to templates and counted.

Answers "what goes wrong, how often, and where": every non-passing sample gets one message (the
cause rules' ``error_line`` when the results carry it, else the first error-like line the
toolchain printed, else the verdict's reason); what varies between samples with the same error —
paths, temporary names, line and column numbers, quoted names, identifiers, numbers, addresses —
is replaced by placeholders, identical templates are grouped, and near-duplicate templates are
merged by agglomerative clustering of their TF-IDF vectors. The heavy work runs on distinct
texts, not rows: a store of 100k rows has far fewer distinct messages, and fewer templates still.

Wrong answers whose checks were opened (``workbench checks``: a ``miss`` kind, docs/checks.md)
are grouped instead by what went wrong, not by how the test words its message: their template is
the kind of miss and the failing check's source with its literals as placeholders
(``off_by_one · assert(f(<list>) == <N>)``), and identical templates are one cluster, never
merged with others. Runtime and compile errors keep their message clusters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from workbench.analysis.rows import failing, is_failing
from workbench.errors import InputError
from workbench.execution.records import CAUSES, SAMPLE_KEY, Status
from workbench.programs.checks import normalise_check

# What a person wrote on a sample (``evaluation.notes.with_notes``): a cluster counts its noted
# samples and lists their tags.
NOTED_BY = ("tags", "note")

KEY = list(SAMPLE_KEY)

# Clustering merges templates whose cosine distance (TF-IDF of words and word pairs) is below
# this: a template differing in one varying word that no placeholder caught stays together,
# while two errors sharing only the compiler's "error:" prefix are far apart.
DISTANCE_THRESHOLD = 0.35
# Agglomerative clustering holds an n x n distance matrix: the most frequent templates are
# clustered, rarer ones join their nearest cluster (or stand alone) — the same threshold.
MAX_CLUSTERED = 2000
NO_MESSAGE = "(no message)"

# A line that reports an error, in any toolchain's wording.
_ERRORISH = (
    r"error|exception|assert|panic|fatal|fail|undefined|undeclared|not defined|not found"
    r"|cannot|can't|unexpected|invalid|segmentation|abort|no such|illegal|unbound|denied"
    r"|overflow|exceeded|not a function|not callable|expected"
)
# Lines (RE2 syntax: DuckDB reads them in parallel) that can hold the message: not a code excerpt
# or marker (indented, or starting with | ^ ~)...
_ERROR_LINE = rf"(?im)^([^ \t|^~\n][^\n]*(?:{_ERRORISH})[^\n]*)$"
_ANY_LINE = r"(?m)^([^ \t|^~\n][^\n]*\S[^\n]*)$"
# ... nor context: compiler headers, warnings and notes, traceback headers.
_CONTEXT_LINE = (
    r"(?i)\b(?:warning|note)\b:|\bIn (?:member )?function\b|\bAt top level:"
    r"|^Traceback \(most recent call last\)|^During handling of the above exception"
)

# Applied in order; each replaces one kind of thing that varies between samples with the same
# error. Locations first (they hold numbers and paths), numbers last (names may hold digits).
NORMALISERS: tuple[tuple[str, str], ...] = (
    # Digits first, all alike: the rules below only ask whether a digit is there, and texts
    # that differ only in numbers become one text for every later rule.
    (r"\d+", "0"),
    (r"\x1b\[[0-9;]*[A-Za-z]", ""),  # terminal colours
    (r"\b0x[0-9a-fA-F]+\b", "<HEX>"),
    (r'File "[^"\n]*", line \d+', "<LOC>"),
    (r"(?:[\w.~+-]*/)*[\w.+-]+\.[A-Za-z]\w*:\d+(?::\d+)?", "<LOC>"),
    (r"(?<![\w<])(?:/[\w.@+-]+)+/?", "<PATH>"),
    (r"\b(?:tmp|temp)[\w-]*\d[\w-]*", "<TMP>"),
    # Quoted text: gcc's ‘…’, glibc's `…', and plain quotes not inside a word (don't, it's).
    (r"‘[^’\n]*’", "<Q>"),
    (r"“[^”\n]*”", "<Q>"),
    (r"`[^`'\n]*'", "<Q>"),
    (r"`[^`\n]*`", "<Q>"),
    (r"(?<!\w)'[^'\n]*'(?!\w)", "<Q>"),
    (r'"[^"\n]*"', "<Q>"),
    # Unquoted names in messages that always name something: "x is not defined", "x: not found".
    (
        r"[\w$.\[\]]+(?= is not (?:defined|a function|iterable|a constructor|callable"
        r"|subscriptable)\b)",
        "<ID>",
    ),
    (r"(?<![\w<>])[\w.-]+(?=: (?:command )?not found)", "<ID>"),
    # Identifiers by shape (snake_case, camelCase, letters with digits), except class names of
    # errors, which are the message.
    (
        r"\b(?!\w*(?:Error|Exception|Warning|Interrupt|Iteration|Exit)\b)"
        r"(?=[A-Za-z_]\w*(?:[A-Za-z0-9]_[A-Za-z0-9]|[a-z][A-Z]|[A-Za-z]\d))[A-Za-z_]\w*",
        "<ID>",
    ),
    (r"(?<![\w<])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\b", "<N>"),
    (r"\s+", " "),
)
_NORMALISERS = tuple((re.compile(p), r) for p, r in NORMALISERS)


def _text_column(results: pd.DataFrame, name: str) -> pd.Series:
    if name not in results.columns:
        return pd.Series("", index=results.index, dtype=object)
    return results[name].fillna("").astype(str)


def _first_line(texts: pd.Series, line: str) -> pd.Series:
    """Each text's first line that matches ``line`` and is not context (NaN if none), found
    once per distinct text by DuckDB's regular expressions."""
    codes, uniques = pd.factorize(texts, sort=False)
    con = duckdb.connect()
    try:
        con.register("wb_texts", pd.DataFrame({"text": uniques}))
        found = con.execute(
            "SELECT rtrim(list_filter(regexp_extract_all(text, $line, 1), "
            "lambda x: NOT regexp_matches(x, $context))[1]) AS line FROM wb_texts",
            {"line": line, "context": _CONTEXT_LINE},
        ).df()["line"]
    finally:
        con.close()
    return pd.Series(found.to_numpy(dtype=object)[codes], index=texts.index, dtype=object)


def failure_messages(results: pd.DataFrame) -> pd.Series:
    """One message per row: ``error_line`` when present, else the first error-like line of
    stderr, then of stdout, else stderr's first line, else the verdict's reason."""
    message = pd.Series(np.nan, index=results.index, dtype=object)
    if "error_line" in results.columns:
        given = results["error_line"].astype(object)
        message = given.where(given.notna() & given.astype(str).str.strip().ne(""))
    stderr, stdout = _text_column(results, "stderr"), _text_column(results, "stdout")
    for texts, line in ((stderr, _ERROR_LINE), (stdout, _ERROR_LINE), (stderr, _ANY_LINE)):
        missing = message.isna()
        if not missing.any():
            break
        message = message.fillna(_first_line(texts[missing], line))
    reason = _text_column(results, "reason").str.strip()
    message = message.fillna(reason.where(reason.ne("")))
    return message.fillna(NO_MESSAGE).astype(str)


def normalise(messages: pd.Series) -> pd.Series:
    """Each message as a template: what varies between samples replaced by placeholders
    (``<LOC>``, ``<PATH>``, ``<TMP>``, ``<Q>``, ``<ID>``, ``<N>``, ``<HEX>``)."""
    codes, uniques = pd.factorize(messages.astype(str), sort=False)
    for pattern, replacement in _NORMALISERS:
        # Each step makes texts alike: the next runs on the fewer distinct ones left.
        step, uniques = pd.factorize(
            pd.Series(uniques, dtype=object).str.replace(pattern, replacement, regex=True)
        )
        codes = step[codes]
    templates = pd.Series(uniques, dtype=object).str.strip().replace("", NO_MESSAGE)
    return pd.Series(templates.to_numpy()[codes], index=messages.index, dtype=object)


def cluster_templates(
    templates: Sequence[str],
    weights: Sequence[int] | None = None,
    threshold: float = DISTANCE_THRESHOLD,
) -> np.ndarray:
    """A cluster label per template (0 = the heaviest cluster): near-duplicates merged by
    average-linkage agglomerative clustering of TF-IDF vectors (words and word pairs) under a
    cosine distance ``threshold``. Deterministic: same templates and weights, same labels.

    ``weights`` (e.g. how many failures each template has) order the work and the labels:
    the ``MAX_CLUSTERED`` heaviest templates are clustered; each other joins its nearest
    clustered template's cluster when within ``threshold``, else is a cluster of its own.
    """
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(templates)
    if n == 0:
        return np.zeros(0, dtype=int)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    frame = pd.DataFrame({"template": list(templates), "weight": w})
    order = frame.sort_values(["weight", "template"], ascending=[False, True], kind="stable").index
    ordered = frame.loc[order, "template"].tolist()
    vectors = TfidfVectorizer(
        token_pattern=r"<[A-Za-z]+>|[A-Za-z]{2,}",
        lowercase=True,
        ngram_range=(1, 2),
        sublinear_tf=True,
        dtype=np.float64,
    ).fit_transform(ordered)
    head = min(n, MAX_CLUSTERED)
    labels = np.zeros(n, dtype=int)
    if head > 1:
        similarity = (vectors[:head] @ vectors[:head].T).toarray()
        distance = np.clip(1.0 - similarity, 0.0, None)
        np.fill_diagonal(distance, 0.0)
        labels[:head] = AgglomerativeClustering(
            n_clusters=None,
            metric="precomputed",
            linkage="average",
            distance_threshold=threshold,
        ).fit_predict(distance)
    next_label = labels[:head].max() + 1
    for start in range(head, n, 1000):
        chunk = vectors[start : start + 1000] @ vectors[:head].T
        best = np.asarray(chunk.argmax(axis=1)).ravel()
        near = np.asarray(chunk.max(axis=1).toarray()).ravel() >= 1.0 - threshold
        own = next_label + np.arange(len(best))
        labels[start : start + len(best)] = np.where(near, labels[best], own)
        next_label += len(best)
    result = np.empty(n, dtype=int)
    result[np.asarray(order)] = ranked(labels, frame.loc[order, "weight"].to_numpy())
    return result


def ranked(labels: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``labels`` renumbered by their total weight (the heaviest 0), ties by first appearance."""
    totals = pd.DataFrame({"label": labels, "weight": weights, "pos": np.arange(len(labels))})
    rank = (
        totals.groupby("label")
        .agg(weight=("weight", "sum"), pos=("pos", "min"))
        .sort_values(["weight", "pos"], ascending=[False, True])
    )
    relabel = pd.Series(np.arange(len(rank)), index=rank.index)
    return relabel.loc[labels].to_numpy()


def message_template(row: Mapping[str, Any]) -> tuple[str, str] | None:
    """One result row's message and template, as ``failure_modes`` makes them, or None when
    the row is not a failure (``rows.is_failing``)."""
    if not is_failing(str(row.get("status"))):
        return None
    message = failure_messages(pd.DataFrame([dict(row)])).iloc[0]
    return message, normalise(pd.Series([message])).iloc[0]


def opened_wrong_answers(rows: pd.DataFrame) -> pd.Series:
    """Which rows are wrong answers (status ``failed``) with a kind of miss: those clustered by
    their failing check, not their message."""
    if "miss" not in rows.columns:
        return pd.Series(False, index=rows.index)
    return rows["status"].eq(Status.FAILED) & rows["miss"].notna()


def check_messages(rows: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Each opened wrong answer's message — its first failing check, with the expected and
    actual values — and template: the kind of miss and the check's normalised source."""
    source = _text_column(rows, "failing_check").str.strip()
    expected, actual = _text_column(rows, "expected"), _text_column(rows, "actual")
    values = ("  expected " + expected + ", actual " + actual).where(
        expected.ne("") | actual.ne(""), ""
    )
    message = source.where(source.ne(""), NO_MESSAGE) + values
    checks = source.map(normalise_check).where(source.ne(""), NO_MESSAGE)
    return message, rows["miss"].astype(str) + " · " + checks


def row_clusters(results: pd.DataFrame, threshold: float = DISTANCE_THRESHOLD) -> pd.DataFrame:
    """Per row of ``results``: its ``message``, ``template`` and ``cluster`` (``failure_modes``'
    ids: the clusters of the failing rows' templates; missing for rows that did not fail).
    Opened wrong answers (``opened_wrong_answers``) are clustered by their ``check_messages``
    template alone; the others by their messages' templates, near-duplicates merged."""
    out = pd.DataFrame(
        {"message": None, "template": None, "cluster": pd.NA},
        index=results.index,
    ).astype({"message": object, "template": object, "cluster": "Int64"})
    rows = failing(results)
    if rows.empty:
        return out
    by_check = opened_wrong_answers(rows)
    message = failure_messages(rows[~by_check])
    template = normalise(message)
    weights = template.value_counts(sort=False)
    labels = cluster_templates(weights.index.tolist(), weights.to_list(), threshold)
    if by_check.any():
        checked, checked_template = check_messages(rows[by_check])
        message, template = pd.concat([message, checked]), pd.concat([template, checked_template])
        own = checked_template.value_counts(sort=False)
        own = own[~own.index.isin(weights.index)]  # a message's template already: one cluster
        both = pd.concat([weights, own])
        start = labels.max() + 1 if len(labels) else 0
        labels = np.concatenate([labels, start + np.arange(len(own))])
        order = np.lexsort((both.index.to_numpy(dtype=str), -both.to_numpy()))
        labels[order] = ranked(labels[order], both.to_numpy()[order])
        weights = both
    out.loc[message.index, "message"] = message
    out.loc[template.index, "template"] = template
    out.loc[template.index, "cluster"] = template.map(pd.Series(labels, index=weights.index))
    return out


def cluster_names(clusters: pd.DataFrame) -> pd.Series:
    """Each cluster's most frequent template (ties: the first in order), by cluster id, from
    ``row_clusters``' columns ``cluster`` and ``template``."""
    clustered = clusters[clusters["cluster"].notna()]
    counts = clustered.groupby(["cluster", "template"], sort=True).size().rename("n").reset_index()
    top = counts.sort_values(["cluster", "n"], ascending=[True, False], kind="stable")
    return top.drop_duplicates("cluster").set_index("cluster")["template"]


def _dominant(frame: pd.DataFrame, column: str) -> pd.Series:
    """The most frequent value of ``column`` per ``group`` id of ``frame`` (ties: the
    smallest)."""
    counts = frame.groupby(["group", column], dropna=False, sort=True).size().rename("n")
    top = (
        counts.reset_index()
        .sort_values(["group", "n"], ascending=[True, False], kind="stable")
        .drop_duplicates("group")
    )
    return top.set_index("group")[column]


def failure_modes(
    results: pd.DataFrame,
    by: Sequence[str] | str = ("language",),
    examples: int = 3,
    threshold: float = DISTANCE_THRESHOLD,
) -> pd.DataFrame:
    """The clusters of error messages of non-passing samples, per group of ``by`` columns.

    One row per (``by`` values, cluster): ``cluster`` (the same id in every group; 0 is the
    most frequent overall), ``template`` and ``message`` (the cluster's most frequent template
    and raw message in that group), ``count``, ``share`` (of the group's failures),
    ``n_failures`` (the group's), the dominant ``status`` (and ``cause`` when the results carry
    causes), ``n_templates`` merged, and ``examples``: up to ``examples`` sample keys (task,
    task_id, model, sample_index) as dicts. Rows with a machine status (``toolchain_missing``,
    ``infrastructure_error``) are not failures of the sample and are left out. Sorted by
    group, then count (largest first). When the results carry notes (``tags``, ``note``:
    ``with_notes``), ``n_noted`` counts the cluster's samples with a tag or a note and ``tags``
    lists its tags, most used first, each with its count (``Silly Mistake (2); typo (1)``).
    """
    by = [by] if isinstance(by, str) else list(by)
    needed = [*KEY, "status", *by]
    for column in dict.fromkeys(needed):
        if column not in results.columns:
            hint = " (`workbench failures --refresh` computes causes)" * (column == "cause")
            raise InputError(f"results have no column {column!r}{hint}", field=column)
    failures = failing(results)
    extra = [c for c in ("cause", "miss") if c in failures.columns and c not in by]
    columns = [
        *by,
        "cluster",
        "template",
        "message",
        "count",
        "share",
        "n_failures",
        *(["status"] if "status" not in by else []),
        *extra,
        "n_templates",
        "examples",
    ]
    noted = [c for c in NOTED_BY if c in failures.columns]
    if noted:
        columns[-1:-1] = ["n_noted", "tags"]
    if failures.empty:
        return pd.DataFrame(columns=columns)
    frame = failures[list(dict.fromkeys([*KEY, "status", *by, *extra, *noted]))].copy()
    clusters = row_clusters(failures, threshold)
    frame["message"] = clusters["message"]
    frame["template"] = clusters["template"]
    frame["cluster"] = clusters["cluster"].astype(int)
    keys = [*by, "cluster"]
    # Integer group ids: missing values in ``by`` columns (a cause not computed) stay groups
    # of their own, and every aggregate below aligns on the id.
    frame["group"] = frame.groupby(keys, dropna=False, sort=True).ngroup()
    frame["by_group"] = frame.groupby(by, dropna=False, sort=True).ngroup() if by else 0
    per_group = frame.groupby("group")
    table = frame.drop_duplicates("group").set_index("group")[[*keys, "by_group"]].sort_index()
    table["count"] = per_group.size()
    table["n_templates"] = per_group["template"].nunique()
    table["template"] = _dominant(frame, "template")
    table["message"] = _dominant(frame, "message")
    for column in ("status", *extra):
        if column not in by:
            table[column] = _dominant(frame, column)
    # The example that shows the group's message comes first, then others by key.
    frame["other"] = frame["message"].ne(frame["group"].map(table["message"]))
    samples = frame.sort_values(["other", *KEY], kind="stable").groupby("group").head(examples)
    samples = samples.assign(example=samples[KEY].astype(object).to_dict("records"))
    table["examples"] = samples.groupby("group")["example"].agg(list)
    if noted:
        table["n_noted"], table["tags"] = _notes_per_group(frame)
    table["n_failures"] = table.groupby("by_group")["count"].transform("sum")
    table["share"] = table["count"] / table["n_failures"]
    table = table.sort_values(
        ["by_group", "count", "cluster"], ascending=[True, False, True], kind="stable"
    )
    return table[columns].reset_index(drop=True)


def _notes_per_group(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per ``group`` of ``frame``: how many samples carry a tag or a note, and their tags with
    counts, most used first."""
    tags = frame["tags"] if "tags" in frame.columns else pd.Series([[]] * len(frame), frame.index)
    note = frame["note"] if "note" in frame.columns else pd.Series(None, frame.index)
    has = tags.map(lambda t: len(t) > 0 if isinstance(t, list | tuple) else False) | note.map(
        lambda n: isinstance(n, str) and bool(n.strip())
    )
    counted = has.groupby(frame["group"]).sum().astype(int)
    every = frame.assign(tag=tags).explode("tag").dropna(subset=["tag"])
    per = every.groupby(["group", "tag"]).size().rename("n").reset_index()
    per = per.sort_values(["group", "n", "tag"], ascending=[True, False, True])
    listed = {
        group: "; ".join(f"{t} ({n})" for t, n in zip(part["tag"], part["n"], strict=True))
        for group, part in per.groupby("group")
    }
    return counted, pd.Series(listed, dtype=object).reindex(counted.index).fillna("")


def cause_order(causes: Sequence[str]) -> list[str]:
    """``causes`` (distinct) in the vocabulary's order (``CAUSES``), others after, sorted."""
    present = set(causes)
    return [c for c in CAUSES if c in present] + sorted(present - set(CAUSES))


def cause_counts(results: pd.DataFrame) -> pd.DataFrame:
    """Failing samples per (model, cause), most first: columns ``model``, ``cause``, ``count``
    (a failure without a computed cause counts as ``unknown``)."""
    rows = failing(results)
    causes = rows["cause"].astype(object).where(rows["cause"].notna(), "unknown")
    return (
        pd.DataFrame({"model": rows["model"], "cause": causes})
        .value_counts()
        .rename("count")
        .reset_index()
    )


def cause_table(results: pd.DataFrame) -> pd.DataFrame:
    """Failing samples per cause (rows, in ``cause_order``) and model (a column each, sorted),
    with ``all models`` and their ``share %``."""
    counts = cause_counts(results)
    table = counts.pivot(index="cause", columns="model", values="count").fillna(0).astype(int)
    table = table.loc[cause_order(table.index)]
    table["all models"] = table.sum(axis=1)
    table["share %"] = (table["all models"] / table["all models"].sum() * 100).round(1)
    return table.rename_axis("cause").reset_index()


def example_key(example: dict) -> str:
    """A sample key as one short string: ``task_id #sample_index (model, task)``."""
    return (
        f"{example['task_id']} #{example['sample_index']} ({example['model']}, {example['task']})"
    )
