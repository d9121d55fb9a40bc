"""Messaging ports: talking to chats, fetching what users sent, pacing bulk sends."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from ..domain.broadcasts import Broadcast, BroadcastCounts
from ..domain.messages import InlineKeyboard, Keyboard
from ..domain.pages import ColoringPage


class MessageCopier(Protocol):
    """The part of `Messenger` the broadcast engine needs: copying one message into a chat."""

    def copy_message(
        self, chat_id: int, from_chat_id: int, message_id: int, *, paid: bool = False
    ) -> int:
        """Copy a message (text, media, caption, formatting) into the chat, as a paid broadcast
        message if `paid`; the new message's id. One attempt: a 429 is RateLimited with its
        retry_after for the caller to wait out; RecipientBlocked, DeliveryFailed (among them a
        message that cannot be copied)."""
        ...


class Messenger(MessageCopier, Protocol):
    """Talking to chats: texts with menus or buttons, photos, pages, copies, edits."""

    def send_text(
        self, chat_id: int, text: str, *, keyboard: Keyboard | InlineKeyboard | None = None
    ) -> None:
        """Send a text, with a menu or buttons under it if given; RecipientBlocked, RateLimited or
        DeliveryFailed."""
        ...

    def send_photos(self, chat_id: int, file_ids: Sequence[str]) -> None:
        """Send already-uploaded photos by id (an album when several); same errors as send_text."""
        ...

    def send_page(self, chat_id: int, page: ColoringPage, *, caption: str) -> None:
        """Send a finished page as a picture and a PDF, both or neither: the errors of send_text
        when nothing was delivered, PartiallyDelivered when the picture arrived and could not
        be taken back after the PDF failed."""
        ...

    def working(self, chat_id: int) -> AbstractContextManager[None]:
        """Show "drawing…" in the chat for as long as the block runs; never raises."""
        ...

    def answer_callback(self, callback_id: str, text: str = "") -> None:
        """Acknowledge a button press (with a short notice); never raises."""
        ...

    def post_text(self, chat_id: int, text: str, *, keyboard: InlineKeyboard | None = None) -> int:
        """Send one text (at most the platform's limit) that may later be edited; its message id.
        Same errors as send_text."""
        ...

    def edit_text(
        self, chat_id: int, message_id: int, text: str, *, keyboard: InlineKeyboard | None = None
    ) -> None:
        """Replace the text (and buttons) of a message `post_text` sent; an edit that changes
        nothing is not an error. DeliveryFailed when it cannot be edited (deleted, too old)."""
        ...


class Attachments(Protocol):
    def fetch(self, file_id: str) -> bytes:
        """The bytes of a file a user sent (a photo); DeliveryFailed if it cannot be had."""
        ...


class Pacer(Protocol):
    def pace(self) -> None:
        """Block until the next message of a bulk send may go out (the configured rate)."""
        ...


class BroadcastNotifier(Protocol):
    """Keeps the admin who started a broadcast informed (the dialog renders it in their language)."""

    def progress(self, broadcast: Broadcast, counts: BroadcastCounts) -> None:
        """Show where the broadcast stands (running, done or cancelled, by its state) in the
        admin's status message; never raises."""
        ...

    def finished(self, broadcast: Broadcast, counts: BroadcastCounts) -> None:
        """Tell the admin, in a new message, that the broadcast ended, with its tally; never
        raises."""
        ...
