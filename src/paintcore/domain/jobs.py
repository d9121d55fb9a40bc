"""A generation job and its state machine: queued -> running -> succeeded | failed."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime
from typing import NewType

from .pages import PageOptions
from .users import User, UserId


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"

    @property
    def in_flight(self) -> bool:
        return self in (JobState.QUEUED, JobState.RUNNING)


class FailureReason(enum.StrEnum):
    """Why a page failed, as far as the user is told (each picks its own text)."""

    REJECTED = "rejected"  # the image backend refused the description
    INTERRUPTED = "interrupted"  # its worker stopped (a crash, a shutdown); recovery refunded it
    FAILED = "failed"  # drawing or delivering went wrong
    INTERNAL = "internal"  # our own bookkeeping: no credit was held for the job


_ALLOWED = {
    JobState.QUEUED: {JobState.RUNNING, JobState.FAILED},
    JobState.RUNNING: {JobState.SUCCEEDED, JobState.FAILED},
    JobState.SUCCEEDED: set(),
    JobState.FAILED: set(),
}


def can_move(current: JobState, target: JobState) -> bool:
    """Whether the state machine allows `current -> target`."""
    return target in _ALLOWED[current]


@dataclass(frozen=True, slots=True)
class Lease:
    """Who is working on a running job, and until when that counts without a renewal.

    A live worker renews its lease while it draws (a heartbeat), so recovery takes a job away
    only from a worker that is gone: its lease ran out, or its process is known to be dead."""

    owner: str  # the worker: "<host>/<pid>/<process start>" (entrypoints.workers)
    until: datetime


# A job's id (a UUID hex string), distinct from other strings in signatures.
JobId = NewType("JobId", str)


@dataclass(frozen=True, slots=True)
class Job:
    """One coloring page being made for one user in one chat."""

    id: JobId
    user_id: UserId
    chat_id: int
    description: str  # what the user asked for, as cleaned (empty for a photo without caption)
    options: PageOptions
    state: JobState
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str = ""
    photo_file_id: str | None = None  # a page from the user's photo rather than a description
    lease: Lease | None = None  # while running: the worker on it (None: taken without a lease)

    def moved(
        self, target: JobState, at: datetime, error: str = "", lease: Lease | None = None
    ) -> Job:
        """This job in state `target`; raises ValueError on a move the machine forbids."""
        if not can_move(self.state, target):
            raise ValueError(f"job {self.id}: {self.state} -> {target} is not allowed")
        if target is JobState.RUNNING:
            return replace(self, state=target, started_at=at, lease=lease)
        return replace(self, state=target, finished_at=at, error=error)

    def claimable(self, at: datetime, *, gone: str | None, unleased_before: datetime) -> bool:
        """Whether recovery may take this running job away from its worker at `at`: its lease
        ran out, its worker is `gone`, or (taken without a lease) it started before
        `unleased_before`."""
        if self.state is not JobState.RUNNING:
            return False
        if self.lease is None:
            return self.started_at is not None and self.started_at < unleased_before
        return self.lease.until < at or (gone is not None and self.lease.owner == gone)


@dataclass(frozen=True, slots=True)
class TakenJob:
    """A job a worker took (now running), with what drawing and delivering it needs to know."""

    job: Job
    user: User | None  # the user as of the request or later (language and names for the texts)
    held: bool  # a credit is held for the job; False only after a crash lost the reservation
    credits_left: int  # what the user may still spend besides this page, as of the request or later


@dataclass(frozen=True, slots=True)
class ClosedJob:
    """A job that just ended, and whether that settled its credit (spent or given back)."""

    job: Job
    user: User | None
    settled: bool
