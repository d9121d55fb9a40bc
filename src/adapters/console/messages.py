"""Message ids for the console session: the lines typed and the texts the bot posts share one
counter, as in a Telegram chat, so a broadcast can copy a typed line and a status can be edited."""

from __future__ import annotations

import threading
from collections import OrderedDict

REMEMBERED = 1000  # texts kept for copies to show; older ids still count, their copies say less


class MessageIds:
    def __init__(self, remembered: int = REMEMBERED) -> None:
        self._lock = threading.Lock()
        self._last = 0
        self._texts: OrderedDict[tuple[int, int], str | None] = OrderedDict()
        self._remembered = remembered

    def next(self, chat_id: int, text: str | None = None) -> int:
        """A new message id, unique in the session; its text is kept for copies of it."""
        with self._lock:
            self._last += 1
            self._texts[(chat_id, self._last)] = text
            while len(self._texts) > self._remembered:
                self._texts.popitem(last=False)
            return self._last

    def text(self, chat_id: int, message_id: int) -> str | None:
        """The text of a recent message, None if unknown (or it had none)."""
        with self._lock:
            return self._texts.get((chat_id, message_id))


# One console session is one process: the chat and the messenger meet here unless given their own.
SESSION = MessageIds()
