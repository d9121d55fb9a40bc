"""AdminTools: the file_id of an admin's file; the route table keeps others out. (Broadcasts are
dialog/broadcasting.py.)"""

from __future__ import annotations

from dataclasses import dataclass

from ..ports import Messenger
from .events import IncomingMessage, MessageKind
from .texts import Texts


@dataclass(frozen=True, slots=True)
class AdminTools:
    messenger: Messenger

    def file_id(self, event: IncomingMessage, t: Texts) -> None:
        """The file_id of what the admin sent, to use as a welcome photo; under a photo, a hint
        that a caption would have made it a page."""
        key = "photo_hint" if event.kind is MessageKind.PHOTO else "file_id"
        self.messenger.send_text(event.chat_id, t(key, file_id=event.file_id))
