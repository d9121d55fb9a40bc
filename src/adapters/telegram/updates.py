"""Telegram updates -> platform-neutral dialog events."""

from __future__ import annotations

from telebot import types

from paintcore.dialog import (
    IncomingCallback,
    IncomingMessage,
    MessageKind,
    PreCheckoutQuery,
    SuccessfulPayment,
)
from paintcore.domain.users import Profile, UserId

_KINDS = {
    "text": MessageKind.TEXT,
    "photo": MessageKind.PHOTO,
    "document": MessageKind.DOCUMENT,
    "sticker": MessageKind.STICKER,
    "voice": MessageKind.VOICE,
}
# What copyMessage can copy. Telegram refuses service messages (members joining, pins, chat
# photos, payments...), invoices, paid media and giveaways; a list of what it accepts stays
# right when Telegram adds service messages of new kinds. Telebot gives paid media no content
# type of its own, so it is looked for by field as well.
COPYABLE_CONTENT = frozenset(
    {"text", "photo", "video", "animation", "audio", "document", "voice", "video_note"}
    | {"sticker", "contact", "location", "venue", "dice", "poll", "story"}
)


def copyable(message: types.Message) -> bool:
    """Whether Telegram's copyMessage takes this message (a quiz poll only if its answer is known)."""
    if message.content_type not in COPYABLE_CONTENT or message.paid_media is not None:
        return False
    if message.has_protected_content:
        return False
    poll: types.Poll | None = getattr(message, "poll", None)  # set by telebot, not declared
    return poll is None or poll.type != "quiz" or bool(poll.correct_option_ids)


def profile_of(user: types.User) -> Profile:
    return Profile(
        UserId(user.id),
        first_name=user.first_name or "",
        last_name=user.last_name or "",
        username=user.username or "",
        language_code=user.language_code or "",
    )


def to_message(update_id: int, message: types.Message) -> IncomingMessage | None:
    """The dialog event for a message, or None for messages from no one (channel posts)."""
    if message.from_user is None or message.from_user.is_bot:
        return None
    kind = _KINDS.get(message.content_type, MessageKind.OTHER)
    file_id: str | None = None
    if kind is MessageKind.PHOTO and message.photo:
        file_id = message.photo[-1].file_id  # the largest size
    elif kind is MessageKind.DOCUMENT and message.document:
        file_id = message.document.file_id
    elif kind is MessageKind.STICKER and message.sticker:
        file_id = message.sticker.file_id
    elif kind is MessageKind.VOICE and message.voice:
        file_id = message.voice.file_id
    text = message.text if kind is MessageKind.TEXT else message.caption
    return IncomingMessage(
        update_id,
        message.chat.id,
        profile_of(message.from_user),
        kind,
        text,
        file_id,
        message_id=message.message_id,
        copyable=copyable(message),
    )


def to_callback(update_id: int, query: types.CallbackQuery) -> IncomingCallback:
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    return IncomingCallback(
        update_id,
        chat_id,
        profile_of(query.from_user),
        str(query.id),
        query.data or "",
        message_id=query.message.message_id if query.message is not None else None,
    )


def to_pre_checkout(update_id: int, query: types.PreCheckoutQuery) -> PreCheckoutQuery:
    return PreCheckoutQuery(
        update_id,
        str(query.id),
        profile_of(query.from_user),
        str(query.currency),
        int(query.total_amount),
        query.invoice_payload or "",
    )


def to_payment(update_id: int, message: types.Message) -> SuccessfulPayment | None:
    """The dialog event for a message carrying successful_payment, or None for any other."""
    paid = message.successful_payment
    if paid is None or message.from_user is None:
        return None
    return SuccessfulPayment(
        update_id,
        message.chat.id,
        profile_of(message.from_user),
        str(paid.currency),
        int(paid.total_amount),
        paid.invoice_payload or "",
        str(paid.telegram_payment_charge_id),
        str(paid.provider_payment_charge_id or ""),
    )


def payment_of(update: types.Update) -> PreCheckoutQuery | SuccessfulPayment | None:
    """The payment event an update carries, or None for updates that are not payments."""
    if update.pre_checkout_query is not None:
        return to_pre_checkout(update.update_id, update.pre_checkout_query)
    if update.message is not None:
        return to_payment(update.update_id, update.message)
    return None


def chat_of(update: types.Update) -> int:
    """The chat an update belongs to (where answers go); 0 for kinds we do not handle. A
    pre-checkout query belongs to the payer's private chat, where the invoice was paid."""
    if update.message is not None:
        return int(update.message.chat.id)
    if update.callback_query is not None:
        query = update.callback_query
        return int(query.message.chat.id if query.message is not None else query.from_user.id)
    if update.pre_checkout_query is not None:
        return int(update.pre_checkout_query.from_user.id)
    return 0


def language_of(update: types.Update) -> str:
    """The sender's Telegram language code, "" if unknown."""
    sender = None
    if update.message is not None:
        sender = update.message.from_user
    elif update.callback_query is not None:
        sender = update.callback_query.from_user
    elif update.pre_checkout_query is not None:
        sender = update.pre_checkout_query.from_user
    return (sender.language_code if sender is not None else None) or ""
