"""Dataset statistics: test-case counting, tokenizers, counts (synthetic and the real data)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from workbench.analysis.dataset import (
    FALLBACK_NAME,
    count_test_cases,
    dataset_counts,
    get_tokenizer,
    language_stats,
    load_all_tasks,
    regex_tokenizer,
)
from workbench.errors import InputError

PYTHON_TEST = """def check(f):
    assert f(1) == 2
    assert f(2) == 3
    # assert f(0) == 1   (a comment is not a test case)
check(f)
"""
SHELL_TEST = """test_x() {
[[ $(x "4 5") == "3" ]] || { echo "Test 1 failed"; exit 1; }
[[ $(x "1") == "1" ]] || { echo "Test 2 failed"; exit 1; }
}
"""
ERLANG_TEST = """test() ->
11 = nth_term(2, 5, 4),
24 = nth_term(-3, 0, 10),
0 = nth_term(0, 0, 100),
ok.
"""
HASKELL_TEST = """check f = do
  let testCases =
        [ ([3, 2, 1], 1),
          ([1, 2], 2),
          ([5], 5)
        ]
  mapM_ (\\(n, e) -> if f n == e then pure () else error "Test failed") testCases
"""
COFFEE_TEST = """class AssertionError extends Error
assertEqual = (actual, expected, message = null) ->
  throw new AssertionError(message) unless actual is expected
main = ->
  assertEqual(f(1), 2, "Test Case 1 Failed")
  assertEqual(f(2), 3, "Test Case 2 Failed")
"""


@pytest.mark.parametrize(
    ("test", "expected"),
    [
        (PYTHON_TEST, 2),
        (SHELL_TEST, 2),
        (ERLANG_TEST, 3),
        (HASKELL_TEST, 3),
        (COFFEE_TEST, 2),
        (None, 1),
        ("", 1),
    ],
)
def test_count_test_cases(test: str | None, expected: int) -> None:
    assert count_test_cases(test) == expected


def test_regex_tokenizer_is_named_and_counts_code_tokens() -> None:
    tok = regex_tokenizer()
    assert tok.name == FALLBACK_NAME
    assert tok.count("def add(a, b): return a+b") == 12  # def add ( a , b ) : return a + b


def test_tokenizer_from_a_local_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(
        ["int main ( ) { return 0 ; }"], trainers.WordLevelTrainer(special_tokens=["[UNK]"])
    )
    folder = tmp_path / "my-tokenizer"
    folder.mkdir()
    tok.save(str(folder / "tokenizer.json"))
    assert get_tokenizer(folder).name == "my-tokenizer"
    assert get_tokenizer(folder / "tokenizer.json").count("int main ( )") == 4
    monkeypatch.setenv("WORKBENCH_TOKENIZER", str(folder))
    assert get_tokenizer().name == "my-tokenizer"
    monkeypatch.setenv("WORKBENCH_TOKENIZER", "regex")
    assert get_tokenizer().name == FALLBACK_NAME
    with pytest.raises(InputError, match="tokenizer not found locally"):
        get_tokenizer(tmp_path / "missing")


def synthetic_tasks() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "task_id": ["Python/1", "Python/2", "HTML/1", "Python/1-0-span", "Python/1"],
            "language": ["Python", "Python", "HTML", "Python", "Python"],
            "task": ["generation", "generation", "generation", "completion", "explanation"],
            "subset": [None, None, None, "span", None],
            "level": ["easy", "hard", None, "easy", "easy"],
            "prompt": ["def f(x):", "def g(y, z):", "make a title", "def f(x):", "def f(x):"],
            "canonical_solution": ["return x", "return y + z", None, "return x", "return x"],
            "test": [PYTHON_TEST, SHELL_TEST, None, PYTHON_TEST, PYTHON_TEST],
        }
    )


def test_counts_and_language_stats() -> None:
    counts = dataset_counts(synthetic_tasks())
    assert counts[["kind", "level", "n"]].values.tolist() == [
        ["generation", "easy", 1],
        ["generation", "hard", 1],
        ["generation", "unknown", 1],
        ["explanation", "easy", 1],
        ["completion (span)", "easy", 1],
    ]
    generation = synthetic_tasks()[synthetic_tasks()["task"] == "generation"]
    stats = language_stats(generation, regex_tokenizer()).set_index("language")
    assert stats.loc["Python", "n_tasks"] == 2
    assert stats.loc["Python", "prompt_tokens"] == pytest.approx((6 + 8) / 2)
    assert stats.loc["Python", "solution_tokens"] == pytest.approx((2 + 4) / 2)
    assert stats.loc["Python", "test_cases"] == pytest.approx(2)
    assert pd.isna(stats.loc["HTML", "solution_tokens"]) and stats.loc["HTML", "test_cases"] == 1
    assert list(stats.index) == ["HTML", "Python"] or list(stats.index) == ["Python", "HTML"]
    assert (stats["tokenizer"] == FALLBACK_NAME).all()


def test_real_dataset_statistics(mceval_dir: Path) -> None:
    tasks = load_all_tasks(mceval_dir)
    counts = dataset_counts(tasks)
    assert counts.groupby("kind")["n"].sum().to_dict() == {
        "generation": 2007,
        "explanation": 2007,
        "completion (single)": 2998,
        "completion (multi)": 2998,
        "completion (span)": 4014,
        "completion (light)": 2007,
    }
    # Completion levels are joined from generation, so every task has one.
    assert set(counts["level"]) == {"easy", "middle", "hard"}
    stats = language_stats(tasks[tasks["task"] == "generation"], regex_tokenizer())
    stats = stats.set_index("language")
    assert len(stats) == 40 and stats.loc["Java", "n_tasks"] == 53
    assert stats.loc["AWK", "test_cases"] == 1 and stats.loc["C", "test_cases"] > 5
