"""In-memory Messenger: records what was sent and can be told to fail like a real one."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime

from paintcore.domain.errors import (
    DeliveryFailed,
    PaintError,
    PartiallyDelivered,
    RecipientBlocked,
)
from paintcore.domain.messages import InlineKeyboard, Keyboard
from paintcore.domain.pages import ColoringPage
from paintcore.ports import Clock


@dataclass(frozen=True, slots=True)
class SentMessage:
    chat_id: int
    # "text" (send_text and post_text), "photos", "page", "copy" (of another message), "edit"
    # (of a text or copy sent before), "working" (while a page is drawn) or "callback_answer"
    kind: str
    text: str = ""
    keyboard: Keyboard | InlineKeyboard | None = None
    file_ids: tuple[str, ...] = ()
    page: ColoringPage | None = None
    copied: tuple[int, int] | None = None  # a copy's (from_chat_id, message_id)
    paid: bool = False  # a copy sent as a paid broadcast message
    at: datetime | None = None  # when it was sent, by `clock` if the messenger has one
    # Its id in the chat (unique across chats in this fake); None for edits and "working".
    message_id: int | None = None
    edited: int | None = None  # an edit's target: the message_id of the text or copy


@dataclass
class InMemoryMessenger:
    sent: list[SentMessage] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    # Raised (once each, in order) by the next sends, e.g. RateLimited or DeliveryFailed;
    # PartiallyDelivered records the message as sent, then raises.
    failures: list[PaintError] = field(default_factory=list)
    working_now: set[int] = field(default_factory=set)  # chats currently shown "drawing…"
    callback_answers: list[tuple[str, str]] = field(default_factory=list)
    # Raised (once each, in order) by the next sends to one chat, before `failures`.
    failures_for: dict[int, list[PaintError]] = field(default_factory=dict)
    clock: Clock | None = None  # stamps each message's `at` (rate limits are checked on it)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _last_id: int = field(default=0, repr=False)
    # What edit_text may edit, texts and copies: message_id -> chat_id (kept when `sent` is
    # cleared).
    _editable: dict[int, int] = field(default_factory=dict, repr=False)

    def send_text(
        self, chat_id: int, text: str, *, keyboard: Keyboard | InlineKeyboard | None = None
    ) -> None:
        self._send(SentMessage(chat_id, "text", text=text, keyboard=keyboard))

    def send_photos(self, chat_id: int, file_ids: Sequence[str]) -> None:
        self._send(SentMessage(chat_id, "photos", file_ids=tuple(file_ids)))

    def send_page(self, chat_id: int, page: ColoringPage, *, caption: str) -> None:
        self._send(SentMessage(chat_id, "page", text=caption, page=page))

    def copy_message(
        self, chat_id: int, from_chat_id: int, message_id: int, *, paid: bool = False
    ) -> int:
        copy = SentMessage(chat_id, "copy", copied=(from_chat_id, message_id), paid=paid)
        return self._send(copy)

    def post_text(self, chat_id: int, text: str, *, keyboard: InlineKeyboard | None = None) -> int:
        return self._send(SentMessage(chat_id, "text", text=text, keyboard=keyboard))

    def edit_text(
        self, chat_id: int, message_id: int, text: str, *, keyboard: InlineKeyboard | None = None
    ) -> None:
        """Recorded as an "edit" (an edit that changes nothing too). As in Telegram, any text or
        copy this messenger sent to the chat can be edited; DeliveryFailed for any other id."""
        edit = SentMessage(chat_id, "edit", text=text, keyboard=keyboard, edited=message_id)
        self._send(edit, editing=True)

    def copies(self, chat_id: int | None = None) -> list[SentMessage]:
        """The copies sent (to one chat, if given), in order."""
        with self._lock:
            return [m for m in self.sent if m.kind == "copy" and chat_id in (None, m.chat_id)]

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

    def edits(self, chat_id: int | None = None) -> list[SentMessage]:
        """The edits made (in one chat, if given), in order; `edited` is the message's id."""
        with self._lock:
            return [m for m in self.sent if m.kind == "edit" and chat_id in (None, m.chat_id)]

    def message(self, message_id: int) -> SentMessage | None:
        """The message with this id as it reads now (its latest edit's text and buttons)."""
        with self._lock:
            found = next((m for m in self.sent if m.message_id == message_id), None)
            last = next((m for m in reversed(self.sent) if m.edited == message_id), None)
        if found is not None and last is not None:
            found = replace(found, text=last.text, keyboard=last.keyboard)
        return found

    def _send(self, message: SentMessage, *, editing: bool = False) -> int:
        """Record a message (giving it a new id unless it is an edit); its id, 0 for an edit."""
        with self._lock:
            if message.chat_id in self.blocked:
                raise RecipientBlocked(f"chat {message.chat_id} blocked the bot")
            if self.failures_for.get(message.chat_id):
                raise self.failures_for[message.chat_id].pop(0)
            if editing and self._editable.get(message.edited or 0) != message.chat_id:
                raise DeliveryFailed(f"editMessageText: message {message.edited} not found")
            if self.clock is not None:
                message = replace(message, at=self.clock.now())
            if not editing:
                self._last_id += 1
                message = replace(message, message_id=self._last_id)
                if message.kind in ("text", "copy"):
                    self._editable[self._last_id] = message.chat_id
            if self.failures:
                failure = self.failures.pop(0)
                if isinstance(failure, PartiallyDelivered):
                    self.sent.append(message)  # it arrived, only in part (a picture, no PDF)
                raise failure
            self.sent.append(message)
            return message.message_id or 0
