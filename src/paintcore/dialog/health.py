"""HealthReplies: /check tells everyone whether the service works, and admins the numbers too."""

from __future__ import annotations

from dataclasses import dataclass

from ..ports import Messenger
from ..usecases import GetBalance, HealthCheck
from .events import IncomingMessage
from .texts import Texts


@dataclass(frozen=True, slots=True)
class HealthReplies:
    health: HealthCheck
    balance: GetBalance
    messenger: Messenger
    admin_ids: frozenset[int] = frozenset()

    def check(self, event: IncomingMessage, t: Texts) -> None:
        report = self.health()
        if not report.ok:
            self.messenger.send_text(event.chat_id, t("check_down"))
        else:
            credits = self.balance(user_id=event.sender.id).available
            self.messenger.send_text(event.chat_id, t("check_ok", credits=credits))
        # Not an admin-only route: everyone gets the line above, admins the details besides.
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
