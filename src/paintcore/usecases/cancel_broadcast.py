"""CancelBroadcast and ResumeBroadcast: stopping a running broadcast, and picking up one that
nobody is sending (after a restart, a crash or a lost task)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from ..domain.broadcasts import Broadcast, BroadcastCounts, BroadcastId, BroadcastState
from ..domain.tasks import broadcast_task
from ..ports import BroadcastNotifier, Broadcasts, Clock, TaskQueue
from .broadcast_lease import BroadcastStops, process_of

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CancelBroadcast:
    broadcasts: Broadcasts
    clock: Clock
    notifier: BroadcastNotifier | None = None
    stops: BroadcastStops = field(default_factory=BroadcastStops)  # shared with RunBroadcast
    sleep: Callable[[float], None] = lambda _seconds: None
    # How long to wait for a step in flight to stop (its lease released) before the tally is
    # read: this process's steps stop before their next send, another's within `check_after`.
    settle: timedelta = timedelta(seconds=3)

    def __call__(self, *, broadcast_id: BroadcastId) -> tuple[Broadcast, BroadcastCounts] | None:
        """Running -> cancelled, then (up to `settle`) the step in flight stops; the broadcast
        and its tally (what was really sent), or None when it was not running (finished,
        cancelled before, unknown)."""
        if not self.broadcasts.cancel(broadcast_id, at=self.clock.now()):
            return None
        self.stops.add(broadcast_id)
        cancelled = self._settled(broadcast_id)
        if cancelled is None:  # pragma: no cover - a cancelled broadcast is never deleted
            return None
        counts = self.broadcasts.counts(broadcast_id)
        log.info("broadcast cancelled", extra={"broadcast_id": broadcast_id, "sent": counts.sent})
        if self.notifier is not None:
            self.notifier.progress(cancelled, counts)
        return cancelled, counts

    def _settled(self, broadcast_id: BroadcastId) -> Broadcast | None:
        waited, pause = 0.0, 0.05
        while True:
            found = self.broadcasts.get(broadcast_id)
            if (
                found is None
                or not found.leased(self.clock.now())
                or waited >= self.settle.total_seconds()
            ):
                return found
            self.sleep(pause)
            waited += pause


@dataclass(frozen=True, slots=True)
class ResumeBroadcast:
    broadcasts: Broadcasts
    queue: TaskQueue
    clock: Clock
    # Whether the process behind a lease is known to be dead (see RunBroadcast.worker_gone).
    worker_gone: Callable[[str], bool] = lambda _owner: False

    def __call__(self) -> BroadcastId | None:
        """Enqueue a step of the running broadcast if no live worker holds its lease; its id,
        or None when there is nothing to resume. Run at start-up and every few seconds."""
        running = self.broadcasts.current()
        if running is None or running.state is not BroadcastState.RUNNING:
            return None
        holder = running.lease_owner
        if running.leased(self.clock.now()) and not (
            holder is not None and self.worker_gone(process_of(holder))
        ):
            return None  # someone is sending it
        self.queue.enqueue(broadcast_task(running.id))
        log.info("broadcast resumed", extra={"broadcast_id": running.id})
        return running.id
