"""SupportReplies: the Support button and /support show the configured contact."""

from __future__ import annotations

from dataclasses import dataclass

from ..ports import Messenger
from ..usecases import Support
from .events import IncomingMessage
from .texts import Texts


@dataclass(frozen=True, slots=True)
class SupportReplies:
    support: Support
    messenger: Messenger

    def contact(self, event: IncomingMessage, t: Texts) -> None:
        contact = self.support()
        self.messenger.send_text(
            event.chat_id, t("support", contact=contact) if contact else t("support_missing")
        )
