"""``defects``: the tasks a store's second reading of the scores sets aside as defective (issue
25, docs/dataset-defects.md) — list them, add one with a reason, or restore one. Kept in the
store's file with author and time; no verdict changes."""

from __future__ import annotations

import argparse

from workbench.cli import options
from workbench.execution.records import TASK_KINDS


def _defects(args: argparse.Namespace) -> int:
    """``defects list|add|remove``: the tasks set aside as defective for a store (issue 25)."""
    from workbench.analysis.defects import applied_defects, defective_tasks
    from workbench.evaluation.task_defects import defect_marks, mark_defective, restore_task
    from workbench.views.text import format_defects

    with options.open_store(args.store) as store:
        if args.action == "add":
            row = mark_defective(store, args.task_id, args.reason, args.task, args.evidence)
            print(f"set aside {row['task_id']} ({row['task'] or 'every kind'}): {row['reason']}")
        elif args.action == "remove":
            row = restore_task(store, args.task_id, args.task, args.reason or "")
            print(f"restored {row['task_id']} ({row['task'] or 'every kind'})")
        if args.action != "list":
            return 0
        if args.history:
            table = defect_marks(store, latest=False)
        else:
            listed = defective_tasks(store)
            counts = applied_defects(store.results(), listed)[["task_id", "task", "n_samples"]]
            table = listed.merge(counts, on=["task_id", "task"], how="left")
            table["n_samples"] = table["n_samples"].fillna(0).astype(int)
    if args.format == "csv":
        print(table.to_csv(index=False), end="")
    elif args.format == "json":
        print(table.to_json(orient="records", indent=2, date_format="iso"))
    else:
        print(format_defects(table))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``defects`` to the command line."""
    d = sub.add_parser(
        "defects",
        help="tasks set aside as defective: list them, add one, or restore one (a store's own)",
    )
    d.add_argument("action", choices=["list", "add", "remove"])
    d.add_argument("task_id", nargs="?", help="add/remove: a task id such as C/1 (not a sample)")
    options.store(d)
    d.add_argument(
        "--task", default=None, choices=TASK_KINDS, help="only this task kind (default: every)"
    )
    d.add_argument("--reason", default=None, help="add: why the task is defective (required)")
    d.add_argument("--evidence", default="", help="add: how the defect was seen")
    d.add_argument("--history", action="store_true", help="list: every mark, in order")
    options.output_format(d)
    d.set_defaults(func=_defects)
