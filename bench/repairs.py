"""What the mechanical repairs win on real model outputs: pass@1 as scored and after repair, and
which repair recovered how many samples, on the example outputs of the official McEval
repository (``../shared/model-outputs/mceval-examples``: C generation, explanation stage 2,
completion/light) and on the demo's broken samples (``data/demo``).

Each source is evaluated into a store of its own (``--stores``; cached work is not run again, as
in ``bench/causes.py``), its causes recomputed with the current rules, and its failing samples
rerun after the repairs and stored beside the scored ones
(``workbench.evaluation.repair.repair_store``); the numbers are ``workbench.analysis.repairs``'
(``effect``, ``recovered``). A sample no repair changes keeps its verdict in the "after"
column; the scored verdicts are not changed.

    python bench/repairs.py [--stores DIR] [--data DIR] [--outputs DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bench.causes import MODEL_OUTPUTS, OUTPUTS, evaluate_into, unspecific  # noqa: E402
from workbench.analysis.repairs import effect, recovered  # noqa: E402
from workbench.analysis.rows import failing  # noqa: E402
from workbench.evaluation.repair import repair_store  # noqa: E402
from workbench.evaluation.store import Store  # noqa: E402
from workbench.inputs.samples import load_samples  # noqa: E402
from workbench.inputs.tasks import default_data_dir, load_tasks  # noqa: E402
from workbench.ops.demo import DEMO_DATA  # noqa: E402


def measured(store: Path, tasks: pd.DataFrame, limits: dict | None, source: str) -> tuple:
    """Repair ``store``'s failing samples (stored as ``repaired`` rows) and return its line of
    the table (``analysis.repairs.effect``, and the failures with an unspecific cause) and
    which repairs recovered how many samples ("passed of rerun")."""
    repair_store(store, tasks, limits=limits, progress=False)
    with Store(store) as db:
        results = db.results(kinds=None)
    failures = failing(results)
    line = {
        "source": source,
        **effect(results),
        "unspecific": f"{int(unspecific(failures['cause']).sum())} of {len(failures)}",
    }
    table = recovered(results, by=[])
    counts = pd.Series(
        [f"{r.recovered} of {r.tried}" for r in table.itertuples()],
        index=table["repairs"],
        dtype=object,
        name=source,
    )
    return line, counts


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--stores", type=Path, default=None, help="folder for the stores")
    p.add_argument("--data", type=Path, default=None, help="McEval folder (default: ../shared)")
    p.add_argument("--outputs", type=Path, default=OUTPUTS, help="mceval-examples folder")
    args = p.parse_args(argv)
    data = args.data or default_data_dir()
    rows, tables = [], []
    with tempfile.TemporaryDirectory(prefix="wb-repairs-") as tmp:
        stores = args.stores or Path(tmp)
        stores.mkdir(parents=True, exist_ok=True)
        sources = []
        if data is not None and args.outputs.is_dir():
            for source, name, kind, subset in MODEL_OUTPUTS:
                tasks = load_tasks(data, task=kind, subset=subset, languages=["C"])
                sources.append((source, load_samples(args.outputs / name), tasks, None))
        samples = load_samples(DEMO_DATA / "samples.jsonl")
        languages = sorted({t.split("/", 1)[0] for t in samples["task_id"]})
        demo_tasks = load_tasks(DEMO_DATA, languages=languages)
        sources.append(("demo", samples, demo_tasks, {"run_timeout": 5.0}))
        for source, samples, tasks, limits in sources:
            store = stores / f"{source.replace(' ', '_')}.duckdb"
            evaluate_into(store, samples, tasks, limits)
            line, counts = measured(store, tasks, limits, source)
            rows.append(line)
            tables.append(counts)
    with pd.option_context("display.max_colwidth", 200, "display.width", 200):
        print(pd.DataFrame(rows).to_string(index=False))
        print("\nrecovered by the repairs applied (passed of rerun):")
        print(pd.concat(tables, axis=1).fillna("").to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
