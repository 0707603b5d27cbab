"""What every check says of the failing samples, shown (docs/checks.md): the "checks passed"
histogram per model and language as a chart, and the kinds of miss side by side as an HTML
table, for the report and the model comparison. The numbers are ``analysis.wrong_answers``'."""

from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.analysis.wrong_answers import CHECKS_PASSED_BINS

# One colour per bin of ``CHECKS_PASSED_BINS``: grey for none read, red (none passed) to green.
BIN_COLOURS = ("#bbbbbb", "#d73027", "#fc8d59", "#fee08b", "#91cf60", "#1a9850")


def checks_chart(histogram: pd.DataFrame) -> Any:
    """Stacked bars, one per model and language: the opened samples split by how many of their
    checks passed (``checks_histogram``' bins, in order)."""
    import altair as alt

    long = histogram.melt(
        id_vars=["model", "language"],
        value_vars=list(CHECKS_PASSED_BINS),
        var_name="checks passed",
        value_name="samples",
    )
    long = long[long["samples"] > 0].assign(
        group=lambda f: f["model"] + " · " + f["language"],
        rank=lambda f: f["checks passed"].map(CHECKS_PASSED_BINS.index),
    )
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("group:N", title=None),
            x=alt.X("samples:Q", title="opened failing samples"),
            color=alt.Color(
                "checks passed:N",
                sort=list(CHECKS_PASSED_BINS),
                scale=alt.Scale(domain=list(CHECKS_PASSED_BINS), range=list(BIN_COLOURS)),
            ),
            order=alt.Order("rank:Q"),
        )
        .properties(width=560, height=alt.Step(16))
    )


def misses_html(misses: pd.DataFrame) -> str:
    """A kinds-of-miss table (``miss_table`` or ``miss_side_by_side``) as escaped HTML; '' when
    empty."""
    if misses.empty:
        return ""
    return misses.to_html(index=False, escape=True, classes="t", border=0)
