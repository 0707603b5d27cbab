"""Which programming language a piece of code is written in: a classifier trained on McEval itself.

The training snippets are the benchmark's own code, labelled by the language of its file: every
task's prompt, canonical solution and test, and the prompt joined to its solution (the shape of a
model's answer); for the languages judged by comparison (HTML, JSON, Markdown, AWK) only the
reference answer, since their prompts are English. Features are TF-IDF weights of code tokens
(identifiers, numbers and runs of up to three symbols) and their bigrams and trigrams, the words
of prose masked, each found in the snippets of ``MIN_PROBLEMS`` problems or more (what one problem
alone says, in all its translations, names the problem, not the language); the classifier is a
multinomial logistic regression.

Nothing derived from the data is committed: the model is built from the McEval folder on first
use (``MCEVAL_DATA``, else ``../shared/mceval``) and cached under the workbench cache
(``workbench.paths.cache_dir()/language-id``), keyed by the digest of the data's files, the
scikit-learn version and ``MODEL_VERSION``; the same data gives the same model, so causes
recomputed from the same data are the same. Without the data there is no identifier
(``identifier()`` returns None) and nothing is decided from it.

``held_out_accuracy`` measures it on snippets of tasks it did not see (folds split by task — the
same task appears in several task kinds — or by problem, a task and its translations into other
languages), for ``bench/language_id.py`` and docs/causes.md.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.inputs.tasks import TASK_KINDS, default_data_dir, load_tasks
from workbench.paths import cache_dir
from workbench.registry.languages import get_language

# Bumped whenever the snippets, the features or the classifier change: a cached model of an
# older version is not used.
MODEL_VERSION = "4"
# Identifiers, numbers and runs of up to three other non-space characters: ``#include``, ``::``,
# ``=>``, ``$x``, ``(define`` become tokens of their own.
TOKEN_PATTERN = r"[A-Za-z_]\w*|\d+|[^\sA-Za-z_0-9]{1,3}"
# Three or more words in a row with an English function word among them are prose (a docstring,
# a comment): each word becomes ``w``, so the English of a task's description, shared by its
# translations into other languages, does not decide the language; the comment's delimiters
# around it still do, and code such as ``public static void main`` or ``int a, int b`` stays.
_PROSE = re.compile(r"\b[A-Za-z][a-z]+(?:[ \t]+[A-Za-z][a-z]*[,.;:]?){2,}")
_ENGLISH = re.compile(r"\b(?:the|of|is|are|to|that|this|with|which|be|an|given|returns?)\b", re.I)
# A token (or a run of two or three) must occur in the snippets of this many problems to be a
# feature (a problem: a task and its translations into other languages, ``snippets``). What only
# one problem says — its names, its strings, its constants, in every language it was translated
# into — tells the problem, not the language; kept, it lets a snippet be taken for its sibling
# translation in a language that shares the syntax (a JavaScript body for its TypeScript twin).
MIN_PROBLEMS = 10
REGULARISATION = 20.0  # the logistic regression's C: little, the features are many and sparse


@dataclass(frozen=True)
class Guess:
    """The identifier's answer for one text: the most likely language and its probability, and
    the probability of every language (by registry name)."""

    language: str
    probability: float
    probabilities: dict[str, float]

    def of(self, language: str) -> float:
        """The probability that the text is in ``language`` (0 for a language not trained)."""
        return self.probabilities.get(get_language(language).name, 0.0)


def _reference_file(task: dict[str, Any]) -> str | None:
    """The reference answer of a task judged by comparison: its canonical solution, else the
    file ``generation/<Lang>/<N>.<ext>`` of its support folder."""
    canonical = task.get("canonical_solution")
    if isinstance(canonical, str) and canonical.strip():
        return canonical
    support = task.get("support_dir")
    if not isinstance(support, str) or not support:
        return None
    number = str(task["base_id"]).split("/", 1)[1]
    path = Path(support) / f"{number}.{get_language(task['language']).extension}"
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _pieces(task: dict[str, Any]) -> list[tuple[str, Any]]:
    """(kind, text) of the snippets one task record gives."""
    if get_language(task["language"]).assembly == "answer_only":
        return [("solution", _reference_file(task))]
    prompt, solution = task.get("prompt"), task.get("canonical_solution")
    pieces = [("prompt", prompt), ("solution", solution), ("test", task.get("test"))]
    if isinstance(prompt, str) and isinstance(solution, str):
        pieces.append(("answer", prompt + "\n" + solution))
    return pieces


def snippets(root: str | Path | None = None) -> pd.DataFrame:
    """The labelled snippets of the McEval data at ``root``: one row per distinct (language,
    text) with ``language``, ``text``, ``kind`` (prompt, solution, test, answer), ``group`` (the
    task's base id, ``Rust/12``: one task in all its task kinds) and ``problem`` (the tasks of
    every language that share the entry point's name, ``has_close_elements`` =
    ``hasCloseElements``: one problem translated into several languages)."""
    tasks = pd.concat([load_tasks(root, task=kind) for kind in TASK_KINDS], ignore_index=True)
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    for task in tasks.to_dict("records"):
        for kind, text in _pieces(task):
            if isinstance(text, str) and text.strip():
                seen.setdefault((task["language"], text.strip()), (kind, task["base_id"]))
    rows = [(lang, text, kind, group) for (lang, text), (kind, group) in seen.items()]
    table = pd.DataFrame(rows, columns=["language", "text", "kind", "group"])
    problems = _problems(tasks)
    return table.assign(problem=table["group"].map(problems))


def _problems(tasks: pd.DataFrame) -> dict[str, str]:
    """Base id -> a representative base id of its problem: tasks whose entry points have the
    same name (case and underscores aside, four letters or more) are one problem."""
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    names = tasks["entry_point"].fillna("").astype(str).str.lower().str.replace("_", "")
    first: dict[str, str] = {}
    for base, name in zip(tasks["base_id"], names, strict=True):
        root(base)
        if len(name) >= 4:
            parent[root(base)] = root(first.setdefault(name, base))
    return {base: root(base) for base in parent}


def data_digest(root: str | Path) -> str:
    """sha256 over the relative path and bytes of every file of the McEval folder."""
    digest = hashlib.sha256()
    base = Path(root)
    for path in sorted(p for p in base.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(base)).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def mask_prose(text: str) -> str:
    """``text`` with every word of its prose replaced by ``w`` (``_PROSE``)."""

    def masked(match: re.Match[str]) -> str:
        words = match.group(0)
        return " ".join("w" for _ in words.split()) if _ENGLISH.search(words) else words

    return _PROSE.sub(masked, text)


def _tokens(**kw: Any) -> Any:
    """A vectorizer of code tokens and their bigrams and trigrams, the prose masked."""
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    kind = TfidfVectorizer if kw.pop("tfidf", False) else CountVectorizer
    return kind(
        preprocessor=mask_prose,
        token_pattern=TOKEN_PATTERN,
        ngram_range=(1, 3),
        lowercase=False,
        dtype=np.float32,
        **kw,
    )


def vocabulary(texts: list[str], problems: list[str]) -> list[str]:
    """The tokens (and runs of two or three) found in the snippets of ``MIN_PROBLEMS``
    problems or more: the features of the model."""
    from scipy import sparse

    counts = _tokens(binary=True, min_df=2)
    found = counts.fit_transform(texts)
    codes, names = pd.factorize(pd.Series(problems, dtype=object))
    # problem x snippet incidence, times snippet x token presence: in how many problems a
    # token occurs.
    incidence = sparse.csr_matrix(
        (np.ones(len(codes), dtype=np.float32), (codes, np.arange(len(codes)))),
        shape=(len(names), len(codes)),
    )
    problems_of = np.asarray(((incidence @ found) > 0).sum(axis=0)).ravel()
    return sorted(t for t, i in counts.vocabulary_.items() if problems_of[i] >= MIN_PROBLEMS)


def build_model(texts: Any, languages: Any, problems: Any) -> Any:
    """A fitted scikit-learn pipeline: TF-IDF of code tokens and their bigrams and trigrams
    (prose masked; only those of ``MIN_PROBLEMS`` problems or more, ``vocabulary``), then a
    multinomial logistic regression, whose probabilities stay sharp where the code says its
    language. ``problems``: each snippet's problem. Deterministic for the same input."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    texts = list(texts)
    vectorizer = _tokens(
        tfidf=True, sublinear_tf=True, vocabulary=vocabulary(texts, list(problems))
    )
    model = make_pipeline(vectorizer, LogisticRegression(C=REGULARISATION, max_iter=1000))
    return model.fit(texts, list(languages))


