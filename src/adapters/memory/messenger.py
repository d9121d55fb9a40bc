"""In-memory Messenger: records what was sent and can be told to fail like a real one."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from paintcore.domain.errors import PaintError, PartiallyDelivered, RecipientBlocked
from paintcore.domain.messages import InlineKeyboard, Keyboard
from paintcore.domain.pages import ColoringPage


@dataclass(frozen=True, slots=True)
class SentMessage:
    chat_id: int
    kind: str  # "text", "photos", "page", "working" (while a page is drawn) or "callback_answer"
    text: str = ""
    keyboard: Keyboard | InlineKeyboard | None = None
    file_ids: tuple[str, ...] = ()
    page: ColoringPage | None = None


@dataclass
class InMemoryMessenger:
    sent: list[SentMessage] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    # Raised (once each, in order) by the next sends, e.g. RateLimited or DeliveryFailed;
    # PartiallyDelivered records the message as sent, then raises.
    failures: list[PaintError] = field(default_factory=list)
    working_now: set[int] = field(default_factory=set)  # chats currently shown "drawing…"
    callback_answers: list[tuple[str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def send_text(
        self, chat_id: int, text: str, *, keyboard: Keyboard | InlineKeyboard | None = None
    ) -> None:
        self._send(SentMessage(chat_id, "text", text=text, keyboard=keyboard))

    def send_photos(self, chat_id: int, file_ids: Sequence[str]) -> None:
        self._send(SentMessage(chat_id, "photos", file_ids=tuple(file_ids)))

    def send_page(self, chat_id: int, page: ColoringPage, *, caption: str) -> None:
        self._send(SentMessage(chat_id, "page", text=caption, page=page))

    @contextmanager
    def working(self, chat_id: int) -> Iterator[None]:
        with self._lock:
            self.working_now.add(chat_id)
            self.sent.append(SentMessage(chat_id, "working"))
        try:
            yield
        finally:
            with self._lock:
                self.working_now.discard(chat_id)

    def answer_callback(self, callback_id: str, text: str = "") -> None:
        with self._lock:
            self.callback_answers.append((callback_id, text))

    def to(self, chat_id: int) -> list[SentMessage]:
        """Everything sent to one chat, in order."""
        with self._lock:
            return [m for m in self.sent if m.chat_id == chat_id]

    def texts(self, chat_id: int) -> list[str]:
        return [m.text for m in self.to(chat_id) if m.kind == "text"]

    def _send(self, message: SentMessage) -> None:
        with self._lock:
            if message.chat_id in self.blocked:
                raise RecipientBlocked(f"chat {message.chat_id} blocked the bot")
            if self.failures:
                failure = self.failures.pop(0)
                if isinstance(failure, PartiallyDelivered):
                    self.sent.append(message)  # it arrived, only in part (a picture, no PDF)
                raise failure
            self.sent.append(message)
