"""Where executions run: a thread pool on this machine, Dask workers anywhere, or containers of
the runtime image (``workbench.evaluation.containers``).

All take (program, limits) and give an ``Execution`` future; the runner owns the queue and the
store. Dask workers need the toolchains of the languages they are sent (``workbench doctor`` on
a worker machine says which) and, for tasks with support files, the McEval data at the same path.
"""

from __future__ import annotations

import os
import re
import signal
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, Protocol

from workbench.evaluation.containers import (
    DEFAULT_IMAGE,
    ContainerLimits,
    ContainerPool,
    image_record,
    runtime_image,
)
from workbench.execution.execute import execute
from workbench.execution.records import Execution, Program
from workbench.execution.sandbox import UID_BASE, UID_SLOTS
from workbench.execution.toolchain import toolchain_version
from workbench.registry.languages import Limits


class Backend(Protocol):
    """Where executions run: ``slots`` at once, futures waited for as they complete.

    ``shares_servers``: every slot is a thread of this process, sharing its warm compilers.
    """

    slots: int
    shares_servers: bool

    def submit(self, program: Program, limits: Limits) -> Any: ...

    def wait(self, futures: list[Any]) -> set[Any]: ...

    def result(self, future: Any) -> Execution: ...

    def close(self, pending: list[Any], interrupted: bool) -> None: ...

    def toolchain_version(self, language: str) -> str | None:
        """The version of the toolchain that judges ``language`` here (part of cache keys)."""
        ...


class _ThreadFutures:
    """Waiting on and reading the ``concurrent.futures`` of a backend's own threads."""

    def wait(self, futures: list[Future[Execution]]) -> set[Future[Execution]]:
        return wait(futures, return_when=FIRST_COMPLETED)[0]

    def result(self, future: Future[Execution]) -> Execution:
        return future.result()


class LocalBackend(_ThreadFutures):
    """A thread pool on this machine; each thread drives one sandboxed execution."""

    shares_servers = True

    def __init__(self, jobs: int) -> None:
        self.slots = jobs
        self.pool = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="wb-exec")

    def submit(self, program: Program, limits: Limits) -> Future[Execution]:
        return self.pool.submit(execute, program, limits)

    def toolchain_version(self, language: str) -> str | None:
        return toolchain_version(language)

    def close(self, pending: list[Future[Execution]], interrupted: bool) -> None:
        for future in pending:
            future.cancel()
        if not interrupted:
            self.pool.shutdown(wait=True, cancel_futures=True)
            return
        # Interrupted: take down the sandboxes still running so their threads return now
        # (each thread then sweeps its sandbox uid), instead of waiting for their time limits.
        self.pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + 10
        while not all(f.done() for f in pending) and time.monotonic() < deadline:
            kill_sandboxes()
            time.sleep(0.05)
        kill_sandboxes()


_WORKDIR = re.compile(r"/wb-[^/]+/box(/|$)")


