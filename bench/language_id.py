"""The language identifier's accuracy on held-out McEval snippets, per language, as the table in
docs/causes.md (between its ``language-id`` markers; ``--write`` replaces it there).

Every snippet of the McEval data (prompts, canonical solutions, tests, prompt + solution) is
guessed by a model trained without it, in ``--folds`` folds split two ways: by task (a task's
snippets of every task kind held out together) and by problem (the task and its translations
into other languages, which share the entry point's name, held out together). Also counted: how
many held-out snippets of four lines or more the ``wrong_language`` decision
(``workbench.execution.answer_causes``) would call another language than their own.

    python bench/language_id.py [--data DIR] [--folds 5] [--write docs/causes.md]

Ten models trained: a few minutes on two cores (13 on a machine shared with other work).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bench.common import mceval_data  # noqa: E402
from workbench.execution.answer_causes import CONFIDENT, MIN_LINES, ODDS  # noqa: E402
from workbench.inputs.language_id import SPLITS, held_out_accuracy, snippets  # noqa: E402

START, END = "<!-- language-id:start -->", "<!-- language-id:end -->"
TARGET = 0.95  # overall accuracy held out by task, issue 23


def decided_wrongly(result: pd.DataFrame) -> pd.Series:
    """True for a snippet the ``wrong_language`` rule would give another language than its own."""
    return (
        (result["lines"] >= MIN_LINES)
        & ~result["correct"]
        & (result["probability"] >= CONFIDENT)
        & (result["probability"] >= ODDS * result["own_probability"])
    )


def per_language(results: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per language: snippets, accuracy per split, its most frequent wrong guess."""
    task, problem = results["group"], results["problem"]
    rows = []
    for language, group in task.groupby("language"):
        wrong = group.loc[~group["correct"], "guess"].value_counts()
        confusion = f"{wrong.index[0]} ({wrong.iloc[0]})" if len(wrong) else ""
        rows.append(
            {
                "language": language,
                "snippets": len(group),
                "by task": group["correct"].mean(),
                "by problem": problem.loc[problem["language"] == language, "correct"].mean(),
                "most often taken for": confusion,
            }
        )
    return pd.DataFrame(rows)


def pairs(result: pd.DataFrame, top: int = 8) -> pd.Series:
    """The language pairs most often confused (either way), by count of wrong guesses."""
    wrong = result[~result["correct"]]
    names = [" / ".join(sorted(p)) for p in zip(wrong["language"], wrong["guess"], strict=True)]
    return pd.Series(names, dtype=object).value_counts().head(top)


def _percent(value: float) -> str:
    return f"{100 * value:.1f} %"


def markdown(results: dict[str, pd.DataFrame], folds: int) -> str:
    table = per_language(results)
    lines = [
        START,
        f"Held out in {folds} folds, each snippet guessed by a model trained without it "
        f"(`python bench/language_id.py`; {len(results['group'])} snippets).",
        "",
        "| language | snippets | accuracy, split by task | split by problem | most often taken for |",
        "|---|---:|---:|---:|---|",
    ]
    for row in table.itertuples(index=False):
        lines.append(
            f"| {row.language} | {row.snippets} | {_percent(row[2])} | {_percent(row[3])} "
            f"| {row[4]} |"
        )
    task, problem = results["group"], results["problem"]
    lines.append(
        f"| **all** | {len(task)} | **{_percent(task['correct'].mean())}** | "
        f"**{_percent(problem['correct'].mean())}** | |"
    )
    lines += [
        "",
        "| snippet kind | snippets | split by task | split by problem |",
        "|---|---:|---:|---:|",
    ]
    for kind, group in task.groupby("kind"):
        other = problem[problem["kind"] == kind]["correct"].mean()
        lines.append(
            f"| {kind} | {len(group)} | {_percent(group['correct'].mean())} | {_percent(other)} |"
        )
    answers = task[task["kind"] == "answer"]["correct"].mean()
    overall = task["correct"].mean()
    met = "met" if overall >= TARGET else "not met"
    lines += [
        "",
        f"Split by task, over every snippet: **{_percent(overall)}** (target {_percent(TARGET)}: "
        f"{met}). On whole answers (a prompt with its solution: the shape of the code "
        f"`wrong_language` consults the identifier on): **{_percent(answers)}**.",
    ]
    long = task[task["lines"] >= MIN_LINES]
    lines += [
        "",
        f"`wrong_language` on held-out snippets of {MIN_LINES} lines or more (probability "
        f"≥ {CONFIDENT}, ≥ {ODDS:g} × the own language's): "
        + ", ".join(
            f"{int(decided_wrongly(results[s]).sum())} of {len(long)} called another language "
            f"than their own when split by {'task' if s == 'group' else s} "
            f"({_percent(decided_wrongly(results[s]).sum() / len(long))})"
            for s in SPLITS
        )
        + ".",
        "",
        "Most confused pairs (wrong guesses either way, split by task): "
        + ", ".join(f"{name} {count}" for name, count in pairs(task).items())
        + ".",
        END,
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--data", type=Path, default=None, help="McEval folder (default: ../shared)")
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--write", type=Path, default=None, help="the markdown file to update")
    args = p.parse_args(argv)
    table = snippets(mceval_data(args.data))
    results = {s: held_out_accuracy(folds=args.folds, split=s, table=table) for s in SPLITS}
    text = markdown(results, args.folds)
    print(text)
    if args.write is not None:
        document = args.write.read_text(encoding="utf-8")
        pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
        if not pattern.search(document):
            print(f"{args.write}: no {START} ... {END} section to replace", file=sys.stderr)
            return 1
        args.write.write_text(pattern.sub(lambda _: text, document), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
