"""Account: the replies about a user's own account: /start, /help, /balance, /cancel."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.payments import Pack
from ..ports import Conversations, Messenger, Users
from ..usecases import GetBalance, RegisterUser
from .events import IncomingMessage
from .menu import main_menu
from .shop_texts import packs_keyboard
from .texts import Texts


@dataclass(frozen=True, slots=True)
class Account:
    register: RegisterUser
    balance: GetBalance
    conversations: Conversations
    messenger: Messenger
    users: Users
    welcome_photos: tuple[str, ...] = ()
    packs: tuple[Pack, ...] = ()  # offered under the balance

    def welcome(self, event: IncomingMessage, t: Texts) -> None:
        """Register the sender (once, however often they /start) and greet them with the menu."""
        registration = self.register(profile=event.sender, language=t.language)
        if registration.user.banned:
            self.messenger.send_text(event.chat_id, t("banned"))
            return
        if registration.user.blocked:  # Telegram sends /start when a user unblocks the bot
            self.users.set_blocked(event.sender.id, False)
        self.conversations.clear(event.sender.id)
        if self.welcome_photos:
            self.messenger.send_photos(event.chat_id, self.welcome_photos)
        credits = self.balance(user_id=event.sender.id).available
        key = "welcome_new" if registration.is_new else "welcome_back"
        name = event.sender.first_name or event.sender.username or t("friend")
        self.messenger.send_text(
            event.chat_id, t(key, name=name, credits=credits), keyboard=main_menu(t)
        )

    def help(self, event: IncomingMessage, t: Texts) -> None:
        self.messenger.send_text(event.chat_id, t("help"), keyboard=main_menu(t))

    def show_balance(self, event: IncomingMessage, t: Texts) -> None:
        b = self.balance(user_id=event.sender.id)
        self.messenger.send_text(
            event.chat_id,
            t("balance", free=b.free, paid=b.paid, held=b.held),
            keyboard=packs_keyboard(t, self.packs) if self.packs else None,
        )

    def cancel(self, event: IncomingMessage, t: Texts) -> None:
        """Forget whatever the conversation expected, and say whether there was anything."""
        had = self.conversations.current(event.sender.id) is not None
        self.conversations.clear(event.sender.id)
        self.messenger.send_text(
            event.chat_id, t("cancelled" if had else "nothing_to_cancel"), keyboard=main_menu(t)
        )
