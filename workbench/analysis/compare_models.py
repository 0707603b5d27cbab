"""Two or more models compared sample by sample: where they agree, where one wins, and whether
the difference is more than noise (an exact McNemar test on the paired verdicts).

Pairs are the same sample of the same task for both models: (task kind, task_id, sample_index).
A sample that only one model has is unpaired: it is counted (``n_unpaired_a`` /
``n_unpaired_b``) and not compared. A pair in which either verdict is about the machine
(``toolchain_missing``, ``infrastructure_error``) says nothing about the models: it is counted
in ``n_excluded`` and left out of the four cells and the test. Every other non-passing status is
a failure. With more than two models every pair is compared, in the order given (A-B, A-C,
B-C, ...): the table and the disagreements carry ``model_a`` and ``model_b``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
from scipy.stats import binomtest

from workbench.analysis.defects import defective_mask
from workbench.analysis.failure_modes import failure_messages
from workbench.analysis.passk import DEFECTS_ASIDE
from workbench.analysis.rows import of_kind
from workbench.analysis.wrong_answers import miss_side_by_side
from workbench.errors import InputError
from workbench.execution.records import MACHINE_STATUSES, SAMPLE_KEY

# A pair: the same sample of the same task, answered by two models.
PAIR_KEY = [k for k in SAMPLE_KEY if k != "model"]
OVERALL = "ALL"
CELLS = ["both_pass", "only_a", "only_b", "both_fail"]
# Shown beside each side's status in the disagreements, when the results carry them; the
# failing side's message is derived from them (``failure_messages``).
DETAIL_COLUMNS = ["cause", "reason", "tags", "note"]  # notes when the results carry them
MESSAGE_SOURCES = ["error_line", "stderr", "stdout", "reason"]


@dataclass(frozen=True)
class Comparison:
    """The outcome of :func:`compare_models`.

    ``table``: one row per (model pair, language) plus an ``ALL`` row per pair — pair counts,
    the four cells, pass rates on the paired samples and the exact McNemar p-value.
    ``disagreements``: one row per discordant pair (one model passed, the other failed).
    ``misses``: per language (and ``ALL``), the kinds of miss of each model's wrong answers side
    by side, a column per model (``wrong_answers.miss_side_by_side``; empty when the results
    carry no ``miss``: their checks were never opened).
    """

    table: pd.DataFrame
    disagreements: pd.DataFrame
    misses: pd.DataFrame = field(default_factory=pd.DataFrame)


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """Two-sided exact McNemar p-value: the discordant pairs against a fair coin (1.0 when
    there are none: nothing tells the models apart)."""
    n = only_a + only_b
    return 1.0 if n == 0 else float(binomtest(only_a, n, 0.5).pvalue)


def _models(models: tuple[str | Sequence[str], ...]) -> list[str]:
    names: list[str] = []
    for m in models:
        names.extend([m] if isinstance(m, str) else list(m))
    if len(set(names)) < 2:
        raise InputError(f"need at least two distinct models to compare, got {names}")
    return list(dict.fromkeys(names))


def _cells(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """The four cells, pair counts and McNemar p-value per ``by`` value and overall."""
    flags = pd.DataFrame(
        {
            by: frame[by],
            "task_key": frame["task"] + "\0" + frame["task_id"],
            "paired": frame["paired"],
            "excluded": frame["excluded"],
            "unpaired_a": frame["unpaired_a"],
            "unpaired_b": frame["unpaired_b"],
            "both_pass": frame["paired"] & frame["pass_a"] & frame["pass_b"],
            "only_a": frame["paired"] & frame["pass_a"] & ~frame["pass_b"],
            "only_b": frame["paired"] & ~frame["pass_a"] & frame["pass_b"],
            "both_fail": frame["paired"] & ~frame["pass_a"] & ~frame["pass_b"],
        }
    )
    counted = [
        "paired",
        "excluded",
        "unpaired_a",
        "unpaired_b",
        *CELLS,
    ]
    per_group = flags.groupby(by, sort=True)[counted].sum()
    tasks = flags[flags["paired"]].groupby(by)["task_key"].nunique()
    per_group.insert(0, "n_tasks", tasks.reindex(per_group.index).fillna(0))
    overall = flags[counted].sum().to_frame(OVERALL).T
    overall.insert(0, "n_tasks", flags.loc[flags["paired"], "task_key"].nunique())
    table = pd.concat([per_group, overall]).astype(int)
    table.index.name = by
    table = table.rename(
        columns={
            "paired": "n_pairs",
            "excluded": "n_excluded",
            "unpaired_a": "n_unpaired_a",
            "unpaired_b": "n_unpaired_b",
        }
    ).reset_index()
    pairs = table["n_pairs"].where(table["n_pairs"] > 0)
    table["pass_rate_a"] = (table["both_pass"] + table["only_a"]) / pairs
    table["pass_rate_b"] = (table["both_pass"] + table["only_b"]) / pairs
    table["p_value"] = [
        mcnemar_exact(int(a), int(b)) for a, b in zip(table["only_a"], table["only_b"], strict=True)
    ]
    return table


def _cells_aside(frame: pd.DataFrame, by: str, table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (``_cells`` of ``frame``) with the second reading: ``n_defective_pairs`` and
    the discordant counts, pass rates and p-value of the pairs whose task is not set aside."""
    defective = frame["defective_a"].fillna(False).astype(bool) | frame["defective_b"].fillna(
        False
    ).astype(bool)
    counted = (frame["paired"] & defective).groupby(frame[by]).sum()
    table[DEFECTIVE_PAIRS] = (
        table[by].map(counted).fillna(int((frame["paired"] & defective).sum())).astype(int)
    )
    kept = _cells(frame[~defective], by) if (~defective).any() else table.iloc[0:0]
    kept = kept.set_index(by)[list(ASIDE_COLUMNS)].add_suffix(f"_{DEFECTS_ASIDE}")
    return table.merge(kept, left_on=by, right_index=True, how="left")


