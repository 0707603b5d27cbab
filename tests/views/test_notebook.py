"""Charts in a Jupyter kernel render with no network: ``import workbench`` there switches altair to
vl-convert's SVG (altair's default HTML loads vega from a CDN); outside a kernel it leaves altair
alone and unimported. Tables there show their text as text (a Styler's cells escaped, no
MathJax)."""

from __future__ import annotations

import re
import subprocess
import sys

import nbformat
import pytest

from tests.conftest import PROJECT

# A table as notebook 03 shows its clusters: a Styler formatting one column, templates as text.
TABLE = """import pandas as pd
frame = pd.DataFrame({"share": [0.5], "template": ["main: <LOC>: main: Assertion <Q> failed."],
                      "message": ["<b>$1 and $2</b>"]})
frame.style.format({"share": "{:.0%}"})"""
CHART = """import pandas as pd, altair as alt
alt.Chart(pd.DataFrame({"language": ["C", "Go"], "pass_at_1": [0.5, 0.7]})).mark_bar().encode(
    x="language", y="pass_at_1")"""


def test_a_plain_import_does_not_touch_altair():
    proc = subprocess.run(
        [sys.executable, "-c", "import sys, workbench; print('altair' in sys.modules)"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_in_a_kernel_charts_are_svg_drawn_in_the_kernel(tmp_path):
    nbclient = pytest.importorskip("nbclient", reason="nbclient not installed (dev extras)")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("import workbench, altair as alt\nprint(alt.renderers.active)"),
        nbformat.v4.new_code_cell(CHART),
    ]
    notebook.cells.append(nbformat.v4.new_code_cell(TABLE))
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3").execute(cwd=str(tmp_path))
    assert notebook.cells[0].outputs[0]["text"].strip() == "svg"
    [output] = notebook.cells[1].outputs
    assert set(output["data"]) <= {"image/svg+xml", "text/plain"}
    svg = output["data"]["image/svg+xml"]
    assert svg.lstrip().startswith("<svg") and ">Go<" in svg  # drawn, with its axis labels
    assert "cdn" not in svg and "<script" not in svg
    # Text is measured and drawn in named fonts, never the generic family alone.
    families = set(re.findall(r'font-family="([^"]+)"', svg))
    assert families and all(f.startswith("DejaVu Sans") for f in families), families
    # A table shows what it holds: a Styler's cells escaped like a plain frame's, no MathJax.
    [output] = notebook.cells[2].outputs
    table = output["data"]["text/html"]
    assert "main: &lt;LOC&gt;: main: Assertion &lt;Q&gt; failed." in table
    assert "<LOC>" not in table and "<Q>" not in table
    assert "&lt;b&gt;$1 and $2&lt;/b&gt;" in table and "mathjax_ignore" in table
