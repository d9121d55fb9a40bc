"""Dialog: the bot's conversation, platform-neutral: an incoming message -> use cases -> replies."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..domain.conversation import Awaiting
from ..domain.errors import (
    RecipientBlocked,
    StorageUnavailable,
)
from ..domain.users import User, UserId
from ..ports import Clock, Conversations, Messenger, Preferences, Users
from ..usecases import (
    Broadcast,
    GetBalance,
    HealthCheck,
    RegisterUser,
    RequestColoringPage,
    Support,
)
from ..usecases.blocking import mark_blocked
from .admin import AdminTools
from .events import IncomingCallback, IncomingMessage, MessageKind
from .menu import GET_PAGE, SETTINGS, SUPPORT, button_of, command_of, main_menu
from .page_requests import PageRequests
from .settings import SET_COMMAND
from .texts import Texts, pick_language

log = logging.getLogger(__name__)

_FILE_KINDS = (MessageKind.PHOTO, MessageKind.DOCUMENT, MessageKind.STICKER)


@dataclass(frozen=True, slots=True)
class Dialog:
    register: RegisterUser
    request_page: RequestColoringPage
    balance: GetBalance
    health: HealthCheck
    support: Support
    broadcast: Broadcast
    users: Users
    conversations: Conversations
    preferences: Preferences
    messenger: Messenger
    clock: Clock
    admin_ids: frozenset[int] = frozenset()
    fallback_language: str = "ru"
    welcome_photos: tuple[str, ...] = ()

    def handle(self, event: IncomingMessage) -> None:
        """Answer one message. Never raises: every failure becomes a short, plain reply."""
        t = Texts(pick_language(event.sender.language_code, self.fallback_language))
        log.info(
            "message",
            extra={
                "update_id": event.update_id,
                "user_id": event.sender.id,
                "kind": event.kind.value,
                "length": len(event.text or ""),
            },
        )
        self._guarded(
            event.update_id, event.sender.id, event.chat_id, t, lambda: self._route(event, t)
        )

    def handle_callback(self, event: IncomingCallback) -> None:
        """Answer a button press; data that is not one of our buttons (forged, stale) gets a
        notice and the menu. Never raises."""
        t = Texts(pick_language(event.sender.language_code, self.fallback_language))
        log.info(
            "callback",
            extra={
                "update_id": event.update_id,
                "user_id": event.sender.id,
                "length": len(event.data),
            },
        )

        def press() -> None:
            # As for a message: a stranger is registered first, so no choice is stored for a
            # user who does not exist; a banned user changes nothing.
            if self._user(event, t).banned:
                self.messenger.answer_callback(event.callback_id, t("banned"))
                return
            saved = self._pages.choose(event.sender.id, event.data, t)
            self.messenger.answer_callback(event.callback_id, saved or t("unknown_button"))
            if saved is None:
                self.messenger.send_text(event.chat_id, t("unknown_button"), keyboard=main_menu(t))

        self._guarded(event.update_id, event.sender.id, event.chat_id, t, press)

    def apology(self, language_code: str | None) -> str:
        """The short apology an adapter sends when an update could not be handled at all."""
        return Texts(pick_language(language_code, self.fallback_language))("error")

    def _guarded(
        self, update_id: int, user_id: UserId, chat_id: int, t: Texts, work: Callable[[], None]
    ) -> None:
        try:
            work()
        except RecipientBlocked:
            mark_blocked(self.users, user_id)
        except StorageUnavailable:
            log.warning("storage unavailable", exc_info=True, extra={"update_id": update_id})
            self._say(chat_id, update_id, t("storage_down"))
        except Exception:
            log.exception("handler failed", extra={"update_id": update_id, "user_id": user_id})
            self._say(chat_id, update_id, t("error"))

    def _route(self, event: IncomingMessage, t: Texts) -> None:
        if event.kind is MessageKind.UNREADABLE:
            self.messenger.send_text(event.chat_id, t("unreadable_input"))
            return
        text = event.text if event.kind is MessageKind.TEXT else None
        command = command_of(text) if text else None
        if command == "start":
            self._start(event, t)
            return
        user = self._user(event, t)
        if user.banned:
            self.messenger.send_text(event.chat_id, t("banned"))
            return
        if command is not None:
            self._command(command, event, t)
            return
        is_admin = event.sender.id in self.admin_ids
        if event.kind is MessageKind.PHOTO and event.file_id and not (is_admin and not event.text):
            self._pages.request(event, event.text or "", t, photo_file_id=event.file_id)
            return
        if event.file_id and is_admin and event.kind in _FILE_KINDS:
            # The get-id tool: admins learn the file_id of a photo to use as a welcome photo
            # (a photo with a caption is a page request, as for everyone).
            key = "photo_hint" if event.kind is MessageKind.PHOTO else "file_id"
            self.messenger.send_text(event.chat_id, t(key, file_id=event.file_id))
            return
        awaiting = self.conversations.current(user.id)
        if awaiting is not None and awaiting.stale(self.clock.now()):
            awaiting = None  # the button was pressed a day ago: ask again rather than charge
        if text is None or not text.strip():
            if event.kind is not MessageKind.TEXT:
                self.messenger.send_text(event.chat_id, t("not_text"))
            elif awaiting is not None:
                self.messenger.send_text(event.chat_id, t("prompt_empty"))
            else:
                self.messenger.send_text(event.chat_id, t("press_button"), keyboard=main_menu(t))
            return
        button = button_of(text)
        if button == GET_PAGE:
            self._pages.ask(event, t)
        elif button == SUPPORT:
            self._pages.support_contact(event, t)
        elif button == SETTINGS:
            self._pages.show_settings(event, t)
        elif awaiting is not None and awaiting.awaiting is Awaiting.DESCRIPTION:
            self._pages.request(event, text, t)
        else:
            self.messenger.send_text(event.chat_id, t("press_button"), keyboard=main_menu(t))

    def _user(self, event: IncomingMessage | IncomingCallback, t: Texts) -> User:
        user = self.users.get(event.sender.id)
        if user is None:  # somebody who never sent /start: register them quietly
            user = self.register(profile=event.sender, language=t.language).user
        elif user.blocked:  # they write to us again, so they unblocked the bot
            self.users.set_blocked(user.id, False)
        return user

    def _start(self, event: IncomingMessage, t: Texts) -> None:
        registration = self.register(profile=event.sender, language=t.language)
        if registration.user.banned:
            self.messenger.send_text(event.chat_id, t("banned"))
            return
        self.conversations.clear(event.sender.id)
        if self.welcome_photos:
            self.messenger.send_photos(event.chat_id, self.welcome_photos)
        credits = self.balance(user_id=event.sender.id).available
        key = "welcome_new" if registration.is_new else "welcome_back"
        name = event.sender.first_name or event.sender.username or t("friend")
        self.messenger.send_text(
            event.chat_id, t(key, name=name, credits=credits), keyboard=main_menu(t)
        )

    def _command(self, command: str, event: IncomingMessage, t: Texts) -> None:
        chat, uid = event.chat_id, event.sender.id
        if command == "help":
            self.messenger.send_text(chat, t("help"), keyboard=main_menu(t))
        elif command == "balance":
            b = self.balance(user_id=uid)
            self.messenger.send_text(chat, t("balance", free=b.free, paid=b.paid, held=b.held))
        elif command == "check":
            self._admin.check(event, t)
        elif command == "cancel":
            had = self.conversations.current(uid) is not None
            self.conversations.clear(uid)
            self.messenger.send_text(
                chat, t("cancelled" if had else "nothing_to_cancel"), keyboard=main_menu(t)
            )
        elif command in ("draw", "page"):
            self._pages.ask(event, t)
        elif command == "support":
            self._pages.support_contact(event, t)
        elif command == "settings":
            self._pages.show_settings(event, t)
        elif command == SET_COMMAND:
            parts = (event.text or "").split(maxsplit=1)
            saved = self._pages.choose(uid, parts[1].strip() if len(parts) > 1 else "", t)
            self.messenger.send_text(chat, saved or t("unknown_button"))
        elif command == "broadcast" and event.sender.id in self.admin_ids:
            self._admin.broadcast(event, t)
        else:
            self.messenger.send_text(chat, t("unknown_command"))

    @property
    def _pages(self) -> PageRequests:
        return PageRequests(
            self.request_page,
            self.conversations,
            self.preferences,
            self.messenger,
            self.support,
            self.clock,
        )

    @property
    def _admin(self) -> AdminTools:
        return AdminTools(self.broadcast, self.health, self.balance, self.messenger, self.admin_ids)

    def _say(self, chat_id: int, update_id: int, text: str) -> None:
        try:
            self.messenger.send_text(chat_id, text)
        except Exception:
            log.warning("reply not delivered", exc_info=True, extra={"update_id": update_id})
