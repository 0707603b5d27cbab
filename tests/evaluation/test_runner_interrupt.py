"""Ctrl-C (SIGINT) stops `workbench evaluate` cleanly: fast, non-zero, nothing left running,
only complete verdicts in the store."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import threading
import time

import pandas as pd

from tests.conftest import DEMO, SKELETON_LANGUAGES, require_toolchain
from workbench.evaluation.store import Store
from workbench.execution.sandbox import UID_BASE, UID_SLOTS

POOL = range(UID_BASE, UID_BASE + UID_SLOTS)


def _proc_table() -> dict[int, tuple[int, int, str, str]]:
    """pid -> (ppid, uid, state, start time) of every process."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            table[int(entry.name)] = (int(fields[1]), entry.stat().st_uid, fields[0], fields[19])
        except (OSError, IndexError, ValueError):
            continue
    return table


class SandboxWatch(threading.Thread):
    """Records every sandboxed descendant (pool uid) of one process while it runs.

    Other runs on the machine use the same uid pool, so only descendants are ours."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root, self.seen, self.stop = root, {}, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            table = _proc_table()
            ours, grew = {self.root}, True
            while grew:
                grew = False
                for pid, (ppid, *_) in table.items():
                    if ppid in ours and pid not in ours:
                        ours.add(pid)
                        grew = True
            for pid in ours:
                _, uid, _, start = table.get(pid, (0, -1, "", ""))
                if uid in POOL:
                    self.seen[pid] = start
            time.sleep(0.02)

    def alive(self) -> list[int]:
        table = _proc_table()
        return [
            pid
            for pid, start in self.seen.items()
            if pid in table and table[pid][3] == start and table[pid][2] != "Z"
        ]


def test_sigint_stops_cleanly_and_keeps_only_complete_rows(tmp_path):
    for language in SKELETON_LANGUAGES:
        require_toolchain(language)
    store = tmp_path / "i.duckdb"
    # A long run limit: the demo's endless loops are still running when Ctrl-C comes.
    cmd = [
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
        "60",
        "--jobs",
        "2",
        "--no-cache",
    ]
    # As in a terminal: SIGINT handled. A shell starting CI in the background passes SIGINT on
    # ignored, and Python then installs no KeyboardInterrupt handler.
    proc = subprocess.Popen(
        cmd,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    watch = SandboxWatch(proc.pid)
    watch.start()
    assert proc.stderr is not None
    seen = b""
    try:
        while True:  # wait for some committed verdicts and a sandbox at work
            # Poll: the bar prints only when verdicts are committed, and a sandbox may be alive
            # (an endless loop) long after the last line.
            if select.select([proc.stderr], [], [], 0.05)[0]:
                chunk = os.read(proc.stderr.fileno(), 4096)
                assert chunk, f"evaluation ended before it could be interrupted: {seen[-500:]!r}"
                seen += chunk
            # The bar counts the controls too, and they run first: wait for six samples beyond.
            bar = [(int(n), int(t)) for n, t in re.findall(rb"(\d+)/(\d+) ", seen)]
            if bar and max(bar)[0] >= bar[-1][1] - 72 + 6 and watch.alive():
                break
        proc.send_signal(signal.SIGINT)
        sent = time.monotonic()
        rest = proc.stderr.read()
        code = proc.wait(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    message = (seen + rest).decode(errors="replace")
    assert code != 0, f"exit 0 {took:.1f} s after SIGINT: {message[-2000:]}"
    assert "interrupted" in message, message[-2000:]
    assert took < 15, f"took {took:.1f} s to stop"  # generous: the machine is shared
    deadline = time.monotonic() + 3
    while (left := watch.alive()) and time.monotonic() < deadline:
        time.sleep(0.1)
    watch.stop.set()
    assert watch.seen, "no sandbox was seen running"
    assert left == [], "sandboxed processes outlived the interrupted runner"

    with Store(store) as db:
        stored = db.results()
    assert 0 < len(stored) < 72
    assert not stored.duplicated(["task", "task_id", "model", "sample_index"]).any()
    for column in ("status", "cache_key", "program", "toolchain_version", "sandbox"):
        assert stored[column].notna().all(), column
    # Only real verdicts were committed: a sandbox killed by Ctrl-C left no row behind.
    labels = pd.read_json(DEMO / "samples.jsonl", lines=True)
    merged = labels.merge(stored, on=["task_id", "model", "sample_index"])
    assert len(merged) == len(stored)
    wrong = merged[merged["status"] != merged["expected_status"]]
    assert wrong.empty, wrong[["task_id", "model", "status", "expected_status", "reason"]]
