"""Job ports: the jobs table, a page's paid life (PageOrders), the task queue and the notifier."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from ..domain.jobs import ClosedJob, FailureReason, Job, JobId, JobState, Lease, TakenJob
from ..domain.pages import ColoringPage
from ..domain.tasks import Task
from ..domain.users import User, UserId


class Jobs(Protocol):
    def add(self, job: Job) -> None:
        """Store a new job; JobInFlight if the user already has a queued or running job;
        ValueError if the id exists."""
        ...

    def get(self, job_id: JobId) -> Job | None:
        """The job with this id, or None."""
        ...

    def start(self, job_id: JobId, *, at: datetime, lease: Lease | None = None) -> Job | None:
        """Move a queued job to running (leased to `lease`'s worker); None if it is not queued
        (taken or finished already)."""
        ...

    def renew(self, job_id: JobId, *, owner: str, until: datetime) -> bool:
        """Extend the lease of a running job held by `owner` to `until`; False when the job is
        no longer running under that owner's lease (recovery took it, or it finished)."""
        ...

    def claim(
        self,
        job_id: JobId,
        *,
        at: datetime,
        owner: str,
        until: datetime,
        gone: str | None = None,
        unleased_before: datetime,
    ) -> Job | None:
        """Take a running job over for `owner` (recovery) when `Job.claimable` says so, in one
        guarded write, so a worker renewing at the same moment and recovery exclude each other;
        the job as claimed, or None."""
        ...

    def finish(
        self, job_id: JobId, *, state: JobState, at: datetime, error: str = ""
    ) -> Job | None:
        """Move a job to succeeded or failed; None when the state machine does not allow the move
        (already finished, or succeeded straight from queued). ValueError for any other target."""
        ...

    def in_flight(self, user_id: UserId) -> Job | None:
        """The user's queued or running job, if any."""
        ...

    def running(self) -> list[Job]:
        """Running jobs with their leases, oldest start first (candidates for crash recovery)."""
        ...

    def queued(self) -> list[Job]:
        """Queued jobs, oldest first."""
        ...

    def since(self, moment: datetime) -> list[Job]:
        """Jobs created at or after `moment`, oldest first (for /stats: a day or a week of them)."""
        ...

    def recent(
        self, *, state: JobState | None = None, user_id: UserId | None = None, limit: int = 10
    ) -> list[Job]:
        """The latest jobs (in `state`, of `user_id`, if given), newest created first."""
        ...

    def counts(self) -> dict[JobState, int]:
        """How many jobs are in each state, every state present (zero included)."""
        ...


class PageOrders(Protocol):
    """A page's life as the user pays for it: opened (credit held), taken, closed (settled).

    The page flows go through this port rather than Users, Ledger and Jobs one by one so that a
    store can do each step in as few writes as it can (MongoDB: see docs/MONGO.md); `StepwiseOrders`
    builds it from the three ports for stores that need nothing better.
    """

    def open(self, job: Job) -> Job:
        """Store the queued `job` with one credit held for it (free bucket first): UserNotFound,
        UserBanned, JobInFlight (the user has a queued or running job) or QuotaExceeded, checked
        in that order, with nothing held and no job in flight (a store may record the job as
        failed when a racing movement took the credit between its checks)."""
        ...

    def take(self, job_id: JobId, *, at: datetime, lease: Lease | None = None) -> TakenJob | None:
        """Move a queued job to running, leased to `lease`'s worker; None if it is not queued
        (taken or finished already).
        The user and the credits left come as of the request or later: a store may keep a
        snapshot taken at `open` (MongoDB does, to answer in one command)."""
        ...

    def renew(self, job_id: JobId, *, owner: str, until: datetime) -> bool:
        """Keep the job leased to `owner` until `until` (Jobs.renew): False when it is not,
        because recovery took it away (and gave its credit back) or it finished."""
        ...

    def close(
        self, job_id: JobId, *, state: JobState, at: datetime, error: str = ""
    ) -> ClosedJob | None:
        """Finish the job as succeeded (its credit is spent) or failed (given back); None when
        the job cannot move there (already finished, unknown). ValueError for another state,
        checked first (also for an unknown job)."""
        ...


class TaskQueue(Protocol):
    """Hands background tasks to workers, which run each by its name (pages today)."""

    def enqueue(self, task: Task) -> None:
        """Schedule the task to run soon; a task whose id is still waiting is taken once.
        StorageUnavailable if the queue cannot take it."""
        ...

    def depth(self) -> int:
        """Tasks waiting or running."""
        ...


class JobNotifier(Protocol):
    """How a finished or failed job is told to people (implemented by the dialog)."""

    def working(self, job: Job) -> AbstractContextManager[None]:
        """Show the user that their page is being drawn while the block runs; never raises."""
        ...

    def page_ready(
        self, job: Job, page: ColoringPage, *, credits_left: int, user: User | None
    ) -> None:
        """Deliver the page to the user (`user`: as of the request, for the language);
        RecipientBlocked or DeliveryFailed if impossible, PartiallyDelivered if only in part."""
        ...

    def page_to_admins(self, job: Job, page: ColoringPage, user: User | None) -> None:
        """Send a copy to every admin; never raises (failures are logged)."""
        ...

    def backend_down(self, error: str) -> None:
        """Alert admins that the image backend refuses everyone; once until it works again."""
        ...

    def backend_up(self) -> None:
        """The backend produced a page again: a later outage is worth a new alert."""
        ...

    def page_failed(self, job: Job, *, reason: FailureReason, user: User | None) -> None:
        """Tell the user the page could not be made and the credit is back; never raises."""
        ...

    def page_without_pdf(self, job: Job, *, user: User | None) -> None:
        """Tell the user their page's PDF could not be sent but its picture prints; never raises."""
        ...
