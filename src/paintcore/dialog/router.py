"""Dialog: routes each incoming update, by the route table, to a handler group; never raises."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..domain.errors import RecipientBlocked, StorageUnavailable
from ..domain.users import User, UserId
from ..ports import Clock, Conversations, Messenger, Users
from ..usecases import RegisterUser
from ..usecases.blocking import mark_blocked
from .events import (
    IncomingCallback,
    IncomingMessage,
    MessageKind,
    PreCheckoutQuery,
    SuccessfulPayment,
)
from .menu import button_of, command_of, main_menu
from .routes import ROUTES
from .routing import Route, RouteTable
from .shop import Shop
from .texts import Texts, pick_language

log = logging.getLogger(__name__)
G = TypeVar("G")


@dataclass(frozen=True, slots=True)
class Dialog:
    # One instance of every handler group the table names (see routes.py); checked at start.
    groups: Sequence[object]
    users: Users
    register: RegisterUser
    conversations: Conversations
    messenger: Messenger
    clock: Clock
    admin_ids: frozenset[int] = frozenset()
    fallback_language: str = "ru"
    table: RouteTable = ROUTES
    _by_type: dict[type, object] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        kinds = [type(group) for group in self.groups]
        missing = self.table.groups() - set(kinds)
        twice = {kind for kind in kinds if kinds.count(kind) > 1}
        if missing or twice:
            names = [sorted(kind.__name__ for kind in found) for found in (missing, twice)]
            raise ValueError(f"one of each handler group: missing {names[0]}, twice {names[1]}")
        object.__setattr__(self, "groups", tuple(self.groups))  # a container hands in a list
        object.__setattr__(self, "_by_type", {type(group): group for group in self.groups})

    def group(self, kind: type[G]) -> G:
        """The injected handler group of this class."""
        found = self._by_type[kind]
        assert isinstance(found, kind)
        return found

    def handle(self, event: IncomingMessage) -> None:
        """Answer one message. Never raises: every failure becomes a short, plain reply."""
        t = self._texts(event.sender.language_code)
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
        t = self._texts(event.sender.language_code)
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
            route = self.table.press(event.data, admin=event.sender.id in self.admin_ids)
            notice = route.handler(self.group(route.group), event, t) if route else None
            self.messenger.answer_callback(event.callback_id, notice or t("unknown_button"))
            if notice is None:
                self.messenger.send_text(event.chat_id, t("unknown_button"), keyboard=main_menu(t))

        self._guarded(event.update_id, event.sender.id, event.chat_id, t, press)

    def handle_payment(self, event: PreCheckoutQuery | SuccessfulPayment) -> None:
        """A pre-checkout or a successful payment, to the shop. Never raises: a checkout that
        could not be judged is refused with a short apology (the payer is not left waiting),
        and a payment that could not be credited is apologised for (reconciliation credits it)."""
        t = self._texts(event.sender.language_code)
        log.info(
            "payment",
            extra={
                "update_id": event.update_id,
                "user_id": event.sender.id,
                "kind": type(event).__name__,
            },
        )
        shop = self._by_type.get(Shop)
        if not isinstance(shop, Shop):  # a dialog built without the shop (a custom table)
            log.error("no shop to take a payment", extra={"update_id": event.update_id})
            return
        if isinstance(event, SuccessfulPayment):
            self._guarded(
                event.update_id,
                event.sender.id,
                event.chat_id,
                t,
                lambda: shop.paid(event, t),
                apology="payment_error",
            )
            return
        try:
            shop.pre_checkout(event, t)
        except Exception:
            log.exception(
                "checkout failed", extra={"update_id": event.update_id, "user_id": event.sender.id}
            )
            try:
                shop.refuse_checkout(event, t("checkout_failed"))
            except Exception:
                log.warning("checkout refusal not delivered", exc_info=True)

    def apology(self, language_code: str | None) -> str:
        """The short apology an adapter sends when an update could not be handled at all."""
        return self._texts(language_code)("error")

    def too_fast(self, language_code: str | None) -> str:
        """What an adapter tells a chat whose messages it had to skip (it wrote too fast)."""
        return self._texts(language_code)("too_fast")

    def _route(self, event: IncomingMessage, t: Texts) -> None:
        if event.kind is MessageKind.UNREADABLE:
            self.messenger.send_text(event.chat_id, t("unreadable_input"))
            return
        admin = event.sender.id in self.admin_ids
        text = event.text if event.kind is MessageKind.TEXT else None
        command = command_of(text) if text else None
        route = self.table.command(command, admin=admin) if command is not None else None
        if route is not None and route.registers:
            self._run(route, event, t)
            return
        user = self._user(event, t)
        if user.banned:
            self.messenger.send_text(event.chat_id, t("banned"))
            return
        if command is not None and command == self.table.typed_press:
            self._typed_press(event, t, admin=admin)
            return
        if command is not None:
            # An admin-only command is not in the table for others: unknown, as any typo is.
            if route is None:
                self.messenger.send_text(event.chat_id, t("unknown_command"))
            else:
                self._run(route, event, t)
            return
        state = self.conversations.current(user.id)
        if state is not None and state.stale(self.clock.now()):
            state = None  # the button was pressed a day ago: ask again rather than charge
        awaited = self.table.awaiting(state.awaiting, admin=admin) if state is not None else None
        if awaited is not None and awaited.any_kind and button_of(text or "") is None:
            self._run(awaited, event, t)
            return
        route = self.table.file(event, admin=admin)
        if route is not None:
            self._run(route, event, t)
            return
        if text is None or not text.strip():
            if event.kind is not MessageKind.TEXT:
                self.messenger.send_text(event.chat_id, t("not_text"))
            elif state is not None:
                self.messenger.send_text(event.chat_id, t("prompt_empty"))
            else:
                self.messenger.send_text(event.chat_id, t("press_button"), keyboard=main_menu(t))
            return
        button = button_of(text)
        route = self.table.button(button, admin=admin) if button is not None else None
        if route is None and state is not None:
            route = self.table.awaiting(state.awaiting, admin=admin)
        if route is not None:
            self._run(route, event, t)
        else:
            self.messenger.send_text(event.chat_id, t("press_button"), keyboard=main_menu(t))

    def _typed_press(self, event: IncomingMessage, t: Texts, *, admin: bool) -> None:
        """`/set DATA`: the button carrying DATA, pressed; its notice comes as a message."""
        data = (event.text or "").partition(" ")[2].strip()
        press = self.table.press(data, admin=admin)
        callback = IncomingCallback(event.update_id, event.chat_id, event.sender, "", data)
        notice = press.handler(self.group(press.group), callback, t) if press else None
        self.messenger.send_text(event.chat_id, notice or t("unknown_button"))

    def _run(self, route: Route[Any], event: IncomingMessage, t: Texts) -> None:
        route.handler(self.group(route.group), event, t)

    def _user(self, event: IncomingMessage | IncomingCallback, t: Texts) -> User:
        user = self.users.get(event.sender.id)
        if user is None:  # somebody who never sent /start: register them quietly
            user = self.register(profile=event.sender, language=t.language).user
        elif user.blocked:  # they write to us again, so they unblocked the bot
            self.users.set_blocked(user.id, False)
        return user

    def _texts(self, language_code: str | None) -> Texts:
        return Texts(pick_language(language_code, self.fallback_language))

    def _guarded(
        self,
        update_id: int,
        user_id: UserId,
        chat_id: int,
        t: Texts,
        work: Callable[[], None],
        *,
        apology: str = "error",
    ) -> None:
        try:
            work()
        except RecipientBlocked:
            mark_blocked(self.users, user_id)
        except StorageUnavailable:
            log.warning("storage unavailable", exc_info=True, extra={"update_id": update_id})
            self._say(chat_id, update_id, t("storage_down" if apology == "error" else apology))
        except Exception:
            log.exception("handler failed", extra={"update_id": update_id, "user_id": user_id})
            self._say(chat_id, update_id, t(apology))

    def _say(self, chat_id: int, update_id: int, text: str) -> None:
        try:
            self.messenger.send_text(chat_id, text)
        except Exception:
            log.warning("reply not delivered", exc_info=True, extra={"update_id": update_id})
