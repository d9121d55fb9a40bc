"""WorkerPool: what main() needs to stop the workers that run tasks in this process.

Not a core port: no use case starts or stops workers, only the entrypoints do, and a process
whose tasks go to another (RQ workers) has no pool to stop. The pool starts its threads with the
first task, so stopping is all there is to its lifecycle.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from paintcore.domain.jobs import JobId
from paintcore.domain.tasks import Task, page_job_ids
from paintcore.usecases import RecoveryReport


class WorkerPool(Protocol):
    def in_flight(self) -> list[Task]:
        """The tasks being run right now, oldest start first."""
        ...

    def close(self, timeout: float | None = None, *, drain: bool = True) -> bool:
        """Take no more tasks; with `drain`, run the waiting ones first, else drop them; wait up
        to `timeout` for the rest to finish: False if some were still running then."""
        ...


class Recovery(Protocol):
    def __call__(
        self, *, requeue: bool = True, abandoned: Collection[JobId] = ()
    ) -> RecoveryReport:
        """RecoverJobs: fail and refund the `abandoned` pages."""
        ...


def stop_workers(pool: WorkerPool, recover: Recovery, *, grace: float) -> int:
    """Stop the pool, giving running tasks `grace` seconds and dropping waiting ones (their
    pages stay queued in storage for the next start); pages still being drawn after that are
    failed and refunded. How many were refunded."""
    if pool.close(timeout=grace, drain=False):
        return 0
    return recover(requeue=False, abandoned=page_job_ids(pool.in_flight())).failed
