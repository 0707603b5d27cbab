"""A run killed with SIGKILL loses nothing it finished, and a restart completes it without duplicates."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from tests.conftest import DEMO, SKELETON_LANGUAGES, require_toolchain
from tests.evaluation.test_runner_interrupt import SandboxWatch
from workbench.evaluation.store import Store


def evaluate_cmd(store) -> list[str]:
    return [
        sys.executable,
        "-m",
        "workbench.cli",
        "evaluate",
        "--data",
        str(DEMO),
        "--samples",
        str(DEMO / "samples.jsonl"),
        "--store",
        str(store),
        "--run-timeout",
        "5",
        "--jobs",
        "2",
    ]


@pytest.mark.slow
def test_sigkill_then_restart_finishes_without_loss_or_duplicates(tmp_path):
    for language in SKELETON_LANGUAGES:
        require_toolchain(language)
    store = tmp_path / "r.duckdb"
    proc = subprocess.Popen(evaluate_cmd(store), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
    watch = SandboxWatch(proc.pid)  # only this run's sandboxes: others may share the uid pool
    watch.start()
    seen = b""
    assert proc.stderr is not None
    while True:  # the progress bar says how many verdicts are committed
        chunk = os.read(proc.stderr.fileno(), 4096)
        assert chunk, f"evaluation ended before it could be killed: {seen[-500:]!r}"
        seen += chunk
        done = [int(n) for n in re.findall(rb"(\d+)/\d+ ", seen)]  # controls counted too
        if done and max(done) >= 12:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # bwrap's --die-with-parent takes the killed runner's sandboxes down with it.
    watch.stop.set()
    watch.join()
    deadline = time.monotonic() + 3
    while (leftovers := watch.alive()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert leftovers == [], "sandboxed processes outlived the killed runner"
    with Store(store) as db:
        first = db.results()
    assert 12 <= len(first) < 72

    restart = subprocess.run(evaluate_cmd(store) + ["--quiet"], capture_output=True, text=True)
    assert restart.returncode == 0, restart.stderr
    with Store(store) as db:
        final = db.results()
    assert len(final) == 72
    assert not final.duplicated(["task", "task_id", "model", "sample_index"]).any()
    # Verdicts finished before the kill are reused, not recomputed.
    keys = ["task_id", "model", "sample_index"]
    reused = final.merge(first[keys + ["status"]], on=keys, suffixes=("", "_first"))
    assert len(reused) == len(first) and reused["cached"].all()
    assert (reused["status"] == reused["status_first"]).all()
    labels = pd.read_json(DEMO / "samples.jsonl", lines=True)
    merged = labels.merge(final, on=keys)
    assert (merged["status"] == merged["expected_status"]).all()