# The second reading with defective tasks set aside (``set_aside``): its count and the columns
# computed again without them, each with the suffix ``_defects_aside``.
DEFECTIVE_PAIRS = "n_defective_pairs"
ASIDE_COLUMNS = ("only_a", "only_b", "p_value", "pass_rate_a", "pass_rate_b")


def table_columns(by: str = "language", set_aside: bool = False) -> list[str]:
    """The comparison table's columns in order: the group, the discordant counts and the
    McNemar p-value first (what says whether the models differ), the second reading's beside
    them, then pass rates and the other counts, the model names last."""
    aside = [f"{c}_{DEFECTS_ASIDE}" for c in ASIDE_COLUMNS] if set_aside else []
    return [
        by,
        "only_a",
        "only_b",
        "p_value",
        *([DEFECTIVE_PAIRS, *aside[:3]] if set_aside else []),
        "pass_rate_a",
        "pass_rate_b",
        *aside[3:],
        "n_pairs",
        "both_pass",
        "both_fail",
        "n_tasks",
        "n_excluded",
        "n_unpaired_a",
        "n_unpaired_b",
        "model_a",
        "model_b",
    ]


# The flags ``paired_frame`` adds to each pair (the cell is the paired rows' verdict pair).
PAIR_FLAGS = ["unpaired_a", "unpaired_b", "excluded", "paired", "pass_a", "pass_b"]


