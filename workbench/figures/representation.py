"""The representation analysis drawn: the t-SNE scatter by language and the dendrogram of
per-language mean embeddings (computed in ``analysis.representation``)."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd

from workbench.analysis.representation import Embedder, EmbeddingCache, Representation, analyse
from workbench.figures.theme import (
    FORMATS,
    FigureFiles,
    colour_scale,
    language_colours,
    save_figure,
)
from workbench.registry.languages import language_names


def tsne_chart(rep: Representation) -> alt.Chart:
    """t-SNE scatter coloured by language, titled with the embedder and silhouette scores."""
    languages = [lang for lang in language_names() if lang in set(rep.points["language"])]
    languages += sorted(set(rep.points["language"]) - set(languages))
    colours = {**{lang: "#888888" for lang in languages}, **language_colours()}
    return (
        alt.Chart(rep.points)
        .mark_circle(size=22, opacity=0.85)
        .encode(
            x=alt.X("x:Q", axis=None),
            y=alt.Y("y:Q", axis=None),
            color=alt.Color(
                "language:N",
                sort=languages,
                scale=colour_scale(languages, colours),
                legend=alt.Legend(
                    title="Language", columns=2, symbolSize=60, labelFontSize=10, symbolLimit=0
                ),
            ),
            tooltip=["task_id", "language"],
        )
        .properties(
            width=560,
            height=560,
            title=alt.TitleParams(
                "Code representations (t-SNE, PCA init, seed 0)",
                subtitle=[
                    f"embedder: {rep.embedder}",
                    f"silhouette by language: {rep.silhouette_embedding:.3f} (embeddings, cosine), "
                    f"{rep.silhouette_tsne:.3f} (t-SNE plane)",
                ],
            ),
        )
    )


def dendrogram_chart(rep: Representation) -> alt.LayerChart:
    """Horizontal dendrogram (leaves on the left, distance to the right) with the cut line."""
    tree = rep.dendrogram
    segments = tree.segments.assign(below=tree.segments["height"] <= tree.threshold)
    leaves = tree.clusters
    height = 14 * len(leaves)
    y_scale = alt.Scale(domain=[0, 10 * len(leaves)], reverse=True)
    x_max = float(max(segments["x1"].max(), segments["x0"].max(), tree.threshold)) * 1.05
    lines = (
        alt.Chart(segments)
        .mark_rule(strokeWidth=1.2)
        .encode(
            x=alt.X(
                "x0:Q",
                title="cosine distance (average linkage)",
                scale=alt.Scale(domain=[0, x_max]),
            ),
            x2="x1:Q",
            y=alt.Y("y0:Q", axis=None, scale=y_scale),
            y2="y1:Q",
            color=alt.condition(alt.datum.below, alt.value("#2f6db3"), alt.value("#9a9a9a")),
        )
    )
    labels = (
        alt.Chart(leaves)
        .mark_text(align="right", dx=-4, fontSize=11)
        .encode(x=alt.value(0), y=alt.Y("leaf_position:Q", scale=y_scale), text="language:N")
    )
    cut = (
        alt.Chart(pd.DataFrame({"t": [tree.threshold]}))
        .mark_rule(strokeDash=[4, 4], color="#c0392b")
        .encode(x="t:Q")
    )
    families = rep.families
    joined = families.loc[families["one_cluster"].astype(bool), "family"].tolist()
    exclusive = families.loc[families["exclusive"].astype(bool), "family"].tolist()
    return (lines + cut + labels).properties(
        width=420,
        height=height,
        padding={"left": 110, "top": 8, "right": 8, "bottom": 8},
        title=alt.TitleParams(
            "Hierarchical clustering of per-language mean embeddings",
            subtitle=[
                f"embedder: {rep.embedder}; cut at {tree.threshold:.3f} (dashed): "
                f"{tree.clusters['cluster'].nunique()} clusters",
                "families in one cluster at the cut: " + (", ".join(joined) if joined else "none"),
                "families forming their own subtree: "
                + (", ".join(exclusive) if exclusive else "none"),
            ],
        ),
    )


def representation_figures(
    out_dir: Path,
    snippets: pd.DataFrame,
    embedder: Embedder,
    cache: EmbeddingCache | None = None,
    *,
    formats: tuple[str, ...] = FORMATS,
    seed: int = 0,
) -> tuple[list[FigureFiles], Representation]:
    """Write the t-SNE and dendrogram figures with their tables (points, silhouettes,
    dendrogram segments, clusters and the family report)."""
    rep = analyse(snippets, embedder, cache, seed=seed)
    files = [
        save_figure(
            tsne_chart(rep),
            rep.points,
            out_dir,
            "representation-tsne",
            formats=formats,
            tables={"silhouette": rep.silhouette},
        ),
        save_figure(
            dendrogram_chart(rep),
            rep.dendrogram.segments,
            out_dir,
            "representation-dendrogram",
            formats=formats,
            tables={"clusters": rep.dendrogram.clusters, "families": rep.families},
        ),
    ]
    return files, rep
