"""What arrives from a messenger, stripped of its platform: messages, button presses, payments."""

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
    # The message's id in its chat (a broadcast copies it by chat and id); None where unknown.
    message_id: int | None = None
    # Whether the platform can copy it into other chats (Telegram cannot copy service, invoice,
    # paid-media or giveaway messages).
    copyable: bool = True


@dataclass(frozen=True, slots=True)
class IncomingCallback:
    """A press on an inline button: `data` is whatever the button carried (may be forged)."""

    update_id: int
    chat_id: int
    sender: Profile
    callback_id: str
    data: str
    message_id: int | None = None  # the message the pressed button is under, where known


@dataclass(frozen=True, slots=True)
class PreCheckoutQuery:
    """The messenger asks, before charging, whether an invoice may still be paid as issued;
    `invoice_payload` is what the invoice carried (may be forged)."""

    update_id: int
    query_id: str
    sender: Profile
    currency: str
    total_amount: int  # in the currency's smallest unit (Stars are whole)
    invoice_payload: str


@dataclass(frozen=True, slots=True)
class SuccessfulPayment:
    """A payment went through; `telegram_payment_charge_id` identifies it once and for all."""

    update_id: int
    chat_id: int
    sender: Profile
    currency: str
    total_amount: int
    invoice_payload: str
    telegram_payment_charge_id: str
    provider_payment_charge_id: str