class LanguageIdentifier:
    """A trained model and what it was trained from."""

    def __init__(
        self, model: Any, key: str, path: Path | None = None, trained: bool = False
    ) -> None:
        self.model = model
        self.key = key  # data digest, scikit-learn version and MODEL_VERSION, hashed
        self.languages: list[str] = [str(c) for c in model.classes_]
        self.path = path  # where it is cached
        self.trained = trained  # trained by this process, not loaded from the cache

    def guess(self, text: str) -> Guess:
        """The most likely language of ``text``."""
        return self.guess_many([text])[0]

    def guess_many(self, texts: list[str]) -> list[Guess]:
        """``guess`` for many texts at once (faster than one by one)."""
        if not texts:
            return []
        table = self.model.predict_proba(list(texts))
        guesses = []
        for row in table:
            best = int(np.argmax(row))
            probabilities = {lang: float(p) for lang, p in zip(self.languages, row, strict=True)}
            guesses.append(Guess(self.languages[best], float(row[best]), probabilities))
        return guesses


def model_key(digest: str) -> str:
    """The cache key of the model trained on data with ``digest``."""
    import sklearn

    return hashlib.sha256(f"{digest}\0{sklearn.__version__}\0{MODEL_VERSION}".encode()).hexdigest()


def _load_or_train(root: Path) -> LanguageIdentifier:
    key = model_key(data_digest(root))
    path = cache_dir() / "language-id" / f"{key}.pkl"
    if path.is_file():
        with open(path, "rb") as handle:
            return LanguageIdentifier(pickle.load(handle), key, path)
    table = snippets(root)
    model = build_model(table["text"], table["language"], table["problem"])
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)  # another process may have written the same model meanwhile
    return LanguageIdentifier(model, key, path, trained=True)


