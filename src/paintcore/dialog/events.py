"""What arrives from a messenger, stripped of its platform: who wrote, where, and what."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from ..domain.users import Profile


class MessageKind(enum.StrEnum):
    TEXT = "text"
    PHOTO = "photo"
    DOCUMENT = "document"
    STICKER = "sticker"
    VOICE = "voice"
    OTHER = "other"
    UNREADABLE = "unreadable"  # bytes that could not be decoded as text


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    update_id: int
    chat_id: int
    sender: Profile
    kind: MessageKind
    text: str | None = None
    file_id: str | None = None


@dataclass(frozen=True, slots=True)
class IncomingCallback:
    """A press on an inline button: `data` is whatever the button carried (may be forged)."""

    update_id: int
    chat_id: int
    sender: Profile
    callback_id: str
    data: str
