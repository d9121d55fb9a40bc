"""What the bot expects a user to send next and what that step carries, kept in storage."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta
from typing import Any, get_type_hints

from .users import UserId


class Awaiting(enum.StrEnum):
    DESCRIPTION = "description"
    BROADCAST_MESSAGE = "broadcast_message"  # an admin's message to broadcast, of any kind
    BROADCAST_CONFIRMATION = "broadcast_confirmation"  # the preview's buttons (BroadcastDraft)
    PAYMENT = "payment"


# How long an expectation lasts: text sent a day after the button is not taken as a description
# (and charged) by surprise. MongoDB also deletes older states itself (a TTL index).
EXPECTATION_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class BroadcastDraft:
    """The message an admin wants to broadcast (copied by chat and id), the audience chosen so
    far and the preview panel whose buttons confirm it; kept until they confirm or cancel."""

    from_chat_id: int
    message_id: int
    audience: str  # a key of domain.broadcasts.AUDIENCES
    panel_message_id: int  # 0 where the messenger gives no ids


@dataclass(frozen=True, slots=True)
class ChosenPack:
    """The pack of pages a user picked, kept until they pay for it or choose again."""

    pages: int
    price: int
    currency: str


# What one step of a multi-step flow carries. Fields are str, int or bool only, so that every
# storage keeps them as JSON (SQLite) or a sub-document (MongoDB) without a codec of its own.
Payload = BroadcastDraft | ChosenPack
JsonScalar = str | int | bool
_KINDS: dict[str, type[Payload]] = {"broadcast_draft": BroadcastDraft, "chosen_pack": ChosenPack}
_KIND_OF = {cls: kind for kind, cls in _KINDS.items()}


@dataclass(frozen=True, slots=True)
class ConversationState:
    user_id: UserId
    awaiting: Awaiting
    updated_at: datetime
    payload: Payload | None = None

    def stale(self, now: datetime) -> bool:
        """Whether the expectation is too old to act on (see EXPECTATION_LIFETIME)."""
        return now - self.updated_at >= EXPECTATION_LIFETIME


def payload_to_json(payload: Payload | None) -> dict[str, JsonScalar]:
    """The payload as a JSON-safe dict tagged with its kind; `{}` for none."""
    if payload is None:
        return {}
    return {"kind": _KIND_OF[type(payload)], **asdict(payload)}


def payload_from_json(data: object) -> Payload | None:
    """The payload `payload_to_json` wrote; None for `{}` (states stored before payloads) and for
    data this version cannot read (an unknown kind, a missing or mistyped field): the step is
    asked again rather than acted on with a guess. Fields it does not know are ignored."""
    if not isinstance(data, Mapping):
        return None
    kind = data.get("kind")
    cls = _KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        return None
    hints = get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in fields(cls):
        value = data.get(f.name)
        if not _fits(value, hints[f.name]):
            return None
        values[f.name] = value
    return cls(**values)


def _fits(value: object, kind: type) -> bool:
    # bool is an int to isinstance: a stored True must not become a price of 1.
    return isinstance(value, kind) and (kind is bool or not isinstance(value, bool))
