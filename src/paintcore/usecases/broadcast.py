"""Broadcast: send one text to every user who may be written to, paced, with a final tally.

The simple broadcast of the reference bot: it runs in the caller's thread. The resumable broadcast
engine (progress, never twice after a restart) replaces it in its own issue.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..domain.errors import PaintError, RecipientBlocked
from ..ports import Messenger, Pacer, Users
from .blocking import mark_blocked

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BroadcastReport:
    recipients: int
    sent: int
    blocked: int
    failed: int


@dataclass(frozen=True, slots=True)
class Broadcast:
    users: Users
    messenger: Messenger
    pacer: Pacer

    def __call__(self, *, text: str) -> BroadcastReport:
        recipients = self.users.recipients()
        sent = blocked = failed = 0
        for user_id in recipients:
            self.pacer.pace()
            try:
                self.messenger.send_text(user_id, text)
                sent += 1
            except RecipientBlocked:
                blocked += 1
                mark_blocked(self.users, user_id)
            except PaintError as exc:  # RateLimited past the adapter's retries, DeliveryFailed
                failed += 1
                log.warning(
                    "broadcast message failed", extra={"user_id": user_id, "error": str(exc)}
                )
        report = BroadcastReport(len(recipients), sent, blocked, failed)
        log.info(
            "broadcast finished",
            extra={
                "recipients": report.recipients,
                "sent": sent,
                "blocked": blocked,
                "failed": failed,
            },
        )
        return report