def kill_sandboxes() -> int:
    """SIGKILL the process groups of this process's running sandboxes; returns how many.

    A sandbox is a direct child that leads its own session (the sandbox starts each command with
    ``start_new_session``) and runs as a sandbox uid or inside a workbench work folder. Other
    children of the process (a Jupyter kernel's, Dask's) and other runs' sandboxes are left alone.
    """
    me, killed = os.getpid(), 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            if int(fields[1]) != me or int(fields[3]) != pid:
                continue
            uid = entry.stat().st_uid
            ours = UID_BASE <= uid < UID_BASE + UID_SLOTS
            if not ours:
                ours = bool(_WORKDIR.search(os.readlink(f"/proc/{pid}/cwd")))
        except (OSError, IndexError, ValueError):
            continue
        if ours:
            try:
                os.killpg(pid, signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
    return killed


def make_backend(backend: str | Backend, cluster: Any, jobs: int | None) -> Backend:
    """The backend named ``backend`` ("local", "dask", "docker": the image ``$WORKBENCH_IMAGE``,
    else ``mceval-workbench:latest``), or ``backend`` itself when it is one already built
    (e.g. a ``DockerBackend`` of another image)."""
    if not isinstance(backend, str):
        return backend
    if cluster is not None or backend == "dask":
        return DaskBackend(cluster, jobs)
    if backend == "docker":
        return DockerBackend(runtime_image(), jobs)
    if backend != "local":
        raise ValueError(f"unknown backend {backend!r}; expected 'local', 'dask' or 'docker'")
    return LocalBackend(jobs or os.cpu_count() or 1)


class DaskBackend:
    """Submit executions to a Dask cluster and gather them as they complete.

    ``cluster`` is a scheduler address (``"tcp://host:8786"``), a ``distributed.Client``, a Dask
    cluster object, or None for a new local cluster of ``jobs`` single-threaded worker processes.
    ``jobs`` (default: the cluster's total threads) is how many executions are in flight.
    """

    shares_servers = False  # each worker process has warm compilers of its own

    def __init__(self, cluster: Any = None, jobs: int | None = None) -> None:
        from distributed import Client, LocalCluster

        self._own: list[Any] = []
        if isinstance(cluster, Client):
            self.client = cluster
        elif cluster is None:
            local = LocalCluster(
                n_workers=jobs or None, threads_per_worker=1, processes=True, dashboard_address=None
            )
            self._own.append(local)
            self.client = Client(local)
            self._own.insert(0, self.client)
        else:
            self.client = Client(cluster)
            self._own.append(self.client)
        threads = sum(self.client.nthreads().values()) or 1
        self.slots = jobs or threads

    def submit(self, program: Program, limits: Limits) -> Any:
        return self.client.submit(execute, program, limits, pure=False)

    def toolchain_version(self, language: str) -> str | None:
        # This machine's: workers are expected to have the same toolchains (module docstring).
        return toolchain_version(language)

    def wait(self, futures: list[Any]) -> set[Any]:
        from distributed import wait

        return set(wait(futures, return_when="FIRST_COMPLETED").done)

    def result(self, future: Any) -> Execution:
        return future.result()

    def close(self, pending: list[Any], interrupted: bool) -> None:
        try:
            if pending:
                self.client.cancel(pending)
        finally:
            for thing in self._own:
                thing.close()


class DockerBackend(_ThreadFutures):
    """A pool of containers of the runtime image ``image``, one per slot; each container's agent
    judges one program at a time with the same ``execute`` and registry as ``LocalBackend``.

    ``source`` runs that workbench package folder in the containers instead of the image's own
    (development: the checkout's code without a rebuild); ``bubblewrap=False`` keeps Docker's
    default seccomp profile, and programs run under rlimits only (``ContainerPool``). A lost
    container is replaced and its program run once more.
    """

    # Each container has warm compilers of its own, and the pool sends a language's programs to
    # a container that has judged it before: so, as with threads sharing one process's
    # compilers, a second concurrent sample of such a language is worth it only when nothing
    # else is ready (it would start another compiler in another container).
    shares_servers = True

    def __init__(
        self,
        image: str = DEFAULT_IMAGE,
        jobs: int | None = None,
        limits: ContainerLimits | None = None,
        source: Path | None = None,
        bubblewrap: bool = True,
    ) -> None:
        self.slots = jobs or os.cpu_count() or 1
        self.image = image
        self._versions: dict[str, str | None] | None = None
        self.pool = ContainerPool(image, self.slots, limits, source, bubblewrap=bubblewrap)
        self.threads = ThreadPoolExecutor(max_workers=self.slots, thread_name_prefix="wb-docker")

    def submit(self, program: Program, limits: Limits) -> Future[Execution]:
        return self.threads.submit(self.pool.run, program, limits)

    def toolchain_version(self, language: str) -> str | None:
        # The image's own toolchains, as recorded when it was built, and marked as the image's:
        # a store shared with local runs must not hand a host's verdict to a container (another
        # version, other libraries beside it), or back.
        if self._versions is None:
            record = image_record(self.image) or {}
            self._versions = dict(record.get("languages") or {})
        return f"image:{self._versions.get(language)}"

    def close(self, pending: list[Future[Execution]], interrupted: bool) -> None:
        for future in pending:
            future.cancel()
        if interrupted:
            # Removing the containers ends the requests in flight at once (the pool, closed,
            # does not replace them); their threads then return.
            self.pool.close()
            self.threads.shutdown(wait=True, cancel_futures=True)
            return
        self.threads.shutdown(wait=True, cancel_futures=True)
        self.pool.close()
