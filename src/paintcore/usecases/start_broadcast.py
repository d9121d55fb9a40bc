"""StartBroadcast: a confirmed broadcast becomes a stored job with its recipients, then a task."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from ..domain.broadcasts import Audience, Broadcast, BroadcastId, CopiedMessage
from ..domain.errors import BroadcastConfirmed, NoRecipients, PaintError
from ..domain.tasks import broadcast_task
from ..domain.users import UserId
from ..ports import Broadcasts, Clock, TaskQueue

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StartBroadcast:
    broadcasts: Broadcasts
    queue: TaskQueue
    clock: Clock
    paid: bool = False  # PAINTBOT_BROADCAST_PAID: Telegram's paid broadcasts

    def __call__(
        self,
        *,
        broadcast_id: BroadcastId,
        admin_id: UserId,
        message: CopiedMessage,
        audience: Audience,
        created_at: datetime,
        status_message_id: int | None = None,
    ) -> Broadcast:
        """Store the broadcast (its recipients fixed now, in id order) and enqueue its first step.
        BroadcastConfirmed when this id was started before (a confirmation pressed twice),
        BroadcastRunning while another one runs, NoRecipients when nobody matches."""
        if self.broadcasts.get(broadcast_id) is not None:
            raise BroadcastConfirmed(f"broadcast {broadcast_id} was started before")
        if self.broadcasts.audience_size(audience) == 0:
            raise NoRecipients("nobody matches the audience")
        draft = Broadcast(
            id=broadcast_id,
            admin_id=admin_id,
            message=message,
            audience=audience,
            created_at=created_at,
            started_at=self.clock.now(),
            paid=self.paid,
            status_message_id=status_message_id,
        )
        try:
            started = self.broadcasts.start(draft)
        except ValueError as exc:  # the same id, started by a racing confirmation
            raise BroadcastConfirmed(str(exc)) from exc
        log.info(
            "broadcast started",
            extra={"broadcast_id": broadcast_id, "recipients": started.total, "paid": self.paid},
        )
        try:
            self.queue.enqueue(broadcast_task(started.id))
        except PaintError:  # stored as running: the broadcast watch enqueues it again
            log.warning("broadcast not enqueued", exc_info=True)
        return started
