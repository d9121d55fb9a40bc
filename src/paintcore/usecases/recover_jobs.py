"""RecoverJobs: after a crash, fail and refund jobs left running, and re-enqueue queued ones."""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta

from ..domain.jobs import Job, JobState
from ..ports import Clock, JobNotifier, JobQueue, Jobs, PageOrders

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    failed: int
    requeued: int


@dataclass(frozen=True, slots=True)
class RecoverJobs:
    jobs: Jobs
    orders: PageOrders
    queue: JobQueue
    notifier: JobNotifier
    clock: Clock
    running_timeout: timedelta = timedelta(minutes=10)

    def __call__(self, *, requeue: bool = True, abandoned: Collection[str] = ()) -> RecoveryReport:
        """Fail (and release) jobs running longer than the timeout, and the `abandoned` ones (a
        shutdown gave up on them); with `requeue`, hand queued jobs to the queue again (at
        start-up, when an in-process queue has lost them)."""
        stale = self.jobs.running_since_before(self.clock.now() - self.running_timeout)
        candidates = {job.id: job for job in stale}
        for job_id in abandoned:
            job = self.jobs.get(job_id)
            if job is not None and job.state.in_flight:
                candidates[job_id] = job
        failed = sum(self._interrupt(job) for job in candidates.values())
        requeued = 0
        if requeue:
            for job in self.jobs.queued():
                self.queue.enqueue(job.id)
                requeued += 1
        if failed or requeued:
            log.info("jobs recovered", extra={"failed": failed, "requeued": requeued})
        return RecoveryReport(failed=failed, requeued=requeued)

    def _interrupt(self, job: Job) -> bool:
        closed = self.orders.close(
            job.id, state=JobState.FAILED, at=self.clock.now(), error="interrupted (worker stopped)"
        )
        if closed is None:
            return False  # it finished while we looked
        self.notifier.page_failed(closed.job, reason="interrupted", user=closed.user)
        log.warning(
            "job interrupted",
            extra={"job_id": job.id, "user_id": job.user_id, "released": closed.settled},
        )
        return True
