"""Charts of evaluation results (altair), saved as SVG and PNG with vl-convert."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd


def pass_at_1_chart(table: pd.DataFrame, title: str = "pass@1 per language") -> alt.Chart:
    """Grouped bars: pass@1 per language (x) and model (colour); ``table`` from
    ``metrics.pass_at_1_by_language``."""
    data = table.dropna(subset=["pass_at_k"]).assign(pass_at_1=lambda d: d["pass_at_k"] * 100)
    languages = [lang for lang in dict.fromkeys(data["language"]) if lang != "AVG"] + ["AVG"]
    base = alt.Chart(data, title=title).encode(
        x=alt.X("language:N", sort=languages, title=None, axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("model:N"),
        y=alt.Y("pass_at_1:Q", title="pass@1 (%)", scale=alt.Scale(domain=[0, 100])),
        color=alt.Color("model:N", title="model", legend=alt.Legend(orient="bottom")),
        tooltip=[
            "model",
            "language",
            "tasks",
            "samples",
            "passed",
            alt.Tooltip("pass_at_1:Q", format=".1f"),
        ],
    )
    bars = base.mark_bar()
    labels = base.mark_text(dy=-6, fontSize=9).encode(text=alt.Text("pass_at_1:Q", format=".0f"))
    return (bars + labels).properties(width=alt.Step(18), height=260)


def save_chart(chart: alt.Chart, stem: Path) -> list[Path]:
    """Write ``stem.svg`` and ``stem.png``; returns the paths."""
    import vl_convert as vlc

    stem.parent.mkdir(parents=True, exist_ok=True)
    spec = chart.to_json()
    svg = stem.with_suffix(".svg")
    png = stem.with_suffix(".png")
    svg.write_text(vlc.vegalite_to_svg(spec), encoding="utf-8")
    png.write_bytes(vlc.vegalite_to_png(spec, scale=2))
    return [svg, png]
