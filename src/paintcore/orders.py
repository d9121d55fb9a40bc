"""StepwiseOrders: the PageOrders port built from the Users, Ledger and Jobs ports, step by step.

Each step is its own atomic call of a store, in an order that a crash between two steps leaves
safe: the job is stored before its credit is held (a job without a hold fails plainly when taken
and costs nothing; a hold never exists without its job), and the credit is settled before the job
is finished (a job left running is failed by RecoverJobs, whose release then finds nothing held;
the other order could leave a finished job's credit held for ever). Stores whose single write can
do more (MongoDB) implement PageOrders themselves.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from .domain.credits import HoldState
from .domain.errors import JobInFlight, QuotaExceeded, UserBanned, UserNotFound
from .domain.jobs import ClosedJob, Job, JobId, JobState, Lease, TakenJob, can_move
from .ports import Jobs, Ledger, Users

log = logging.getLogger(__name__)

_FINAL = (JobState.SUCCEEDED, JobState.FAILED)


@dataclass(frozen=True, slots=True)
class StepwiseOrders:
    users: Users
    ledger: Ledger
    jobs: Jobs

    def open(self, job: Job) -> Job:
        user = self.users.get(job.user_id)
        if user is None:
            raise UserNotFound(f"no user {job.user_id}")
        if user.banned:
            raise UserBanned(f"user {job.user_id} is banned")
        if self.jobs.in_flight(job.user_id) is not None:
            raise JobInFlight(f"user {job.user_id} already has a job in flight")
        # A cheap early answer; the guarded reserve below is what really protects the balance.
        if self.ledger.balance(job.user_id).available < 1:
            raise QuotaExceeded(f"user {job.user_id} has no credits")
        self.jobs.add(job)  # JobInFlight here when two requests race: the store decides
        try:
            self.ledger.reserve(user_id=job.user_id, job_id=job.id)
        except QuotaExceeded:
            self.jobs.finish(job.id, state=JobState.FAILED, at=job.created_at, error="no credits")
            raise
        return job

    def take(self, job_id: JobId, *, at: datetime, lease: Lease | None = None) -> TakenJob | None:
        job = self.jobs.start(job_id, at=at, lease=lease)
        if job is None:
            return None
        hold = self.ledger.hold(job.id)
        return TakenJob(
            job=job,
            user=self.users.get(job.user_id),
            held=hold is not None and hold.state is HoldState.HELD,
            credits_left=self.ledger.balance(job.user_id).available,
        )

    def renew(self, job_id: JobId, *, owner: str, until: datetime) -> bool:
        return self.jobs.renew(job_id, owner=owner, until=until)

    def close(
        self, job_id: JobId, *, state: JobState, at: datetime, error: str = ""
    ) -> ClosedJob | None:
        if state not in _FINAL:
            raise ValueError(f"cannot close a job as {state}")
        current = self.jobs.get(job_id)
        if current is None or not can_move(current.state, state):
            return None  # finished already, unknown, or (succeeded) never started
        if state is JobState.SUCCEEDED:
            settled = self.ledger.capture(job_id=job_id)
        else:
            settled = self.ledger.release(job_id=job_id)
        done = self.jobs.finish(job_id, state=state, at=at, error=error)
        if done is None:
            return None  # it finished while we settled
        return ClosedJob(job=done, user=self.users.get(done.user_id), settled=settled)
