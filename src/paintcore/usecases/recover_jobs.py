"""RecoverJobs: take running jobs away from workers that are gone, refund them, re-enqueue queued."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import timedelta

from ..domain.jobs import FailureReason, Job, JobId, JobState
from ..domain.tasks import page_task
from ..metrics import NO_METRICS, count_failed
from ..ports import Clock, JobNotifier, Jobs, Metrics, PageOrders, TaskQueue
from .lease import Revocations

log = logging.getLogger(__name__)


def _unknown(owner: str) -> bool:
    return False  # nothing is known about other workers: only their leases tell


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    failed: int
    requeued: int


@dataclass(frozen=True, slots=True)
class RecoverJobs:
    """A running job is taken from its worker (claimed, in one guarded write that excludes the
    worker's next renewal) and failed, which gives its credit back and tells the user, when its
    lease ran out (the worker stopped renewing it: a crash, a kill, a machine gone), at once when
    `worker_gone` says its worker's process is dead (a restart after kill -9 on the same host),
    and, for a job taken without a lease, when it started longer than `running_timeout` ago.
    The worker then finds its lease gone and drops the page instead of delivering it."""

    jobs: Jobs
    orders: PageOrders
    queue: TaskQueue
    notifier: JobNotifier
    clock: Clock
    running_timeout: timedelta = timedelta(minutes=10)  # also how long recovery's claim lasts
    owner: str = "recovery"  # the lease recovery takes a job over with (not a worker's own)
    worker_gone: Callable[[str], bool] = _unknown  # a lease owner's process is known to be dead
    revoked: Revocations = field(default_factory=Revocations)  # shared with this process's workers
    metrics: Metrics = NO_METRICS

    def __call__(
        self, *, requeue: bool = True, abandoned: Collection[JobId] = ()
    ) -> RecoveryReport:
        """Fail (and release) the running jobs whose workers are gone, and the `abandoned` ones
        (a shutdown gave up on them); with `requeue`, hand queued jobs to the queue again (at
        start-up, when an in-process queue has lost them)."""
        failed = sum(self._recover(job) for job in self.jobs.running())
        for job_id in abandoned:
            failed += self._abandon(job_id)
        requeued = 0
        if requeue:
            for job in self.jobs.queued():
                self.queue.enqueue(page_task(job.id))
                requeued += 1
        if failed or requeued:
            log.info("jobs recovered", extra={"failed": failed, "requeued": requeued})
        return RecoveryReport(failed=failed, requeued=requeued)

    def _recover(self, job: Job, *, gone: str | None = None) -> bool:
        now = self.clock.now()
        if gone is None and job.lease is not None and self.worker_gone(job.lease.owner):
            gone = job.lease.owner
        unleased_before = now - self.running_timeout
        if not job.claimable(now, gone=gone, unleased_before=unleased_before):
            return False
        claimed = self.jobs.claim(
            job.id,
            at=now,
            owner=self.owner,
            until=now + self.running_timeout,
            gone=gone,
            unleased_before=unleased_before,
        )
        if claimed is None:
            return False
        self.revoked.add(job.id)
        return self._interrupt(claimed)

    def _abandon(self, job_id: JobId) -> bool:
        job = self.jobs.get(job_id)
        if job is None or not job.state.in_flight:
            return False
        if job.state is JobState.RUNNING and job.lease is not None:
            return self._recover(job, gone=job.lease.owner)  # this process's own worker
        return self._interrupt(job)

    def _interrupt(self, job: Job) -> bool:
        closed = self.orders.close(
            job.id, state=JobState.FAILED, at=self.clock.now(), error="interrupted (worker stopped)"
        )
        if closed is None:
            return False  # it finished while we looked
        count_failed(self.metrics, closed)
        self.notifier.page_failed(closed.job, reason=FailureReason.INTERRUPTED, user=closed.user)
        log.warning(
            "job interrupted",
            extra={"job_id": job.id, "user_id": job.user_id, "released": closed.settled},
        )
        return True
