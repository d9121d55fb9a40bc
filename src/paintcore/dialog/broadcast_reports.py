"""BroadcastReports: the admin's status message, edited while a broadcast runs, and its tally."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..domain.broadcasts import Broadcast, BroadcastCounts, BroadcastState
from ..domain.errors import PaintError
from ..ports import Clock, Messenger, Users
from .broadcast_texts import final_text, status_text, stop_keyboard
from .texts import Texts, pick_language

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BroadcastReports:
    """The BroadcastNotifier port, in the language of the admin who started the broadcast."""

    messenger: Messenger
    users: Users
    clock: Clock
    fallback_language: str = "ru"

    def progress(self, broadcast: Broadcast, counts: BroadcastCounts) -> None:
        if broadcast.status_message_id is None:
            return
        t = self._texts(broadcast)
        running = broadcast.state is BroadcastState.RUNNING
        try:
            self.messenger.edit_text(
                broadcast.admin_id,
                broadcast.status_message_id,
                status_text(t, broadcast, counts, self.clock.now()),
                keyboard=stop_keyboard(t, broadcast.id) if running else None,
            )
        except PaintError as exc:  # deleted by the admin, too old, Telegram busy: the next one
            log.info(
                "broadcast status not updated",
                extra={"broadcast_id": broadcast.id, "error": str(exc)},
            )

    def finished(self, broadcast: Broadcast, counts: BroadcastCounts) -> None:
        try:
            self.messenger.send_text(
                broadcast.admin_id, final_text(self._texts(broadcast), broadcast, counts)
            )
        except PaintError as exc:
            log.warning(
                "broadcast tally not delivered",
                extra={"broadcast_id": broadcast.id, "error": str(exc)},
            )

    def _texts(self, broadcast: Broadcast) -> Texts:
        try:
            admin = self.users.get(broadcast.admin_id)
        except PaintError:
            admin = None
        language = admin.language if admin is not None else None
        return Texts(pick_language(language, self.fallback_language))
