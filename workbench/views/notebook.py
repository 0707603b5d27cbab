"""Charts and tables in Jupyter that show what they hold, with no network.

Altair's default notebook output is HTML that loads vega, vega-lite and vega-embed from a CDN:
offline (a cluster node, a train, this project's sandbox) every chart is a red error. The "svg"
renderer draws the chart in the kernel with vl-convert instead and sends the SVG, which needs
nothing else to show.

A table is HTML too: a pandas ``Styler`` (``frame.style.format(...)``, what a notebook uses to
show percentages) writes its cells unescaped, so an error template's placeholders (``<LOC>``,
``<Q>``, ``<N>``) or a model's ``<script>`` are taken as tags and vanish; and JupyterLab typesets
text between ``$`` signs (a shell answer's ``$1 … $2``) as mathematics. :func:`setup` makes every
table display its text as text (``tables_as_text``): pandas escapes every Styler cell and index
label, also after a ``.format(...)`` (a plain frame's HTML is escaped already), and marks tables
as no place for MathJax.

``import workbench`` calls :func:`setup` when it runs inside a Jupyter kernel; outside one it
imports nothing here.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from typing import Any

RENDERER = "svg"
THEME = "workbench-notebook"

# vl-convert measures text in the kernel and the browser draws it: with the generic "sans-serif"
# the two can pick different fonts (Chromium on Debian: DejaVu Sans, wider than what vl-convert
# measured), and titles and legend labels come out clipped or overlapping. A list of named
# fonts makes both take the first one installed on the machine.
FONT = "DejaVu Sans, Liberation Sans, Arial, Helvetica, sans-serif"


def in_kernel() -> bool:
    """True inside a Jupyter (IPython) kernel: cheap, imports nothing."""
    return "ipykernel" in sys.modules


# pandas options under which a table's HTML shows its text as text (module docstring).
TABLE_OPTIONS: dict[str, object] = {
    "styler.format.escape": "html",
    "styler.html.mathjax": False,
    "display.html.use_mathjax": False,
}


def tables_as_text() -> None:
    """Make every pandas table's HTML show its cells' text as text: escaped in a ``Styler`` as
    in a plain frame, and never typeset as mathematics.

    pandas reads ``styler.format.escape`` when a Styler is made, but a later ``.format(...)``
    (``frame.style.format({"share": "{:.0%}"})``) formats every column again with ``escape=None``
    unless told: so ``Styler.format`` and ``Styler.format_index`` here take the option as the
    default of their ``escape`` argument too. An explicit ``escape`` is kept; setting the option
    to None (``pd.set_option("styler.format.escape", None)``) gives raw HTML back."""
    import pandas as pd
    from pandas.io.formats.style import Styler

    for option, value in TABLE_OPTIONS.items():
        pd.set_option(option, value)
    for name in ("format", "format_index"):
        method = getattr(Styler, name)
        if not getattr(method, "_escapes_by_default", False):
            setattr(Styler, name, _escaping_by_default(method))


def _escaping_by_default(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` (a Styler formatter) with ``escape`` defaulting to ``styler.format.escape``."""
    import pandas as pd

    signature = inspect.signature(method)

    @functools.wraps(method)
    def formatter(*args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        if bound.arguments.get("escape") is None:
            bound.arguments["escape"] = pd.get_option("styler.format.escape")
        return method(*bound.args, **bound.kwargs)

    formatter._escapes_by_default = True  # type: ignore[attr-defined]
    return formatter


def setup() -> str:
    """Make altair charts render with no network (vl-convert SVG) and measure their text in the
    font the browser draws it with, and tables show their text as text (``tables_as_text``);
    returns the renderer's name. A theme the user enabled is kept. Call
    ``alt.renderers.enable("default")`` afterwards to get interactive charts back online."""
    import altair as alt

    tables_as_text()

    alt.renderers.enable(RENDERER)
    if THEME not in alt.theme.names():
        alt.theme.register(THEME, enable=False)(_theme)
    if alt.theme.active == "default":
        alt.theme.enable(THEME)
    return RENDERER


def _theme() -> dict:
    return {"config": {"font": FONT}}
