"""Broadcasting: /broadcast -> the admin's message -> a preview with the recipient count and the
audience -> «Send to all» starts it; /broadcast_status, /broadcast_cancel. Admins only (routes)."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.broadcasts import (
    AUDIENCES,
    BroadcastCounts,
    BroadcastId,
    BroadcastState,
    CopiedMessage,
    audience_for,
)
from ..domain.conversation import Awaiting, BroadcastDraft, ConversationState
from ..domain.errors import BroadcastConfirmed, BroadcastRunning, NoRecipients, PaintError
from ..domain.messages import InlineKeyboard
from ..domain.users import UserId
from ..ports import Broadcasts, Clock, Conversations, Messenger
from ..usecases import CancelBroadcast, StartBroadcast
from .broadcast_reports import BroadcastReports
from .broadcast_texts import (
    AUDIENCE,
    DROP,
    HALT,
    KEEP,
    SEND,
    STOP,
    final_text,
    halt_keyboard,
    panel_keyboard,
    panel_text,
    status_text,
)
from .events import IncomingCallback, IncomingMessage, MessageKind
from .texts import Texts


@dataclass(frozen=True, slots=True)
class Broadcasting:
    messenger: Messenger
    conversations: Conversations
    broadcasts: Broadcasts
    start_broadcast: StartBroadcast
    cancel_broadcast: CancelBroadcast
    reports: BroadcastReports
    clock: Clock
    paid: bool = False  # PAINTBOT_BROADCAST_PAID: the preview shows the cost in Stars

    def compose(self, event: IncomingMessage, t: Texts) -> None:
        """/broadcast: ask for the message; `/broadcast TEXT` takes TEXT as the message."""
        if self._refused_while_running(event.chat_id, t):
            return
        text = (event.text or "").partition(" ")[2].strip()
        if text:  # the reference bot's form: the bot posts the text, and that post is copied
            posted = self.messenger.post_text(event.chat_id, text)
            self._show_panel(event.chat_id, event.sender.id, posted, "all", t)
            return
        self.conversations.expect(
            ConversationState(event.sender.id, Awaiting.BROADCAST_MESSAGE, self.clock.now())
        )
        self.messenger.send_text(event.chat_id, t("broadcast_ask"))

    def receive(self, event: IncomingMessage, t: Texts) -> None:
        """The message to broadcast (any kind): copied back as the preview, under the panel."""
        if not event.copyable or event.kind is MessageKind.UNREADABLE:
            self.messenger.send_text(event.chat_id, t("broadcast_uncopyable"))
            return
        if event.kind is MessageKind.TEXT and not (event.text or "").strip():
            self.messenger.send_text(event.chat_id, t("broadcast_empty"))
            return
        if event.message_id is None:
            self.messenger.send_text(event.chat_id, t("broadcast_copy_failed"))
            return
        if self._refused_while_running(event.chat_id, t):
            return
        try:
            self.messenger.copy_message(event.chat_id, event.chat_id, event.message_id)
        except PaintError:  # Telegram would not copy it (nor, then, to anyone)
            self.messenger.send_text(event.chat_id, t("broadcast_copy_failed"))
            return
        self._show_panel(event.chat_id, event.sender.id, event.message_id, "all", t)

    def status(self, event: IncomingMessage, t: Texts) -> None:
        """/broadcast_status: the running broadcast, else the last one."""
        found = self.broadcasts.current() or self.broadcasts.latest()
        if found is None:
            self.messenger.send_text(event.chat_id, t("broadcast_none"))
            return
        counts = self.broadcasts.counts(found.id)
        self.messenger.send_text(event.chat_id, status_text(t, found, counts, self.clock.now()))

    def cancel(self, event: IncomingMessage, t: Texts) -> None:
        """/broadcast_cancel: asks to confirm stopping the running broadcast."""
        running = self.broadcasts.current()
        if running is None:
            self.messenger.send_text(event.chat_id, t("broadcast_not_running"))
            return
        self._ask_to_halt(event.chat_id, running.id, t)

    def press(self, event: IncomingCallback, t: Texts) -> str | None:
        data = event.data
        if data.startswith(AUDIENCE):
            return self._choose(event, data.removeprefix(AUDIENCE), t)
        if data == SEND:
            return self._confirm(event, t)
        if data == DROP:
            return self._drop(event, t)
        if data.startswith(STOP):
            found = self.broadcasts.get(BroadcastId(data.removeprefix(STOP)))
            if found is None or found.state is not BroadcastState.RUNNING:
                self._say(event, t("broadcast_not_running"))
                return t("broadcast_not_running")
            self._ask_to_halt(event.chat_id, found.id, t)
            return t("broadcast_cancel_asked")
        if data.startswith(HALT):
            return self._halt(event, BroadcastId(data.removeprefix(HALT)), t)
        if data == KEEP:
            self._say(event, t("broadcast_kept"))
            return t("broadcast_kept")
        return t("broadcast_no_draft")  # a button of ours this version no longer knows

    def _show_panel(
        self, chat_id: int, admin: UserId, message_id: int, audience: str, t: Texts
    ) -> None:
        count = self.broadcasts.audience_size(audience_for(audience, self.clock.now()))
        panel = self.messenger.post_text(
            chat_id,
            panel_text(t, audience=audience, count=count, paid=self.paid),
            keyboard=panel_keyboard(t, audience),
        )
        draft = BroadcastDraft(chat_id, message_id, audience, panel)
        self.conversations.expect(
            ConversationState(admin, Awaiting.BROADCAST_CONFIRMATION, self.clock.now(), draft)
        )

    def _draft(self, event: IncomingCallback) -> BroadcastDraft | None:
        """The admin's draft, if this press is on its panel (not an older one's)."""
        state = self.conversations.current(event.sender.id)
        if state is None or state.stale(self.clock.now()):
            return None
        draft = state.payload
        if not isinstance(draft, BroadcastDraft):
            return None
        if event.message_id is not None and event.message_id != draft.panel_message_id:
            return None
        return draft

    def _choose(self, event: IncomingCallback, audience: str, t: Texts) -> str:
        if audience not in AUDIENCES:
            return t("broadcast_no_draft")
        draft = self._draft(event)
        if draft is None:
            return t("broadcast_no_draft")
        count = self.broadcasts.audience_size(audience_for(audience, self.clock.now()))
        chosen = BroadcastDraft(
            draft.from_chat_id, draft.message_id, audience, draft.panel_message_id
        )
        self.conversations.expect(
            ConversationState(
                event.sender.id, Awaiting.BROADCAST_CONFIRMATION, self.clock.now(), chosen
            )
        )
        text = panel_text(t, audience=audience, count=count, paid=self.paid)
        self._edit_or_send(event.chat_id, draft.panel_message_id, text, panel_keyboard(t, audience))
        return t("broadcast_audience_chosen", audience=t(f"broadcast_audience_{audience}"))

    def _confirm(self, event: IncomingCallback, t: Texts) -> str:
        draft = self._draft(event)
        if draft is None:
            latest = self.broadcasts.latest()
            pressed_twice = latest is not None and event.message_id is not None
            if (
                pressed_twice
                and latest is not None
                and latest.status_message_id == event.message_id
            ):
                return t("broadcast_confirmed_already")
            return t("broadcast_no_draft")
        state = self.conversations.current(event.sender.id)
        status_id = draft.panel_message_id or self.messenger.post_text(
            event.chat_id, t("broadcast_starting")
        )
        try:
            started = self.start_broadcast(
                broadcast_id=BroadcastId(
                    f"{event.sender.id}-{draft.message_id}-{draft.panel_message_id}"
                ),
                admin_id=event.sender.id,
                message=CopiedMessage(draft.from_chat_id, draft.message_id),
                audience=audience_for(draft.audience, self.clock.now()),
                created_at=state.updated_at if state is not None else self.clock.now(),
                status_message_id=status_id,
            )
        except BroadcastConfirmed:
            self.conversations.clear(event.sender.id)
            return t("broadcast_confirmed_already")
        except NoRecipients:
            return t("broadcast_no_recipients")
        except BroadcastRunning:
            self._refused_while_running(event.chat_id, t)
            return t("broadcast_no_draft")
        self.conversations.clear(event.sender.id)
        self.reports.progress(started, BroadcastCounts(pending=started.total))
        return t("broadcast_started_notice")

    def _drop(self, event: IncomingCallback, t: Texts) -> str:
        draft = self._draft(event)
        if draft is None:
            return t("broadcast_no_draft")
        self.conversations.clear(event.sender.id)
        self._edit_or_send(event.chat_id, draft.panel_message_id, t("broadcast_dropped"), None)
        return t("broadcast_dropped")

    def _halt(self, event: IncomingCallback, broadcast_id: BroadcastId, t: Texts) -> str:
        outcome = self.cancel_broadcast(broadcast_id=broadcast_id)
        if outcome is None:
            self._say(event, t("broadcast_not_running"))
            return t("broadcast_not_running")
        text = final_text(t, *outcome)
        self._say(event, text)
        return t("broadcast_state_cancelled")

    def _ask_to_halt(self, chat_id: int, broadcast_id: BroadcastId, t: Texts) -> None:
        counts = self.broadcasts.counts(broadcast_id)
        self.messenger.send_text(
            chat_id,
            t("broadcast_cancel_ask", sent=counts.sent, total=counts.total),
            keyboard=halt_keyboard(t, broadcast_id),
        )

    def _refused_while_running(self, chat_id: int, t: Texts) -> bool:
        running = self.broadcasts.current()
        if running is None:
            return False
        status = status_text(t, running, self.broadcasts.counts(running.id), self.clock.now())
        self.messenger.send_text(chat_id, t("broadcast_running_already", status=status))
        return True

    def _say(self, event: IncomingCallback, text: str) -> None:
        """Replace the pressed message's text (its buttons go), or say it anew."""
        self._edit_or_send(event.chat_id, event.message_id, text, None)

    def _edit_or_send(
        self, chat_id: int, message_id: int | None, text: str, keyboard: InlineKeyboard | None
    ) -> None:
        if message_id:
            try:
                self.messenger.edit_text(chat_id, message_id, text, keyboard=keyboard)
                return
            except PaintError:
                pass  # too old or deleted: say it in a new message
        self.messenger.send_text(chat_id, text, keyboard=keyboard)
