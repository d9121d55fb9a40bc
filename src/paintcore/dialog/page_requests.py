"""PageRequests: ask for a description, then turn a description or a photo into a page request."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.conversation import Awaiting, ConversationState
from ..domain.errors import InvalidPrompt, JobInFlight, PromptRejected, QuotaExceeded, UserBanned
from ..domain.payments import Pack
from ..ports import Clock, Conversations, Messenger, Preferences
from ..usecases import RequestColoringPage, Support
from .events import IncomingMessage
from .menu import main_menu
from .notifier import short
from .settings import current_options, settings_keyboard
from .shop_texts import packs_keyboard
from .texts import Texts


@dataclass(frozen=True, slots=True)
class PageRequests:
    request_page: RequestColoringPage
    conversations: Conversations
    preferences: Preferences
    messenger: Messenger
    support: Support
    clock: Clock
    packs: tuple[Pack, ...] = ()  # offered when the credits run out

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
            keyboard=settings_keyboard(t, current_options(self.preferences, event.sender.id)),
        )

    def describe(self, event: IncomingMessage, t: Texts) -> None:
        """The text the conversation expected: the description of a page."""
        self._request(event, event.text or "", t)

    def from_photo(self, event: IncomingMessage, t: Texts) -> None:
        """A photo becomes a page; its caption, if any, is the title (and is moderated)."""
        self._request(event, event.text or "", t, photo_file_id=event.file_id)

    def _request(
        self, event: IncomingMessage, text: str, t: Texts, *, photo_file_id: str | None = None
    ) -> None:
        # Every refusal is a plain answer that costs nothing.
        uid, chat = event.sender.id, event.chat_id
        try:
            job = self.request_page(
                user_id=uid,
                chat_id=chat,
                description=text,
                options=current_options(self.preferences, uid),
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
            menu = packs_keyboard(t, self.packs) if self.packs else main_menu(t)
            self.messenger.send_text(chat, reply, keyboard=menu)
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
        title = short(job.description) or t("photo_title")
        self.messenger.send_text(chat, t("drawing", title=title), keyboard=main_menu(t))
