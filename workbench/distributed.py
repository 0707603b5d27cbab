"""Executions on a Dask cluster: workers run ``workbench.executor.execute``; the store stays here.

Every worker needs the toolchains of the languages it is sent (``workbench doctor`` on a worker
machine says which) and, for tasks with support files, the McEval data at the same path.
"""

from __future__ import annotations

from typing import Any

from workbench.executor import Execution, Program, execute
from workbench.languages import Limits


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
