"""Executions sent to a real Dask LocalCluster give the same verdicts as the local thread pool."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import DEMO, SKELETON_LANGUAGES, require_toolchain
from workbench.evaluation.runner import evaluate
from workbench.evaluation.store import Store
from workbench.inputs.samples import load_samples
from workbench.inputs.tasks import load_tasks

KEYS = ["task_id", "model", "sample_index"]


@pytest.fixture(scope="module")
def demo():
    for language in SKELETON_LANGUAGES:
        require_toolchain(language)
    samples = load_samples(DEMO / "samples.jsonl")
    # A few samples of every expected status (no JVM: the test must stay quick on 2 cores).
    labels = pd.read_json(DEMO / "samples.jsonl", lines=True)
    labels = labels[~labels["task_id"].str.startswith("Java/")]
    chosen = labels.groupby("expected_status").head(3)[KEYS]
    samples = samples.merge(chosen, on=KEYS)
    tasks = load_tasks(DEMO, languages=sorted({t.split("/", 1)[0] for t in samples["task_id"]}))
    return samples, tasks


@pytest.mark.slow
def test_local_cluster_verdicts_match_local_run(demo, tmp_path):
    distributed = pytest.importorskip("distributed")
    samples, tasks = demo
    limits = {"run_timeout": 2.0}
    local = evaluate(samples, tasks, jobs=2, progress=False, cache=False, limits=limits)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = evaluate(
            samples,
            tasks,
            cluster=client,
            store=tmp_path / "d.duckdb",
            progress=False,
            cache=False,
            limits=limits,
        )
        assert client.status == "running"  # a caller's client is left open
    assert len(local) == len(remote) == len(samples)
    assert list(remote[KEYS].itertuples(index=False)) == list(local[KEYS].itertuples(index=False))
    both = local[KEYS + ["status"]].merge(
        remote[KEYS + ["status"]], on=KEYS, suffixes=("", "_dask")
    )
    diff = both[both["status"] != both["status_dask"]]
    assert diff.empty, diff.to_string()
    labels = pd.read_json(DEMO / "samples.jsonl", lines=True).merge(remote, on=KEYS)
    assert (labels["status"] == labels["expected_status"]).all()
    # The store stayed with the client: every verdict is there.
    with Store(tmp_path / "d.duckdb") as db:
        stored = db.results()
    assert len(stored) == len(samples) and not stored["cached"].any()
