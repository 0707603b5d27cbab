"""Charts in Jupyter with no network.

Altair's default notebook output is HTML that loads vega, vega-lite and vega-embed from a CDN:
offline (a cluster node, a train, this project's sandbox) every chart is a red error. The "svg"
renderer draws the chart in the kernel with vl-convert instead and sends the SVG, which needs
nothing else to show. ``import workbench`` calls :func:`setup` when it runs inside a Jupyter
kernel; outside one it imports nothing here.
"""

from __future__ import annotations

import sys

RENDERER = "svg"


def in_kernel() -> bool:
    """True inside a Jupyter (IPython) kernel: cheap, imports nothing."""
    return "ipykernel" in sys.modules


def setup() -> str:
    """Make altair charts render with no network (vl-convert SVG); returns the renderer's name.
    Call ``alt.renderers.enable("default")`` afterwards to get interactive charts back online."""
    import altair as alt

    alt.renderers.enable(RENDERER)
    return RENDERER
