"""TelegramMessenger: the Messenger port over the Bot API (menus, albums, pages, chat actions,
copies for broadcasts, texts that are edited later)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import partial

import structlog
import telebot
from telebot import apihelper, types

from paintcore.domain.errors import (
    DeliveryFailed,
    PaintError,
    PartiallyDelivered,
    RateLimited,
    RecipientBlocked,
)
from paintcore.domain.messages import InlineButton, InlineKeyboard, Keyboard
from paintcore.domain.pages import ColoringPage

from .api import RetryPolicy, TelegramCaller

log = structlog.get_logger(__name__)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ALBUM_LIMIT = 10
_Media = (
    types.InputMediaAudio
    | types.InputMediaDocument
    | types.InputMediaPhoto
    | types.InputMediaVideo
    | types.InputMediaLivePhoto
)
ACTION_EVERY = 4.0  # seconds; Telegram shows a chat action for about 5
# A broadcast copy is tried once: the broadcast engine waits out a 429 and decides what to retry.
ONCE = RetryPolicy(attempts=1)
# Editing a status message: worth a second try, not worth a long wait (the next edit will come).
QUICK = RetryPolicy(attempts=2, base_delay=0.25, max_delay=0.5, max_retry_after=5.0)
NOT_MODIFIED = "message is not modified"


def pdf_name(title: str) -> str:
    """A file name for the PDF that Telegram shows: the description, minus path-like characters."""
    # ";" and quotes too: telebot writes the name unquoted into the multipart header.
    cleaned = re.sub(r'[\x00-\x1f\\/:*?"\'<>|;]+', " ", title)
    cleaned = " ".join(cleaned.split())[:60].rstrip(" .")
    return f"{cleaned or 'coloring-page'}.pdf"


def inline_keyboard(keyboard: InlineKeyboard) -> types.InlineKeyboardMarkup:
    markup = types.InlineKeyboardMarkup()
    for row in keyboard.rows:
        markup.row(*(_inline_button(b) for b in row))
    return markup


def markup_of(
    keyboard: Keyboard | InlineKeyboard,
) -> types.ReplyKeyboardMarkup | types.InlineKeyboardMarkup:
    return reply_keyboard(keyboard) if isinstance(keyboard, Keyboard) else inline_keyboard(keyboard)


def reply_keyboard(keyboard: Keyboard) -> types.ReplyKeyboardMarkup:
    markup = types.ReplyKeyboardMarkup(resize_keyboard=True, is_persistent=True)
    for row in keyboard.rows:
        markup.row(*(types.KeyboardButton(label) for label in row))
    return markup


class TelegramMessenger:
    def __init__(
        self, bot: telebot.TeleBot, caller: TelegramCaller, *, action_every: float = ACTION_EVERY
    ) -> None:
        self._bot = bot
        self._call = caller
        self._once = caller.with_policy(ONCE)
        self._quick = caller.with_policy(QUICK)
        self._action_every = action_every

    def send_text(
        self, chat_id: int, text: str, *, keyboard: Keyboard | InlineKeyboard | None = None
    ) -> None:
        chunks = [text[i : i + TEXT_LIMIT] for i in range(0, len(text), TEXT_LIMIT)] or [""]
        for n, chunk in enumerate(chunks):
            last = n == len(chunks) - 1
            markup = markup_of(keyboard) if keyboard is not None and last else None
            self._call(
                "sendMessage", partial(self._bot.send_message, chat_id, chunk, reply_markup=markup)
            )

    def send_photos(self, chat_id: int, file_ids: Sequence[str]) -> None:
        for start in range(0, len(file_ids), ALBUM_LIMIT):
            batch = list(file_ids[start : start + ALBUM_LIMIT])
            if len(batch) == 1:  # Telegram wants 2-10 items in a media group
                self._call("sendPhoto", partial(self._bot.send_photo, chat_id, batch[0]))
            else:
                album: list[_Media] = [types.InputMediaPhoto(fid) for fid in batch]
                self._call("sendMediaGroup", partial(self._bot.send_media_group, chat_id, album))

    def send_page(self, chat_id: int, page: ColoringPage, *, caption: str) -> None:
        photo = self._call(
            "sendPhoto",
            lambda: self._bot.send_photo(chat_id, page.png, caption=caption[:CAPTION_LIMIT]),
        )
        try:
            self._call(
                "sendDocument",
                lambda: self._bot.send_document(
                    chat_id, page.pdf, visible_file_name=pdf_name(page.title)
                ),
            )
        except RecipientBlocked:
            raise  # they are told nothing more, so no word of ours is contradicted by the picture
        except PaintError as exc:
            # Both or neither: a failed page is refunded and said to cost nothing, which is
            # only true if the user does not keep its picture.
            self._take_back(chat_id, photo.message_id, exc)
            raise

    def _take_back(self, chat_id: int, message_id: int, cause: PaintError) -> None:
        try:
            self._call("deleteMessage", lambda: self._bot.delete_message(chat_id, message_id))
        except PaintError as exc:
            log.warning("picture without its PDF stays", chat_id=chat_id, error=str(exc))
            raise PartiallyDelivered(f"{cause}; the picture stays: {exc}") from cause

    @contextmanager
    def working(self, chat_id: int) -> Iterator[None]:
        done = threading.Event()

        def keep_alive() -> None:
            while True:
                try:
                    self._bot.send_chat_action(chat_id, "upload_photo")
                except Exception as exc:  # cosmetic: never worth failing or retrying a page for
                    log.debug("chat action failed", chat_id=chat_id, error=type(exc).__name__)
                if done.wait(self._action_every):
                    return

        thread = threading.Thread(target=keep_alive, name=f"chat-action-{chat_id}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join(timeout=self._action_every + 1)

    def answer_callback(self, callback_id: str, text: str = "") -> None:
        try:
            self._call(
                "answerCallbackQuery",
                lambda: self._bot.answer_callback_query(callback_id, text or None),
            )
        except PaintError as exc:  # a stale query (older than ~15 min) cannot be answered any more
            log.info("callback not answered", callback_id=callback_id, error=str(exc))

    def copy_message(
        self, chat_id: int, from_chat_id: int, message_id: int, *, paid: bool = False
    ) -> int:
        copied = self._once(
            "copyMessage",
            partial(
                self._bot.copy_message,
                chat_id,
                from_chat_id,
                message_id,
                allow_paid_broadcast=True if paid else None,
            ),
        )
        return int(copied.message_id)

    def post_text(self, chat_id: int, text: str, *, keyboard: InlineKeyboard | None = None) -> int:
        markup = inline_keyboard(keyboard) if keyboard is not None else None
        send = partial(self._bot.send_message, chat_id, text[:TEXT_LIMIT], reply_markup=markup)
        return int(self._call("sendMessage", send).message_id)

    def edit_text(
        self, chat_id: int, message_id: int, text: str, *, keyboard: InlineKeyboard | None = None
    ) -> None:
        markup = inline_keyboard(keyboard) if keyboard is not None else None  # None: no buttons

        def edit_once() -> None:
            try:
                self._bot.edit_message_text(
                    text[:TEXT_LIMIT], chat_id, message_id, reply_markup=markup
                )
            except apihelper.ApiTelegramException as exc:
                if exc.error_code != 400 or NOT_MODIFIED not in str(exc.description):
                    raise
                # The same text and buttons again (or a retry whose first try went through).

        try:
            self._quick("editMessageText", edit_once)
        except RateLimited as exc:  # longer than a status line is worth waiting for
            raise DeliveryFailed(f"editMessageText: {exc}") from exc


def _inline_button(button: InlineButton) -> types.InlineKeyboardButton:
    if button.url:
        return types.InlineKeyboardButton(button.label, url=button.url)
    return types.InlineKeyboardButton(button.label, callback_data=button.data)
