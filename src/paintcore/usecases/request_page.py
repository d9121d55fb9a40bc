"""RequestColoringPage: validate a description, open the job with one credit held, enqueue it; never
waits for the drawing."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from ..domain.errors import PaintError
from ..domain.jobs import Job, JobId, JobState
from ..domain.metrics import Fact
from ..domain.moderation import KidSafetyWordList
from ..domain.pages import PageOptions
from ..domain.prompts import DescriptionRules
from ..domain.tasks import page_task
from ..domain.users import UserId
from ..metrics import NO_METRICS, count_failed
from ..ports import Clock, Metrics, Moderator, PageOrders, TaskQueue

log = logging.getLogger(__name__)


def _new_job_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class RequestColoringPage:
    orders: PageOrders
    queue: TaskQueue
    clock: Clock
    moderator: Moderator = field(default_factory=KidSafetyWordList)
    rules: DescriptionRules = field(default_factory=DescriptionRules)
    new_id: Callable[[], str] = field(default=_new_job_id)
    metrics: Metrics = NO_METRICS

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
        job = Job(
            id=JobId(self.new_id()),
            user_id=user_id,
            chat_id=chat_id,
            description=text,
            options=options,
            state=JobState.QUEUED,
            created_at=self.clock.now(),
            photo_file_id=photo_file_id,
        )
        # Before anything is stored: a rejected description must never sit in storage as a queued
        # job, which a restart would hand to a worker if closing it failed.
        if text:
            self.moderator.check(text)
        # Registered, not banned, nothing in flight, a credit: the store checks all and holds the
        # credit in as few writes as it can.
        self.orders.open(job)
        self.metrics.count(Fact.PAGES_REQUESTED)
        try:
            self.queue.enqueue(page_task(job.id))
        except PaintError as exc:
            closed = self.orders.close(
                job.id, state=JobState.FAILED, at=self.clock.now(), error=str(exc)
            )
            count_failed(self.metrics, closed)
            raise
        log.info(
            "page requested", extra={"user_id": user_id, "job_id": job.id, "state": job.state.value}
        )
        return job
