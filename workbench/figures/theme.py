"""The publication theme and the single way a figure is written: SVG + PNG + the data as CSV.

Every figure (the paper's, the demo's, a notebook's) builds an altair chart plus the tidy table
behind it and hands both to :func:`save_figure`, so that fonts, sizes, colours and file layout
are the same everywhere and a reader can always recompute a figure from the CSV next to it.
Colours are fixed per model and per language, so a model looks the same in every figure.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt
import pandas as pd

from workbench.inputs.paper import load_models
from workbench.registry.languages import language_names

THEME_NAME = "workbench"

# A serif font list close to the paper's Times; vl-convert renders with the first one installed
# (DejaVu Serif ships with Debian's fonts-dejavu-core, which every machine of this project has).
FONT = "Times New Roman, Liberation Serif, DejaVu Serif, serif"

# PNG scale factor: 2x the CSS pixel size gives ~150 dpi at the default figure widths.
PNG_SCALE = 2.0

FORMATS: tuple[str, ...] = ("svg", "png", "csv")

# Model colours: ten dark, ten light, twelve extra hues. The order is deliberate: models listed
# next to each other (as in a grouped bar) get clearly different colours.
MODEL_PALETTE: tuple[str, ...] = (
    "#4c78a8",
    "#f58518",
    "#54a24b",
    "#e45756",
    "#b279a2",
    "#439894",
    "#b79a20",
    "#d67195",
    "#9e765f",
    "#79706e",
    "#9ecae9",
    "#ffbf79",
    "#88d27a",
    "#ff9d98",
    "#d6a5c9",
    "#83bcb6",
    "#f2cf5b",
    "#fcbfd2",
    "#d8b5a5",
    "#bab0ac",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
    "#6b6ecf",
    "#b5cf6b",
    "#e7ba52",
    "#d6616b",
    "#ce6dbd",
    "#1b9e77",
    "#666666",
)

# Forty language colours (vega's tableau20 followed by category20b), indexed by canonical order.
LANGUAGE_PALETTE: tuple[str, ...] = (
    "#4c78a8",
    "#9ecae9",
    "#f58518",
    "#ffbf79",
    "#54a24b",
    "#88d27a",
    "#b79a20",
    "#f2cf5b",
    "#439894",
    "#83bcb6",
    "#e45756",
    "#ff9d98",
    "#79706e",
    "#bab0ac",
    "#d67195",
    "#fcbfd2",
    "#b279a2",
    "#d6a5c9",
    "#9e765f",
    "#d8b5a5",
    "#393b79",
    "#5254a3",
    "#6b6ecf",
    "#9c9ede",
    "#637939",
    "#8ca252",
    "#b5cf6b",
    "#cedb9c",
    "#8c6d31",
    "#bd9e39",
    "#e7ba52",
    "#e7cb94",
    "#843c39",
    "#ad494a",
    "#d6616b",
    "#e7969c",
    "#7b4173",
    "#a55194",
    "#ce6dbd",
    "#de9ed6",
)

LEVEL_COLOURS: dict[str, str] = {
    "easy": "#8dd3c7",
    "middle": "#e6d96a",
    "hard": "#fb8072",
    "unknown": "#bbbbbb",
}


def workbench_theme() -> alt.theme.ThemeConfig:
    """Fonts, sizes, axis and legend style for publication figures."""
    label = {"labelFont": FONT, "titleFont": FONT}
    return alt.theme.ThemeConfig(
        config={
            "font": FONT,
            "background": "white",
            "padding": 8,
            "view": {"continuousWidth": 420, "continuousHeight": 280, "stroke": "#333333"},
            "title": {
                "font": FONT,
                "fontSize": 16,
                "fontWeight": "normal",
                "anchor": "start",
                "subtitleFont": FONT,
                "subtitleFontSize": 11,
                "subtitleColor": "#555555",
                "offset": 10,
            },
            "axis": {
                **label,
                "labelFontSize": 12,
                "titleFontSize": 13,
                "titleFontWeight": "bold",
                "domainColor": "#333333",
                "tickColor": "#333333",
                "gridColor": "#dddddd",
                "gridDash": [4, 3],
                "labelColor": "#222222",
                "titleColor": "#222222",
            },
            "axisX": {"grid": False},
            "legend": {
                **label,
                "labelFontSize": 11,
                "titleFontSize": 12,
                "titleFontWeight": "bold",
                "symbolType": "square",
                "symbolSize": 90,
                "labelLimit": 260,
            },
            "header": {
                **label,
                "labelFontSize": 13,
                "titleFontSize": 13,
                "titleFontWeight": "bold",
            },
            "text": {"font": FONT},
            "bar": {"stroke": "#222222", "strokeWidth": 0.4},
            "point": {"filled": True, "size": 45},
            "range": {"category": list(MODEL_PALETTE)},
        }
    )


def register_theme() -> None:
    """Register the "workbench" altair theme (idempotent; does not enable it globally)."""
    if THEME_NAME not in alt.theme.names():
        alt.theme.register(THEME_NAME, enable=False)(workbench_theme)


def colour_scale(domain: Sequence[str], palette: dict[str, str]) -> alt.Scale:
    """A colour scale whose colours are fixed per name, whatever subset a figure shows."""
    return alt.Scale(domain=list(domain), range=[palette[name] for name in domain])


def fixed_colours(names: Iterable[str], palette: Sequence[str]) -> dict[str, str]:
    """Give each name its colour by position in ``names`` (cycling through ``palette``)."""
    return {name: palette[i % len(palette)] for i, name in enumerate(names)}


def model_colours(table: pd.DataFrame | None = None) -> dict[str, str]:
    """One fixed colour per canonical model (models.csv order), the same in every figure."""
    table = load_models() if table is None else table
    return fixed_colours(table["model"], MODEL_PALETTE)


def colours_for(models: Iterable[str]) -> dict[str, str]:
    """Colours for ``models``: the fixed colour when known, a palette colour otherwise."""
    known = model_colours()
    result: dict[str, str] = {}
    spare = iter(MODEL_PALETTE[::-1])
    for m in models:
        result[m] = known.get(m) or next(spare, "#888888")
    return result


def language_colours() -> dict[str, str]:
    """One fixed colour per language (canonical order through the 40-colour palette)."""
    return fixed_colours(language_names(), LANGUAGE_PALETTE)


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` byte-for-byte reproducibly (fixed float format, LF line ends)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n", float_format="%.6g")
    text = buffer.getvalue()
    # Only rewrite when the bytes change, so a rerun leaves the file (and its mtime) alone.
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def write_text(text: str, path: Path) -> Path:
    """Write a text artefact (Markdown table, report) only when its content changes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


