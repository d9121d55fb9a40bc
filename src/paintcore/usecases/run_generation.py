"""RunGeneration: draw, finish and deliver one page, then capture its credit; release on any failure."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from ..domain.credits import HoldState
from ..domain.errors import (
    BackendUnavailable,
    GenerationFailed,
    PaintError,
    PromptRejected,
    RecipientBlocked,
)
from ..domain.jobs import Job, JobState
from ..domain.pages import ColoringPage
from ..domain.quality import QualityRules
from ..ports import (
    Attachments,
    Clock,
    ImageGenerator,
    JobNotifier,
    Jobs,
    Ledger,
    PageFinisher,
    PhotoTracer,
    Users,
)
from .blocking import mark_blocked
from .make_page import MakePage

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunGeneration:
    users: Users
    ledger: Ledger
    jobs: Jobs
    generator: ImageGenerator
    finisher: PageFinisher
    notifier: JobNotifier
    clock: Clock
    tracer: PhotoTracer | None = None  # None: pages from photos fail plainly (and are refunded)
    attachments: Attachments | None = None
    quality: QualityRules = field(default_factory=QualityRules)

    def __call__(self, *, job_id: str) -> Job | None:
        """The finished job, or None when it was not queued (already taken, finished or unknown)."""
        job = self.jobs.start(job_id, at=self.clock.now())
        if job is None:
            log.info("job skipped: not queued", extra={"job_id": job_id})
            return None
        started = time.perf_counter()
        hold = self.ledger.hold(job.id)
        if hold is None or hold.state is not HoldState.HELD:
            # Only a crash between storing the job and reserving its credit gets here.
            return self._fail(
                job, "no credit was reserved for this job", started, user_reason="internal"
            )
        try:
            with self.notifier.working(job):
                page = self._make_page(job)
            credits_left = self.ledger.balance(job.user_id).available
            self.notifier.page_ready(job, page, credits_left=credits_left)
        except RecipientBlocked as exc:
            mark_blocked(self.users, job.user_id, job_id=job.id)
            return self._fail(job, str(exc), started, user_reason=None)
        except PromptRejected as exc:
            return self._fail(job, str(exc), started, user_reason="rejected")
        except BackendUnavailable as exc:
            self.notifier.backend_down(str(exc))
            return self._fail(job, str(exc), started, user_reason="failed")
        except PaintError as exc:
            return self._fail(job, str(exc), started, user_reason="failed")
        except Exception as exc:  # an adapter bug must not cost the user a credit
            log.exception("job crashed", extra={"job_id": job.id, "user_id": job.user_id})
            return self._fail(job, f"{type(exc).__name__}: {exc}", started, user_reason="failed")

        self.notifier.backend_up()
        self.ledger.capture(job_id=job.id)
        done = self.jobs.finish(job.id, state=JobState.SUCCEEDED, at=self.clock.now()) or job
        self.notifier.page_to_admins(done, page, self.users.get(job.user_id))
        self._log(done, started)
        return done

    def _make_page(self, job: Job) -> ColoringPage:
        photo = None
        if job.photo_file_id is not None:
            if self.attachments is None:
                raise GenerationFailed("pages from photos are not set up here")
            photo = self.attachments.fetch(job.photo_file_id)
        make = MakePage(self.generator, self.finisher, self.tracer, self.quality)
        return make(description=job.prompt, options=job.options, photo=photo, job_id=job.id)

    def _fail(self, job: Job, error: str, started: float, *, user_reason: str | None) -> Job:
        released = self.ledger.release(job_id=job.id)
        failed = (
            self.jobs.finish(job.id, state=JobState.FAILED, at=self.clock.now(), error=error) or job
        )
        if user_reason is not None:
            self.notifier.page_failed(failed, reason=user_reason)
        self._log(failed, started, released=released)
        return failed

    @staticmethod
    def _log(job: Job, started: float, **extra: object) -> None:
        log.info(
            "job finished",
            extra={
                "job_id": job.id,
                "user_id": job.user_id,
                "state": job.state.value,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "error": job.error,
                **extra,
            },
        )
