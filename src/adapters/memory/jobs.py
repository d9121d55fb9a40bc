"""In-memory Jobs, with the one-in-flight-per-user rule."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace
from datetime import datetime

from paintcore.domain.errors import JobInFlight
from paintcore.domain.jobs import Job, JobState, Lease, can_move
from paintcore.domain.users import UserId


class InMemoryJobs:
    def __init__(self) -> None:
        self.by_id: dict[str, Job] = {}
        self._lock = threading.Lock()

    def add(self, job: Job) -> None:
        with self._lock:
            if job.id in self.by_id:
                raise ValueError(f"job {job.id} exists")
            if self._in_flight(job.user_id) is not None:
                raise JobInFlight(f"user {job.user_id} already has a job in flight")
            self.by_id[job.id] = job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self.by_id.get(job_id)

    def start(self, job_id: str, *, at: datetime, lease: Lease | None = None) -> Job | None:
        return self._move(job_id, JobState.RUNNING, at, "", lease)

    def renew(self, job_id: str, *, owner: str, until: datetime) -> bool:
        with self._lock:
            job = self.by_id.get(job_id)
            if job is None or job.state is not JobState.RUNNING or job.lease is None:
                return False
            if job.lease.owner != owner:
                return False
            self.by_id[job_id] = replace(job, lease=Lease(owner, until))
            return True

    def claim(
        self,
        job_id: str,
        *,
        at: datetime,
        owner: str,
        until: datetime,
        gone: str | None = None,
        unleased_before: datetime,
    ) -> Job | None:
        with self._lock:
            job = self.by_id.get(job_id)
            if job is None or not job.claimable(at, gone=gone, unleased_before=unleased_before):
                return None
            claimed = replace(job, lease=Lease(owner, until))
            self.by_id[job_id] = claimed
            return claimed

    def finish(self, job_id: str, *, state: JobState, at: datetime, error: str = "") -> Job | None:
        if state not in (JobState.SUCCEEDED, JobState.FAILED):
            raise ValueError(f"cannot finish a job as {state}")
        return self._move(job_id, state, at, error)

    def in_flight(self, user_id: UserId) -> Job | None:
        with self._lock:
            return self._in_flight(user_id)

    def running(self) -> list[Job]:
        with self._lock:
            jobs = [j for j in self.by_id.values() if j.state is JobState.RUNNING]
        return sorted(jobs, key=lambda j: j.started_at or j.created_at)

    def queued(self) -> list[Job]:
        with self._lock:
            jobs = [j for j in self.by_id.values() if j.state is JobState.QUEUED]
        return sorted(jobs, key=lambda j: j.created_at)

    def since(self, moment: datetime) -> list[Job]:
        with self._lock:
            jobs = [j for j in self.by_id.values() if j.created_at >= moment]
        return sorted(jobs, key=lambda j: j.created_at)

    def recent(
        self, *, state: JobState | None = None, user_id: UserId | None = None, limit: int = 10
    ) -> list[Job]:
        with self._lock:
            jobs = [
                j
                for j in self.by_id.values()
                if (state is None or j.state is state) and (user_id is None or j.user_id == user_id)
            ]
        jobs.reverse()  # at one instant, the later added first (the sort is stable)
        jobs.sort(key=lambda j: j.created_at, reverse=True)
        return jobs[: max(limit, 0)]

    def counts(self) -> dict[JobState, int]:
        with self._lock:
            counted = Counter(j.state for j in self.by_id.values())
        return {state: counted.get(state, 0) for state in JobState}

    def _in_flight(self, user_id: UserId) -> Job | None:
        return next(
            (j for j in self.by_id.values() if j.user_id == user_id and j.state.in_flight), None
        )

    def _move(
        self, job_id: str, target: JobState, at: datetime, error: str, lease: Lease | None = None
    ) -> Job | None:
        with self._lock:
            job = self.by_id.get(job_id)
            if job is None or not can_move(job.state, target):
                return None
            moved = job.moved(target, at, error, lease)
            self.by_id[job_id] = moved
            return moved
