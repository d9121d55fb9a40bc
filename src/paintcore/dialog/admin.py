"""AdminTools: /check with details and /broadcast; the Dialog lets only admins reach the latter."""

from __future__ import annotations

from dataclasses import dataclass

from ..ports import Messenger
from ..usecases import Broadcast, GetBalance, HealthCheck
from .events import IncomingMessage
from .texts import Texts

MAX_MESSAGE_LENGTH = 4096  # Telegram's limit for one text message


@dataclass(frozen=True, slots=True)
class AdminTools:
    broadcast_to_all: Broadcast
    health: HealthCheck
    balance: GetBalance
    messenger: Messenger
    admin_ids: frozenset[int]

    def check(self, event: IncomingMessage, t: Texts) -> None:
        """Everyone learns whether the service works; admins also get the numbers."""
        report = self.health()
        if not report.ok:
            self.messenger.send_text(event.chat_id, t("check_down"))
        else:
            credits = self.balance(user_id=event.sender.id).available
            self.messenger.send_text(event.chat_id, t("check_ok", credits=credits))
        if event.sender.id in self.admin_ids:
            details = t(
                "check_admin",
                storage=report.storage_detail,
                storage_ms=report.storage_ms,
                users=report.users,
                backend=report.image_backend,
                queue=report.queue_depth,
                running=report.jobs_running,
            )
            self.messenger.send_text(event.chat_id, details)

    def broadcast(self, event: IncomingMessage, t: Texts) -> None:
        parts = (event.text or "").strip().split(maxsplit=1)
        text = parts[1].strip() if len(parts) > 1 else ""
        if not text:
            self.messenger.send_text(event.chat_id, t("broadcast_usage"))
            return
        if len(text) > MAX_MESSAGE_LENGTH:
            self.messenger.send_text(event.chat_id, t("broadcast_too_long", max=MAX_MESSAGE_LENGTH))
            return
        self.messenger.send_text(event.chat_id, t("broadcast_started"))
        report = self.broadcast_to_all(text=text)
        done = t(
            "broadcast_done",
            sent=report.sent,
            recipients=report.recipients,
            blocked=report.blocked,
            failed=report.failed,
        )
        self.messenger.send_text(event.chat_id, done)
