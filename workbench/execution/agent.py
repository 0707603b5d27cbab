"""The Docker backend's agent: one long-lived process per container that judges programs.

It reads one request per line on stdin (a program, its limits and, the first time a task's
support folder is needed, that folder as a tar) and answers one line on stdout: the
``Execution`` that ``execute`` gives, the same function the local backend calls, so both
backends judge by the same registry recipes. A request costs a message, not a container or an
interpreter start, and the agent's warm compilers and toolchain probes live as long as it does.

After every request, every process of the container that the agent did not find at its start
and that is not one of its warm compilers (or below one) is killed. Under bubblewrap a program's
processes die with its PID namespace anyway; where the container cannot run bubblewrap, this
sweep is what makes sure nothing a program started outlives it. A warm compiler is a direct
child of the agent that leads its own session; a program's processes can start a session of
their own, never join another, and once their step has ended they are nobody's children but
the container's init's, so no program can pass for a compiler.

Run as ``python -m workbench.execution.agent`` (it refuses to start outside a container unless
given ``--no-sweep``); protocol lines are JSON objects.
"""

from __future__ import annotations

import base64
import io
import json
import os
import signal
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from workbench.execution.execute import execute
from workbench.execution.records import Execution, Program
from workbench.execution.sandbox import sandbox_info
from workbench.registry.languages import Limits

PROTOCOL = 1
# PID 1 of the runtime image's containers: the engine's init (``--init``), or the image's CMD.
INITS = (b"docker-init", b"tini", b"sleep")


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, session id) of ``pid``, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    return fields[0].decode(), int(fields[1]), int(fields[3])


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def in_container() -> bool:
    """True inside a container of a Docker engine (which writes /.dockerenv) that has a PID
    namespace of its own (its init is PID 1): only there may the agent sweep every process."""
    try:
        init = Path("/proc/1/cmdline").read_bytes().split(b"\0")[0]
    except OSError:
        return False
    return Path("/.dockerenv").exists() and os.path.basename(init) in INITS


class Sweeper:
    """Kills what programs left running, sparing the container's own processes (those alive
    when the agent started), the agent and its warm compilers. Only ever used in a container
    (``in_container``): on a shared machine, "everything new" is other people's work."""

    def __init__(self) -> None:
        if not in_container():
            raise RuntimeError("the agent sweeps processes only inside a container")
        self.me = os.getpid()
        self.keep = set(_pids())  # the container's init and main process, this agent

    def strays(self) -> list[int]:
        """Live processes that belong to no one the agent keeps."""
        table = {pid: _stat(pid) for pid in _pids()}
        # Warm compilers: the agent's own children that lead a session (each starts in one),
        # and everything below them (bubblewrap's namespace init, the compiler itself).
        servers = {pid for pid, st in table.items() if st and st[1] == self.me and st[2] == pid}

        def spared(pid: int) -> bool:
            if pid in self.keep:
                return True
            for _ in range(64):  # up the parents: below a warm compiler, or orphaned / stray
                if pid in servers:
                    return True
                st = table.get(pid)
                if st is None or st[1] in (0, 1, self.me):
                    return False
                pid = st[1]
            return False

        return [
            pid for pid, st in table.items() if st is not None and st[0] != "Z" and not spared(pid)
        ]

    def sweep(self) -> int:
        """SIGSTOP then SIGKILL every stray until none is left (a stopped process cannot fork
        more); returns how many were killed."""
        killed = 0
        for _ in range(100):
            strays = self.strays()
            if not strays:
                return killed
            for sig in (signal.SIGSTOP, signal.SIGKILL):
                for pid in strays:
                    try:
                        os.kill(pid, sig)
                    except (ProcessLookupError, PermissionError):
                        pass
            killed += len(strays)
            time.sleep(0.005)
        return killed


class SupportFolders:
    """Support folders of tasks (Cargo manifests, reference files), sent once per container and
    kept in memory, keyed by the content hash the backend gives. Each request gets a fresh copy
    on disk: programs run as the agent's uid here, so a copy kept on disk could be changed by
    one program for the next."""

    def __init__(self) -> None:
        self.known: dict[str, bytes] = {}

    @contextmanager
    def unpacked(self, support: dict[str, str] | None) -> Iterator[Path | None]:
        """The folder ``support`` names, unpacked for one request (None: the task has none)."""
        if not support:
            yield None
            return
        key = support["key"]
        if key not in self.known:
            if "tar" not in support:
                raise KeyError(f"support folder {key} was never sent to this agent")
            self.known[key] = base64.b64decode(support["tar"])
        with tempfile.TemporaryDirectory(prefix="wb-support-") as tmp:
            # The folder keeps its name: recipes may use it (AWK's inputs are data/<name>/...).
            target = Path(tmp) / Path(support.get("name") or "support").name
            with tarfile.open(fileobj=io.BytesIO(self.known[key]), mode="r:") as tar:
                _extract(tar, target)
            yield target


def _extract(tar: tarfile.TarFile, target: Path) -> None:
    """Unpack files and folders only, all inside ``target`` (Python 3.11.4's ``filter="data"``,
    which Debian 12's 3.11.2 lacks)."""
    for member in tar.getmembers():
        path = (target / member.name).resolve()
        if not (member.isfile() or member.isdir()) or not path.is_relative_to(target.resolve()):
            raise ValueError(f"support folder entry refused: {member.name!r}")
    tar.extractall(target)


def handle(request: dict[str, Any], support: SupportFolders) -> Execution:
    """Judge one request with ``execute``."""
    limits = Limits(**request["limits"])
    with support.unpacked(request.get("support")) as folder:
        program = Program(
            language=request["language"],
            source=request["source"],
            support_dir=folder,
            task_id=request.get("task_id"),
            reference=request.get("reference"),
        )
        return execute(program, limits)


def serve(requests: TextIO, replies: TextIO, sweep: bool = True) -> None:
    """Answer requests until stdin closes; ``sweep=False`` leaves stray processes alone (for
    running the agent outside a container, where the sandbox's own sweep is all there is)."""
    sweeper = Sweeper() if sweep else None
    support = SupportFolders()
    hello = {"agent": PROTOCOL, "pid": os.getpid(), "sandbox": sandbox_info().mode}
    replies.write(json.dumps(hello) + "\n")
    replies.flush()
    for line in requests:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            execution = handle(request, support)
            reply: dict[str, Any] = {"id": request.get("id"), "execution": execution.to_dict()}
        except Exception as exc:  # a request the agent cannot judge is the machine's fault
            reply = {"id": request.get("id"), "error": f"{type(exc).__name__}: {exc}"}
        finally:
            swept = sweeper.sweep() if sweeper is not None else 0
        if "execution" in reply:
            reply["swept"] = swept
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


def main() -> int:
    """Serve on stdin/stdout. The protocol keeps its own copy of stdout, and stdout itself goes
    to stderr, so nothing a library prints can corrupt a reply."""
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    serve(sys.stdin, replies, sweep="--no-sweep" not in sys.argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
