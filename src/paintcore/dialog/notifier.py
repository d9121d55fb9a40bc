"""DialogNotifier: tells users and admins how a job ended, in the user's language."""

from __future__ import annotations

import logging
import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from ..domain.jobs import FailureReason, Job
from ..domain.pages import ArtKind, ColoringPage
from ..domain.users import User
from ..ports import Clock, Flags, Messenger
from .texts import Texts, pick_language

log = logging.getLogger(__name__)


# Telegram allows 64 characters in a name; other platforms (or a console) may send more.
NAME_LIMIT = 64


def short(title: str, limit: int = 60) -> str:
    """A description shortened for a caption or a message."""
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


# The Flags name of "the image backend refuses everyone, and admins were told".
BACKEND_DOWN = "image-backend-down"


class _Seen:
    """Whether this process met the outage: only such a process lowers the shared flag, so a
    page made while nothing is wrong costs no storage command."""

    def __init__(self) -> None:
        self._seen = False
        self._lock = threading.Lock()

    def mark(self) -> None:
        with self._lock:
            self._seen = True

    def take(self) -> bool:
        with self._lock:
            seen, self._seen = self._seen, False
            return seen


@dataclass(frozen=True, slots=True)
class DialogNotifier:
    messenger: Messenger
    admin_ids: frozenset[int] = frozenset()
    fallback_language: str = "ru"
    # In storage, so that every bot and worker process alerts once per outage, not once each.
    # The outage ends when a process that met it makes a page again (a process that never met
    # it has nothing to lower).
    flags: Flags = field(kw_only=True)
    clock: Clock = field(kw_only=True)
    _seen: _Seen = field(default_factory=_Seen, repr=False, compare=False)

    def backend_down(self, error: str) -> None:
        self._seen.mark()
        if not self.flags.raise_flag(BACKEND_DOWN, at=self.clock.now()):
            return  # admins were told already; not once per user, not once per process
        t = Texts(pick_language(None, self.fallback_language))
        for admin_id in sorted(self.admin_ids):
            try:
                self.messenger.send_text(admin_id, t("backend_down", error=short(error, 300)))
            except Exception:
                log.warning(
                    "outage alert not delivered", exc_info=True, extra={"admin_id": admin_id}
                )

    def backend_up(self) -> None:
        if self._seen.take() and self.flags.lower_flag(BACKEND_DOWN):
            log.info("image backend works again")

    def working(self, job: Job) -> AbstractContextManager[None]:
        return self.messenger.working(job.chat_id)

    def page_ready(
        self, job: Job, page: ColoringPage, *, credits_left: int, user: User | None
    ) -> None:
        t = self._texts_for(user)
        key = "page_ready" if credits_left > 0 else "page_ready_last"
        caption = t(key, title=short(job.description) or t("photo_title"), credits=credits_left)
        note = what_was_drawn(page, t)
        self.messenger.send_page(
            job.chat_id, page, caption=f"{caption}\n{note}" if note else caption
        )

    def page_to_admins(self, job: Job, page: ColoringPage, user: User | None) -> None:
        for admin_id in sorted(self.admin_ids - {job.user_id}):
            t = Texts(pick_language(None, self.fallback_language))
            name = " ".join(p for p in (user.first_name, user.last_name) if p) if user else ""
            # Capped so no name, however long, pushes the description out of the caption.
            caption = t(
                "admin_copy",
                user_id=job.user_id,
                mention=short(user.mention, NAME_LIMIT) if user else "—",
                name=short(name, NAME_LIMIT),
                title=short(job.description, 200),
            )
            try:
                self.messenger.send_page(admin_id, page, caption=caption)
            except Exception:  # a copy for admins must never fail the user's job
                log.warning(
                    "admin copy not delivered",
                    exc_info=True,
                    extra={"job_id": job.id, "admin_id": admin_id},
                )

    def page_failed(self, job: Job, *, reason: FailureReason, user: User | None) -> None:
        t = self._texts_for(user)
        title = short(job.description) or t("photo_title")
        if reason is FailureReason.REJECTED:
            text = t("prompt_rejected")
        elif reason is FailureReason.INTERRUPTED:
            text = t("page_interrupted", title=title)
        else:
            text = t("page_failed", title=title)
        self._tell(job, text, "failure notice")

    def page_without_pdf(self, job: Job, *, user: User | None) -> None:
        t = self._texts_for(user)
        text = t("page_without_pdf", title=short(job.description) or t("photo_title"))
        self._tell(job, text, "missing PDF notice")

    def _tell(self, job: Job, text: str, what: str) -> None:
        """A notice to the user about their job; one that cannot be delivered is only logged."""
        try:
            self.messenger.send_text(job.chat_id, text)
        except Exception:
            log.warning(
                f"{what} not delivered",
                exc_info=True,
                extra={"job_id": job.id, "user_id": job.user_id},
            )

    def _texts_for(self, user: User | None) -> Texts:
        return Texts(pick_language(user.language if user else None, self.fallback_language))


def what_was_drawn(page: ColoringPage, t: Texts) -> str:
    """A caption line saying truthfully what the page shows when it is not simply a drawing of
    the description: the subjects drawn from artwork, or that it is a pattern page."""
    if page.kind is ArtKind.SUBJECTS and page.subjects:
        return t("drew", names=", ".join(s.name(t.language) for s in page.subjects))
    if page.kind is ArtKind.PATTERN:
        return t("offline_note")
    return ""
