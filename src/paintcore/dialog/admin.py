"""AdminTools: /broadcast and the file_id of an admin's file; the route table keeps others out."""

from __future__ import annotations

from dataclasses import dataclass

from ..ports import Messenger
from ..usecases import Broadcast
from .events import IncomingMessage, MessageKind
from .texts import Texts


@dataclass(frozen=True, slots=True)
class AdminTools:
    broadcast_to_all: Broadcast
    messenger: Messenger
    # The longest text the messenger sends as one message (the container gives the platform's).
    max_text_length: int

    def broadcast(self, event: IncomingMessage, t: Texts) -> None:
        parts = (event.text or "").strip().split(maxsplit=1)
        text = parts[1].strip() if len(parts) > 1 else ""
        if not text:
            self.messenger.send_text(event.chat_id, t("broadcast_usage"))
            return
        if len(text) > self.max_text_length:
            self.messenger.send_text(
                event.chat_id, t("broadcast_too_long", max=self.max_text_length)
            )
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

    def file_id(self, event: IncomingMessage, t: Texts) -> None:
        """The file_id of what the admin sent, to use as a welcome photo; under a photo, a hint
        that a caption would have made it a page."""
        key = "photo_hint" if event.kind is MessageKind.PHOTO else "file_id"
        self.messenger.send_text(event.chat_id, t(key, file_id=event.file_id))
