"""Dialog: the bot's conversation, platform-neutral: an incoming message -> use cases -> replies."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..domain.conversation import Awaiting, ConversationState
from ..domain.errors import (
    InvalidPrompt,
    JobInFlight,
    PromptRejected,
    QuotaExceeded,
    RecipientBlocked,
    StorageUnavailable,
    UserBanned,
)
from ..domain.pages import PageOptions
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
from .events import IncomingCallback, IncomingMessage, MessageKind
from .menu import GET_PAGE, SETTINGS, SUPPORT, button_of, command_of, main_menu
from .notifier import short
from .settings import SET_COMMAND, apply_choice, describe, settings_keyboard
from .texts import Texts, pick_language

log = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 4096  # Telegram's limit for one text message
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
            saved = self._choose(event.sender.id, event.data, t)
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
            self._request_page(event, event.text or "", t, photo_file_id=event.file_id)
            return
        if event.file_id and is_admin and event.kind in _FILE_KINDS:
            # The get-id tool: admins learn the file_id of a photo to use as a welcome photo
            # (a photo with a caption is a page request, as for everyone).
            key = "photo_hint" if event.kind is MessageKind.PHOTO else "file_id"
            self.messenger.send_text(event.chat_id, t(key, file_id=event.file_id))
            return
        awaiting = self.conversations.current(user.id)
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
            self._ask_description(event, t)
        elif button == SUPPORT:
            self._support(event, t)
        elif button == SETTINGS:
            self._settings(event, t)
        elif awaiting is not None and awaiting.awaiting is Awaiting.DESCRIPTION:
            self._request_page(event, text, t)
        else:
            self.messenger.send_text(event.chat_id, t("press_button"), keyboard=main_menu(t))

    def _user(self, event: IncomingMessage, t: Texts) -> User:
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
            self._check(event, t)
        elif command == "cancel":
            had = self.conversations.current(uid) is not None
            self.conversations.clear(uid)
            self.messenger.send_text(
                chat, t("cancelled" if had else "nothing_to_cancel"), keyboard=main_menu(t)
            )
        elif command in ("draw", "page"):
            self._ask_description(event, t)
        elif command == "support":
            self._support(event, t)
        elif command == "settings":
            self._settings(event, t)
        elif command == SET_COMMAND:
            parts = (event.text or "").split(maxsplit=1)
            saved = self._choose(uid, parts[1].strip() if len(parts) > 1 else "", t)
            self.messenger.send_text(chat, saved or t("unknown_button"))
        elif command == "broadcast" and event.sender.id in self.admin_ids:
            self._broadcast(event, t)
        else:
            self.messenger.send_text(chat, t("unknown_command"))

    def _check(self, event: IncomingMessage, t: Texts) -> None:
        report = self.health()
        if not report.ok:
            self.messenger.send_text(event.chat_id, t("check_down"))
        else:
            credits = self.balance(user_id=event.sender.id).available
            self.messenger.send_text(event.chat_id, t("check_ok", credits=credits))
        if event.sender.id in self.admin_ids:
            self.messenger.send_text(
                event.chat_id,
                t(
                    "check_admin",
                    storage=report.storage_detail,
                    storage_ms=report.storage_ms,
                    users=report.users,
                    backend=report.image_backend,
                    queue=report.queue_depth,
                    running=report.jobs_running,
                ),
            )

    def _broadcast(self, event: IncomingMessage, t: Texts) -> None:
        parts = (event.text or "").strip().split(maxsplit=1)
        text = parts[1].strip() if len(parts) > 1 else ""
        if not text:
            self.messenger.send_text(event.chat_id, t("broadcast_usage"))
            return
        if len(text) > MAX_MESSAGE_LENGTH:
            self.messenger.send_text(event.chat_id, t("broadcast_too_long", max=MAX_MESSAGE_LENGTH))
            return
        self.messenger.send_text(event.chat_id, t("broadcast_started"))
        report = self.broadcast(text=text)
        self.messenger.send_text(
            event.chat_id,
            t(
                "broadcast_done",
                sent=report.sent,
                recipients=report.recipients,
                blocked=report.blocked,
                failed=report.failed,
            ),
        )

    def _ask_description(self, event: IncomingMessage, t: Texts) -> None:
        self.conversations.expect(
            ConversationState(event.sender.id, Awaiting.DESCRIPTION, self.clock.now())
        )
        rules = self.request_page.rules
        # The level/style buttons ride along, so the shortest path stays: button, description.
        self.messenger.send_text(
            event.chat_id,
            t("ask_description", min=rules.min_length, max=rules.max_length),
            keyboard=settings_keyboard(t, self._options(event.sender.id)),
        )

    def _settings(self, event: IncomingMessage, t: Texts) -> None:
        options = self._options(event.sender.id)
        self.messenger.send_text(
            event.chat_id, describe(t, options), keyboard=settings_keyboard(t, options)
        )

    def _options(self, user_id: UserId) -> PageOptions:
        return self.preferences.get(user_id) or PageOptions()

    def _choose(self, user_id: UserId, data: str, t: Texts) -> str | None:
        """Apply a settings button's data; the confirmation to show, or None for foreign data."""
        applied = apply_choice(data, self._options(user_id))
        if applied is None:
            return None
        options, key = applied
        self.preferences.set(user_id, options)
        return t("settings_saved", choice=t(key))

    def _support(self, event: IncomingMessage, t: Texts) -> None:
        contact = self.support()
        self.messenger.send_text(
            event.chat_id, t("support", contact=contact) if contact else t("support_missing")
        )

    def _request_page(
        self, event: IncomingMessage, text: str, t: Texts, *, photo_file_id: str | None = None
    ) -> None:
        uid = event.sender.id
        try:
            job = self.request_page(
                user_id=uid,
                chat_id=event.chat_id,
                description=text,
                options=self._options(uid),
                photo_file_id=photo_file_id,
            )
        except InvalidPrompt as exc:
            self.messenger.send_text(
                event.chat_id,
                t(
                    f"prompt_{exc.reason}",
                    min=exc.min_length,
                    max=exc.max_length,
                    length=len(text.strip()),
                ),
            )
            return
        except QuotaExceeded:
            self.conversations.clear(uid)
            contact = self.support()
            reply = t("no_credits_support", contact=contact) if contact else t("no_credits")
            self.messenger.send_text(event.chat_id, reply, keyboard=main_menu(t))
            return
        except JobInFlight:
            self.messenger.send_text(event.chat_id, t("job_in_flight"))
            return
        except UserBanned:
            self.messenger.send_text(event.chat_id, t("banned"))
            return
        except PromptRejected:
            self.messenger.send_text(event.chat_id, t("prompt_rejected"))
            return
        self.conversations.clear(uid)
        title = short(job.prompt) or t("photo_title")
        self.messenger.send_text(event.chat_id, t("drawing", title=title), keyboard=main_menu(t))

    def _say(self, chat_id: int, update_id: int, text: str) -> None:
        try:
            self.messenger.send_text(chat_id, text)
        except Exception:
            log.warning("reply not delivered", exc_info=True, extra={"update_id": update_id})
