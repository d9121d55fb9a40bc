"""FileIdTool: the bot mode that answers every photo, document or sticker with its file_id."""

from __future__ import annotations

from dataclasses import dataclass

from ..ports import Messenger
from .events import IncomingMessage
from .texts import Texts, pick_language


@dataclass(frozen=True, slots=True)
class FileIdTool:
    messenger: Messenger
    fallback_language: str = "ru"

    def handle(self, event: IncomingMessage) -> None:
        t = Texts(pick_language(event.sender.language_code, self.fallback_language))
        if event.file_id:
            self.messenger.send_text(event.chat_id, t("file_id", file_id=event.file_id))
        else:
            self.messenger.send_text(event.chat_id, t("send_a_file"))
