"""RecoverJobs: after a crash, fail and refund jobs left running, and re-enqueue queued ones."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from ..domain.jobs import JobState
from ..ports import Clock, JobNotifier, JobQueue, Jobs, Ledger

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    failed: int
    requeued: int


@dataclass(frozen=True, slots=True)
class RecoverJobs:
    jobs: Jobs
    ledger: Ledger
    queue: JobQueue
    notifier: JobNotifier
    clock: Clock
    running_timeout: timedelta = timedelta(minutes=10)

    def __call__(self, *, requeue: bool = True) -> RecoveryReport:
        """Fail (and release) jobs running longer than the timeout; with `requeue`, hand queued
        jobs to the queue again (at start-up, when an in-process queue has lost them)."""
        failed = 0
        for job in self.jobs.running_since_before(self.clock.now() - self.running_timeout):
            done = self.jobs.finish(
                job.id,
                state=JobState.FAILED,
                at=self.clock.now(),
                error="interrupted (worker stopped)",
            )
            if done is None:
                continue  # it finished while we looked
            released = self.ledger.release(job_id=job.id)
            self.notifier.page_failed(done, reason="interrupted")
            failed += 1
            log.warning(
                "stale job failed",
                extra={"job_id": job.id, "user_id": job.user_id, "released": released},
            )
        requeued = 0
        if requeue:
            for job in self.jobs.queued():
                self.queue.enqueue(job.id)
                requeued += 1
        if failed or requeued:
            log.info("jobs recovered", extra={"failed": failed, "requeued": requeued})
        return RecoveryReport(failed=failed, requeued=requeued)
