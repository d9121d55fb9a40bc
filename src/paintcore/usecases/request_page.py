"""RequestColoringPage: validate a description, reserve one credit, enqueue the job; never waits."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from ..domain.errors import JobInFlight, PaintError, QuotaExceeded, UserBanned, UserNotFound
from ..domain.jobs import Job, JobState
from ..domain.moderation import KidSafetyWordList
from ..domain.pages import PageOptions
from ..domain.prompts import DescriptionRules
from ..domain.users import UserId
from ..ports import Clock, JobQueue, Jobs, Ledger, Moderator, Users

log = logging.getLogger(__name__)


def _new_job_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class RequestColoringPage:
    users: Users
    ledger: Ledger
    jobs: Jobs
    queue: JobQueue
    clock: Clock
    moderator: Moderator = field(default_factory=KidSafetyWordList)
    rules: DescriptionRules = field(default_factory=DescriptionRules)
    new_id: Callable[[], str] = field(default=_new_job_id)

    def __call__(
        self,
        *,
        user_id: UserId,
        chat_id: int,
        description: str | None,
        options: PageOptions,
        photo_file_id: str | None = None,
    ) -> Job:
        """The queued job; InvalidPrompt, UserNotFound, UserBanned, JobInFlight, QuotaExceeded or
        PromptRejected with nothing spent, or StorageUnavailable with the credit back. With a
        photo the description (its caption) may be empty."""
        caption_only = photo_file_id is not None and not (description or "").strip()
        text = "" if caption_only else self.rules.clean(description)
        user = self.users.get(user_id)
        if user is None:
            raise UserNotFound(f"no user {user_id}")
        if user.banned:
            raise UserBanned(f"user {user_id} is banned")
        if self.jobs.in_flight(user_id) is not None:
            raise JobInFlight(f"user {user_id} already has a job in flight")
        # A cheap early answer; the guarded reserve below is what really protects the balance.
        if self.ledger.balance(user_id).available < 1:
            raise QuotaExceeded(f"user {user_id} has no credits")
        if text:
            self.moderator.check(text)  # after the cheap checks: it may be a remote call

        job = Job(
            id=self.new_id(),
            user_id=user_id,
            chat_id=chat_id,
            prompt=text,
            options=options,
            state=JobState.QUEUED,
            created_at=self.clock.now(),
            photo_file_id=photo_file_id,
        )
        self.jobs.add(job)  # JobInFlight here when two requests race: the store decides
        try:
            self.ledger.reserve(user_id=user_id, job_id=job.id)
        except QuotaExceeded:
            self.jobs.finish(job.id, state=JobState.FAILED, at=self.clock.now(), error="no credits")
            raise
        try:
            self.queue.enqueue(job.id)
        except PaintError as exc:
            self.ledger.release(job_id=job.id)
            self.jobs.finish(job.id, state=JobState.FAILED, at=self.clock.now(), error=str(exc))
            raise
        log.info(
            "page requested", extra={"user_id": user_id, "job_id": job.id, "state": job.state.value}
        )
        return job
