"""RunGeneration: draw, finish and deliver one page, then capture its credit; release on any failure."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta

from ..domain.errors import (
    BackendUnavailable,
    GenerationFailed,
    PaintError,
    PartiallyDelivered,
    PromptRejected,
    RecipientBlocked,
)
from ..domain.jobs import FailureReason, Job, JobId, JobState, Lease, TakenJob
from ..domain.metrics import Fact, Timing
from ..domain.pages import ColoringPage
from ..domain.quality import QualityRules
from ..metrics import NO_METRICS, count_failed
from ..ports import (
    Attachments,
    Clock,
    ImageGenerator,
    JobNotifier,
    Metrics,
    PageFinisher,
    PageOrders,
    PhotoTracer,
    Users,
)
from .blocking import mark_blocked
from .lease import LeaseKeeper, Revocations
from .make_page import MakePage

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunGeneration:
    orders: PageOrders
    users: Users  # to mark a user who blocked the bot
    generator: ImageGenerator
    finisher: PageFinisher
    notifier: JobNotifier
    clock: Clock
    tracer: PhotoTracer | None = None  # None: pages from photos fail plainly (and are refunded)
    attachments: Attachments | None = None
    quality: QualityRules = field(default_factory=QualityRules)
    worker: str = "worker"  # this worker's identity in job leases (entrypoints.workers)
    lease_for: timedelta = timedelta(minutes=10)  # renewed every quarter of it while drawing
    revoked: Revocations = field(default_factory=Revocations)  # shared with RecoverJobs
    metrics: Metrics = NO_METRICS

    def __call__(self, *, job_id: JobId) -> Job | None:
        """The finished job; None when it was not queued (already taken, finished or unknown);
        the job as taken when recovery took it away meanwhile (its page is dropped, not sent:
        a page is delivered only while its credit is held by its job)."""
        now = self.clock.now()
        lease = Lease(self.worker, now + self.lease_for)
        taken = self.orders.take(job_id, at=now, lease=lease)
        if taken is None:
            log.info("job skipped: not queued", extra={"job_id": job_id})
            return None
        job, user = taken.job, taken.user
        started = time.perf_counter()
        if not taken.held:
            # Only a crash between storing the job and reserving its credit gets here.
            return self._fail(
                taken,
                "no credit was reserved for this job",
                started,
                user_reason=FailureReason.INTERNAL,
            )
        keeper = LeaseKeeper(
            lambda until: self.orders.renew(job.id, owner=self.worker, until=until),
            clock=self.clock,
            length=self.lease_for,
            until=lease.until,
            job_id=job.id,
            revoked=self.revoked,
        )
        try:
            with keeper:
                with self.notifier.working(job):
                    page = self._make_page(job)
                if not keeper.confirm():
                    return self._dropped(job, started)
                self.notifier.page_ready(job, page, credits_left=taken.credits_left, user=user)
        except RecipientBlocked as exc:
            mark_blocked(self.users, job.user_id, job_id=job.id)
            return self._fail(taken, str(exc), started, user_reason=None)
        except PartiallyDelivered as exc:
            # The user holds the picture, so the page counts as delivered (and charged below).
            log.warning("picture sent, PDF not", extra={"job_id": job.id, "error": str(exc)})
            self.notifier.page_without_pdf(job, user=user)
        except PromptRejected as exc:
            return self._fail(taken, str(exc), started, user_reason=FailureReason.REJECTED)
        except BackendUnavailable as exc:
            self.notifier.backend_down(str(exc))
            return self._fail(taken, str(exc), started, user_reason=FailureReason.FAILED)
        except PaintError as exc:
            return self._fail(taken, str(exc), started, user_reason=FailureReason.FAILED)
        except Exception as exc:  # an adapter bug must not cost the user a credit
            log.exception("job crashed", extra={"job_id": job.id, "user_id": job.user_id})
            error = f"{type(exc).__name__}: {exc}"
            return self._fail(taken, error, started, user_reason=FailureReason.FAILED)

        # Delivered (the picture at least): counted whatever the close below finds.
        self.metrics.count(Fact.PAGES_DELIVERED)
        self.metrics.observe(Timing.GENERATION, time.perf_counter() - started)
        self.notifier.backend_up()
        closed = self.orders.close(job.id, state=JobState.SUCCEEDED, at=self.clock.now())
        done = job if closed is None else closed.job
        self.notifier.page_to_admins(done, page, user)
        self._log(done, started, captured=closed is not None and closed.settled)
        return done

    def _dropped(self, job: Job, started: float) -> Job:
        # Recovery judged this worker gone, failed the job, gave the credit back and told the
        # user; delivering now would hand out a free page the user was told did not come.
        log.warning("page dropped: its job was taken away", extra={"job_id": job.id})
        self._log(job, started, dropped=True)
        return job

    def _make_page(self, job: Job) -> ColoringPage:
        photo = None
        if job.photo_file_id is not None:
            if self.attachments is None:
                raise GenerationFailed("pages from photos are not set up here")
            photo = self.attachments.fetch(job.photo_file_id)
        make = MakePage(self.generator, self.finisher, self.tracer, self.quality)
        return make(description=job.description, options=job.options, photo=photo, job_id=job.id)

    def _fail(
        self, taken: TakenJob, error: str, started: float, *, user_reason: FailureReason | None
    ) -> Job:
        closed = self.orders.close(
            taken.job.id, state=JobState.FAILED, at=self.clock.now(), error=error
        )
        count_failed(self.metrics, closed)
        failed = taken.job if closed is None else closed.job
        if user_reason is not None:
            self.notifier.page_failed(failed, reason=user_reason, user=taken.user)
        self._log(failed, started, released=closed is not None and closed.settled)
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
