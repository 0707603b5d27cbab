"""Search the McEval data for tests that expect a string the task's own text spells differently
(the kind of C/1's "Masssively"), and say which candidates the registry does not list yet.

Prints one Markdown table per task kind, one row per task (completion variants fold into their
base task), strongest candidates first: those whose test spelling the canonical solution shares
are the C/1 kind; the others are mostly near-identical test *inputs* and need a reader. A
confirmed defect goes to the language's registry file (``known_failures``, ``kind =
"dataset"``) and to ``docs/dataset-defects.md``. Exit status 1 when a candidate that the
canonical solution shares is not in the registry, so a rerun on new data says what to review.

    python bench/dataset_defects.py [--data DIR] [--min-similarity 0.8] [--all]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bench.common import mceval_data  # noqa: E402
from workbench.analysis.defects import expected_string_mismatches  # noqa: E402
from workbench.evaluation.verify import known_failure  # noqa: E402
from workbench.inputs.tasks import TASK_KINDS, base_id, load_tasks  # noqa: E402


def by_base_task(found: pd.DataFrame) -> pd.DataFrame:
    """One row per base task and string pair, with the ids it covers and whether the registry
    lists the task as a dataset defect."""
    found = found.assign(base_id=found["task_id"].map(base_id))
    keys = ["base_id", "stated", "expected", "similarity", "shared_with_canonical"]
    table = found.groupby(keys, sort=False)["task_id"].agg(ids="size").reset_index()
    table["listed"] = table["base_id"].map(
        lambda t: (known_failure(t) or {}).get("kind") == "dataset"
    )
    return table


def markdown(table: pd.DataFrame) -> str:
    lines = [
        "| task | its text says | test expects | similarity | canonical shares it | ids | listed |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in table.to_dict("records"):
        lines.append(
            f"| {row['base_id']} | `{row['stated']}` | `{row['expected']}` | "
            f"{row['similarity']:.3f} | {'yes' if row['shared_with_canonical'] else 'no'} | "
            f"{row['ids']} | {'yes' if row['listed'] else '**no**'} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="McEval folder (default: MCEVAL_DATA or ../shared/mceval)")
    parser.add_argument("--min-similarity", type=float, default=0.8)
    parser.add_argument(
        "--all", action="store_true", help="also list candidates the canonical does not share"
    )
    args = parser.parse_args()
    data = mceval_data(args.data)
    unlisted = 0
    for kind in TASK_KINDS:
        found = expected_string_mismatches(
            load_tasks(data, task=kind), min_similarity=args.min_similarity
        )
        table = by_base_task(found)
        strong = table[table["shared_with_canonical"]]
        unlisted += int((~strong["listed"]).sum())
        shown = table if args.all else strong
        print(
            f"## {kind}: {len(strong)} candidates the canonical solution shares, "
            f"{len(table) - len(strong)} others\n"
        )
        print(markdown(shown) if len(shown) else "(none)")
        print()
    if unlisted:
        print(f"{unlisted} candidates are not in the registry's known_failures: review them.")
    return 1 if unlisted else 0


if __name__ == "__main__":
    raise SystemExit(main())
