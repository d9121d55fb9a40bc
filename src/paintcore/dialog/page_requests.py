"""PageRequests: the page part of the dialog: ask for a description, settings, request a page."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.conversation import Awaiting, ConversationState
from ..domain.errors import InvalidPrompt, JobInFlight, PromptRejected, QuotaExceeded, UserBanned
from ..domain.pages import PageOptions
from ..domain.users import UserId
from ..ports import Clock, Conversations, Messenger, Preferences
from ..usecases import RequestColoringPage, Support
from .events import IncomingMessage
from .menu import main_menu
from .notifier import short
from .settings import apply_choice, describe, settings_keyboard
from .texts import Texts


@dataclass(frozen=True, slots=True)
class PageRequests:
    request_page: RequestColoringPage
    conversations: Conversations
    preferences: Preferences
    messenger: Messenger
    support: Support
    clock: Clock

    def ask(self, event: IncomingMessage, t: Texts) -> None:
        """Expect a description next; the level/style buttons ride along, so the shortest path
        stays: button, description."""
        self.conversations.expect(
            ConversationState(event.sender.id, Awaiting.DESCRIPTION, self.clock.now())
        )
        rules = self.request_page.rules
        self.messenger.send_text(
            event.chat_id,
            t("ask_description", min=rules.min_length, max=rules.max_length),
            keyboard=settings_keyboard(t, self.options(event.sender.id)),
        )

    def show_settings(self, event: IncomingMessage, t: Texts) -> None:
        options = self.options(event.sender.id)
        self.messenger.send_text(
            event.chat_id, describe(t, options), keyboard=settings_keyboard(t, options)
        )

    def options(self, user_id: UserId) -> PageOptions:
        return self.preferences.get(user_id) or PageOptions()

    def choose(self, user_id: UserId, data: str, t: Texts) -> str | None:
        """Apply a settings button's data; the confirmation to show, or None for foreign data."""
        applied = apply_choice(data, self.options(user_id))
        if applied is None:
            return None
        options, key = applied
        self.preferences.set(user_id, options)
        return t("settings_saved", choice=t(key))

    def support_contact(self, event: IncomingMessage, t: Texts) -> None:
        contact = self.support()
        self.messenger.send_text(
            event.chat_id, t("support", contact=contact) if contact else t("support_missing")
        )

    def request(
        self, event: IncomingMessage, text: str, t: Texts, *, photo_file_id: str | None = None
    ) -> None:
        """Start a page; every refusal is a plain answer that costs nothing."""
        uid, chat = event.sender.id, event.chat_id
        try:
            job = self.request_page(
                user_id=uid,
                chat_id=chat,
                description=text,
                options=self.options(uid),
                photo_file_id=photo_file_id,
            )
        except InvalidPrompt as exc:
            reply = t(
                f"prompt_{exc.reason}",
                min=exc.min_length,
                max=exc.max_length,
                length=len(text.strip()),
            )
            self.messenger.send_text(chat, reply)
            return
        except QuotaExceeded:
            self.conversations.clear(uid)
            contact = self.support()
            reply = t("no_credits_support", contact=contact) if contact else t("no_credits")
            self.messenger.send_text(chat, reply, keyboard=main_menu(t))
            return
        except JobInFlight:
            self.messenger.send_text(chat, t("job_in_flight"))
            return
        except UserBanned:
            self.messenger.send_text(chat, t("banned"))
            return
        except PromptRejected:
            self.messenger.send_text(chat, t("prompt_rejected"))
            return
        self.conversations.clear(uid)
        title = short(job.prompt) or t("photo_title")
        self.messenger.send_text(chat, t("drawing", title=title), keyboard=main_menu(t))