@dataclass
class FigureFiles:
    """The files one figure produced: the picture(s), its data and any extra tables."""

    name: str
    paths: list[Path] = field(default_factory=list)

    def describe(self) -> str:
        """One line for the CLI: the figure's base path and the suffixes written."""
        if not self.paths:
            return f"{self.name}: nothing written"
        base = self.paths[0].with_suffix("")
        suffixes = ", ".join(p.name.removeprefix(base.name) for p in self.paths)
        return f"wrote {base} ({suffixes})"


def _vl_version() -> str:
    # vl-convert names its bundled Vega-Lite versions like "v6_4"; match altair's schema.
    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    return f"v{major}_{minor}"


def chart_spec(chart: alt.TopLevelMixin) -> dict:
    """The chart's Vega-Lite spec with the workbench theme applied."""
    register_theme()
    with alt.theme.enable(THEME_NAME), alt.data_transformers.disable_max_rows():
        return chart.to_dict()


def save_figure(
    chart: alt.TopLevelMixin | None,
    data: pd.DataFrame,
    out_dir: Path,
    name: str,
    *,
    formats: Sequence[str] = FORMATS,
    tables: dict[str, pd.DataFrame] | None = None,
    texts: dict[str, str] | None = None,
) -> FigureFiles:
    """Write ``name``.svg/.png (if asked and a chart is given), ``name``.csv and extra tables.

    ``tables`` maps a suffix to another table written as ``name``-suffix.csv (always written);
    ``texts`` maps a file suffix (e.g. ".md") to text written as ``name`` + suffix.
    """
    import vl_convert as vlc

    out_dir.mkdir(parents=True, exist_ok=True)
    files = FigureFiles(name=str(out_dir / name))
    if chart is not None and ("svg" in formats or "png" in formats):
        spec = chart_spec(chart)
        if "svg" in formats:
            svg = vlc.vegalite_to_svg(spec, vl_version=_vl_version())
            files.paths.append(write_text(svg, out_dir / f"{name}.svg"))
        if "png" in formats:
            png = vlc.vegalite_to_png(spec, vl_version=_vl_version(), scale=PNG_SCALE)
            png_path = out_dir / f"{name}.png"
            png_path.write_bytes(png)
            files.paths.append(png_path)
    if "csv" in formats:
        files.paths.append(write_csv(data, out_dir / f"{name}.csv"))
        for suffix, table in (tables or {}).items():
            files.paths.append(write_csv(table, out_dir / f"{name}-{suffix}.csv"))
    for suffix, text in (texts or {}).items():
        files.paths.append(write_text(text, out_dir / f"{name}{suffix}"))
    return files


def title(
    text: str, subtitle: str | Sequence[str] | None = None, **kwargs: object
) -> alt.TitleParams:
    """A chart title with an optional subtitle (altair rejects an explicit None)."""
    if subtitle:
        return alt.TitleParams(text, subtitle=subtitle, **kwargs)
    return alt.TitleParams(text, **kwargs)