_BUILT: dict[Path, LanguageIdentifier] = {}
_LOCK = threading.Lock()


def identifier(root: str | Path | None = None) -> LanguageIdentifier | None:
    """The identifier trained on the McEval data at ``root`` (default: ``MCEVAL_DATA``, else
    ``../shared/mceval``), or None when there is no such data. The first call of a process
    loads it from the cache, or trains and caches it (about 20 s on two cores)."""
    folder = Path(root) if root is not None else default_data_dir()
    if folder is None or not (folder / "generation").is_dir():
        return None
    folder = folder.resolve()
    with _LOCK:
        if folder not in _BUILT:
            _BUILT[folder] = _load_or_train(folder)
        return _BUILT[folder]


SPLITS = ("group", "problem")


def held_out_accuracy(
    root: str | Path | None = None,
    folds: int = 5,
    split: str = "group",
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every snippet of the data guessed by a model trained without it: ``folds`` folds split by
    ``split`` — ``group``, the task (all its task kinds held out together), or ``problem``, the
    task and its translations into other languages. One row per snippet with ``language``,
    ``kind``, ``group``, ``problem``, ``lines``, ``guess``, its ``probability``, the
    ``own_probability`` of the snippet's language and ``correct``;
    ``table`` reuses snippets already read."""
    from sklearn.model_selection import GroupKFold

    if split not in SPLITS:
        raise ValueError(f"split is one of {SPLITS}, not {split!r}")
    table = snippets(root) if table is None else table
    guesses = pd.Series(index=table.index, dtype=object)
    probability = pd.Series(index=table.index, dtype=float)
    own = pd.Series(index=table.index, dtype=float)
    for train, test in GroupKFold(folds).split(table, groups=table[split]):
        part = table.iloc[train]
        built = build_model(part["text"], part["language"], part["problem"])
        model = LanguageIdentifier(built, "")
        found = model.guess_many(table["text"].iloc[test].tolist())
        guesses.iloc[test] = [g.language for g in found]
        probability.iloc[test] = [g.probability for g in found]
        own.iloc[test] = [
            g.of(lang) for g, lang in zip(found, table["language"].iloc[test], strict=True)
        ]
    return table.assign(
        lines=table["text"].str.count("\n") + 1,
        guess=guesses,
        probability=probability,
        own_probability=own,
        correct=guesses == table["language"],
    ).drop(columns="text")