def paired_frame(
    results: pd.DataFrame,
    a: str,
    b: str,
    by: str = "language",
    columns: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Model ``a``'s and ``b``'s scored rows side by side, one row per sample either answered
    (joined on ``PAIR_KEY``): each of ``columns`` (default: every column) with the suffix
    ``_a`` / ``_b``, the ``by`` value, the ``PAIR_FLAGS`` (``excluded``: a machine status on
    either side; ``paired``: both answered and neither is excluded) and ``cell`` (both_pass,
    only_a, only_b, both_fail; None for a row that is not paired)."""
    rows = of_kind(results)
    if columns is not None:
        rows = rows[list(dict.fromkeys([*PAIR_KEY, "model", by, "status", *columns]))]
    left, right = rows[rows["model"] == a], rows[rows["model"] == b]
    merged = left.merge(right, on=PAIR_KEY, how="outer", suffixes=("_a", "_b"), indicator=True)
    if by not in PAIR_KEY:
        merged[by] = merged[f"{by}_a"].fillna(merged[f"{by}_b"])
    side = merged.pop("_merge")
    in_a, in_b = side.ne("right_only"), side.ne("left_only")
    machine = merged["status_a"].isin(MACHINE_STATUSES) | merged["status_b"].isin(MACHINE_STATUSES)
    merged["unpaired_a"] = in_a & ~in_b
    merged["unpaired_b"] = in_b & ~in_a
    merged["excluded"] = in_a & in_b & machine
    merged["paired"] = in_a & in_b & ~machine
    merged["pass_a"] = merged["status_a"].eq("passed")
    merged["pass_b"] = merged["status_b"].eq("passed")
    cell = np.select(
        [
            merged["pass_a"] & merged["pass_b"],
            merged["pass_a"] & ~merged["pass_b"],
            ~merged["pass_a"] & merged["pass_b"],
        ],
        CELLS[:3],
        CELLS[3],
    )
    merged["cell"] = pd.Series(cell, index=merged.index, dtype=object).where(merged["paired"], None)
    return merged


def _pair(results: pd.DataFrame, a: str, b: str, by: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    details = [c for c in DETAIL_COLUMNS if c in results.columns]
    sources = [c for c in MESSAGE_SOURCES if c in results.columns and c not in details]
    flags = ["defective"] if "defective" in results.columns else []
    merged = paired_frame(results, a, b, by, [*details, *sources, *flags])
    table = _cells(merged, by)
    if flags:
        table = _cells_aside(merged, by, table)
    table["model_a"], table["model_b"] = a, b

    discordant = merged[merged["paired"] & merged["pass_a"].ne(merged["pass_b"])]
    discordant = discordant.sort_values([by, *PAIR_KEY], kind="stable")
    disagreements = pd.DataFrame(
        {
            "model_a": a,
            "model_b": b,
            by: discordant[by],
            **{k: discordant[k] for k in PAIR_KEY},
            "winner": np.where(discordant["pass_a"], a, b),
            "status_a": discordant["status_a"],
            "status_b": discordant["status_b"],
            **{f"{c}_{side}": discordant[f"{c}_{side}"] for c in details for side in "ab"},
        }
    )
    # The failing side's message: the first error line its toolchain printed.
    names = [c for c in MESSAGE_SOURCES if c in results.columns]
    for side, passed in (("a", discordant["pass_a"]), ("b", discordant["pass_b"])):
        texts = discordant[[f"{c}_{side}" for c in names]].set_axis(names, axis=1)
        disagreements[f"message_{side}"] = failure_messages(texts).where(~passed)
    return table, disagreements


def compare_models(
    results: pd.DataFrame,
    *models: str | Sequence[str],
    by: str = "language",
    set_aside: Iterable[str] | pd.DataFrame | None = None,
) -> Comparison:
    """Compare models on the same samples: ``compare_models(results, "A", "B")``, or with more
    models (``"A", "B", "C"`` or a list) every pair in the order given.

    Per ``by`` value (default: language) and overall (``ALL``, pooled over every pair), in
    ``TABLE_COLUMNS``' order — what a reader looks at first, first: the discordant counts
    ``only_a`` and ``only_b``, the exact McNemar p-value (``binomtest`` of ``only_a`` among the
    discordant pairs, p = 1/2), pass rates on the pairs, then ``n_pairs``, ``both_pass``,
    ``both_fail`` and the other counts, and the two models' names last. Unpaired samples and
    pairs with a machine status are counted, not compared (module docstring).

    ``set_aside`` (defective tasks, as ``pass_at_k_table`` reads them: ``defective_tasks(store)``)
    adds a second reading beside the first, never in its place: ``n_defective_pairs`` and
    ``only_a``, ``only_b``, ``p_value``, ``pass_rate_a``, ``pass_rate_b`` with the suffix
    ``_defects_aside``, computed on the pairs whose task is not set aside.
    With opened checks (``miss``), each model's kinds of miss per language (``misses``).
    """
    names = _models(models)
    for column in dict.fromkeys([*PAIR_KEY, "model", "status", by]):
        if column not in results.columns:
            raise InputError(f"results have no column {column!r}", field=column)
    present = set(results["model"].unique())
    absent = [m for m in names if m not in present]
    if absent:
        raise InputError(
            f"no results for model(s) {absent}; the results hold {sorted(present)}", field="model"
        )
    rows = of_kind(results)
    rows = rows[rows["model"].isin(names)]
    if set_aside is not None:
        rows = rows.assign(defective=defective_mask(rows, set_aside))
    duplicated = rows.duplicated(["model", *PAIR_KEY])
    if duplicated.any():
        first = rows.loc[duplicated, ["model", *PAIR_KEY]].iloc[0].to_dict()
        raise InputError(
            f"{int(duplicated.sum())} duplicate result rows, first {first}: one row per "
            "(model, task, task_id, sample_index) is needed to pair samples",
            field="sample_index",
        )
    tables, lists = [], []
    for a, b in combinations(names, 2):
        table, disagreements = _pair(rows, a, b, by)
        tables.append(table)
        lists.append(disagreements)
    table = pd.concat(tables, ignore_index=True)
    order = [c for c in table_columns(by, set_aside is not None) if c in table.columns]
    opened = "miss" in rows.columns and rows["miss"].notna().any()
    return Comparison(
        table=table[order],
        disagreements=pd.concat(lists, ignore_index=True),
        misses=miss_side_by_side(rows, names, by) if opened else pd.DataFrame(),
    )
