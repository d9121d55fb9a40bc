"""RunBroadcast: one step of a broadcast (the next page of pending recipients), resumable.

Each step reads one page of recipients not yet recorded, copies the message to each at the
pacer's rate and records the outcome right after each send, before the next one. A crash
therefore resumes at the first unrecorded recipient; the one window left is a crash between a
send and its record (that one user gets the message again: Telegram has no idempotent send).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..domain.broadcasts import Broadcast, BroadcastId, BroadcastState, Delivery
from ..domain.errors import PaintError, RateLimited, RecipientBlocked
from ..domain.tasks import Payload, TaskHandler, broadcast_task
from ..domain.users import UserId
from ..ports import Broadcasts, Clock, MessageCopier, Pacer, TaskQueue, Users
from .blocking import mark_blocked

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunBroadcast:
    broadcasts: Broadcasts
    users: Users
    copier: MessageCopier
    pacer: Pacer  # the broadcast rate (TokenBucket)
    clock: Clock
    sleep: Callable[[float], None]  # waits out a 429's retry_after and the backoff
    page_size: int = 100
    attempts: int = 3  # sends of one message per recipient for errors other than 429 and 403
    backoff: float = 1.0  # seconds before the second attempt, doubled for each later one
    rate_limited_tries: int = 10  # 429s in a row for one user before the step gives up
    check_every: int = 25  # sends between two looks at whether the broadcast was cancelled

    def __call__(self, *, broadcast_id: BroadcastId) -> bool:
        """Send the next page; whether more remain (the caller runs another step). A broadcast
        that is not running (finished, cancelled, unknown) sends nothing."""
        broadcast = self.broadcasts.get(broadcast_id)
        if broadcast is None or broadcast.state is not BroadcastState.RUNNING:
            return False
        for sent, user_id in enumerate(self.broadcasts.pending(broadcast_id, limit=self.page_size)):
            if sent and sent % self.check_every == 0 and not self._running(broadcast_id):
                return False
            outcome = self._deliver(broadcast, user_id)
            if outcome is None:  # Telegram keeps saying 429: leave the user for the next step
                return True
            if not self.broadcasts.record(broadcast_id, user_id, outcome, at=self.clock.now()):
                log.warning(
                    "broadcast delivery was recorded by someone else",
                    extra={"broadcast_id": broadcast_id, "user_id": user_id},
                )
            if outcome is Delivery.BLOCKED:
                mark_blocked(self.users, user_id, broadcast_id=broadcast_id)
        if self.broadcasts.pending(broadcast_id, limit=1):
            return True
        if self.broadcasts.finish(broadcast_id, at=self.clock.now()):
            log.info("broadcast finished", extra={"broadcast_id": broadcast_id})
        return False

    def _deliver(self, broadcast: Broadcast, user_id: UserId) -> Delivery | None:
        failures = rate_limited = 0
        while True:
            self.pacer.pace()
            try:
                self.copier.copy_message(
                    user_id,
                    broadcast.message.from_chat_id,
                    broadcast.message.message_id,
                    paid=broadcast.paid,
                )
                return Delivery.SENT
            except RecipientBlocked:
                return Delivery.BLOCKED
            except RateLimited as exc:
                rate_limited += 1
                if rate_limited >= self.rate_limited_tries:
                    return None
                self.sleep(max(exc.retry_after, 0.0))
            except PaintError as exc:  # DeliveryFailed and the like: a few tries, then failed
                failures += 1
                if failures >= self.attempts:
                    log.warning(
                        "broadcast message failed",
                        extra={"broadcast_id": broadcast.id, "user_id": user_id, "error": str(exc)},
                    )
                    return Delivery.FAILED
                self.sleep(self.backoff * 2 ** (failures - 1))

    def _running(self, broadcast_id: BroadcastId) -> bool:
        found = self.broadcasts.get(broadcast_id)
        return found is not None and found.state is BroadcastState.RUNNING


def broadcast_handler(run: RunBroadcast, queue: TaskQueue) -> TaskHandler:
    """The handler of broadcast tasks: one step, then the next step enqueued while more remain."""

    def handle(payload: Payload) -> bool:
        broadcast_id = BroadcastId(str(payload["broadcast_id"]))
        step = payload.get("step")
        more = run(broadcast_id=broadcast_id)
        if more:
            next_step = step + 1 if isinstance(step, int) else 1
            queue.enqueue(broadcast_task(broadcast_id, next_step))
        return more

    return handle
