"""HandledLog: the UpdateLog as dispatching uses it — optional, stamped by a clock, never raising.

An update is claimed just before it is handled and recorded once it was: of two webhook instances
given the same update at the same moment, one claims it and the other finds it `HELD`. That one
looks again every RECHECK_EVERY seconds (`Rechecks`) until it was handled (nothing to do) or the
claim ran out, its holder having died mid-update (then it handles it: nothing is lost)."""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import structlog

from paintcore.ports import Clock, UpdateLog

log = structlog.get_logger(__name__)

# Longer than any handler takes (a few Bot API calls, each with its own timeout and retries): a
# shorter claim could run out under a live handler and let a second instance handle it too. It is
# also how long an update whose handler died waits to be handled again (by a restart's poller, or
# by an instance given the same update).
CLAIM_FOR = timedelta(minutes=2)
RECHECK_EVERY = 5.0  # seconds between looks at an update another instance holds


class Claim(enum.Enum):
    TAKEN = "taken"  # ours to handle
    HANDLED = "handled"  # handled before: nothing to do
    HELD = "held"  # another instance is handling it now


class HandledLog:
    def __init__(
        self, updates: UpdateLog | None, clock: Clock | None, *, claim_for: timedelta = CLAIM_FOR
    ) -> None:
        self._updates = updates  # None: nothing outlives the process
        self._clock = clock
        self._claim_for = claim_for

    def handled_before(self, update_id: int) -> bool:
        if self._updates is None:
            return False
        try:
            return self._updates.handled(update_id)
        except Exception as exc:  # handling it again beats losing it
            log.warning("update log unreadable", update_id=update_id, error=type(exc).__name__)
            return False

    def claim(self, update_id: int) -> Claim:
        if self._updates is None:
            return Claim.TAKEN
        now = self._now()
        try:
            if self._updates.claim(update_id, at=now, until=now + self._claim_for):
                return Claim.TAKEN
            return Claim.HANDLED if self._updates.handled(update_id) else Claim.HELD
        except Exception as exc:  # handling it again beats losing it
            log.warning("update not claimed", update_id=update_id, error=type(exc).__name__)
            return Claim.TAKEN

    def record(self, update_id: int) -> None:
        if self._updates is None:
            return
        try:
            self._updates.record(update_id, at=self._now())
        except Exception as exc:  # handled all the same; only a redelivery would repeat it
            log.warning("update not recorded", update_id=update_id, error=type(exc).__name__)

    def _now(self) -> datetime:
        return self._clock.now() if self._clock is not None else datetime.now(UTC)


class Rechecks:
    """Timers that hand a held update back after a while, each update at most once at a time."""

    def __init__(self, every: float = RECHECK_EVERY) -> None:
        self._every = every
        self._timers: dict[int, threading.Timer] = {}
        self._lock = threading.Lock()

    def schedule(self, update_id: int, again: Callable[[], None]) -> None:
        def fire() -> None:
            with self._lock:
                if self._timers.pop(update_id, None) is None:
                    return  # cancelled
            again()

        timer = threading.Timer(self._every, fire)
        timer.daemon = True
        with self._lock:
            if update_id in self._timers:
                return
            self._timers[update_id] = timer
        timer.start()

    def cancel_all(self) -> list[int]:
        """Stop every timer; the updates they held."""
        with self._lock:
            timers, self._timers = self._timers, {}
        for timer in timers.values():
            timer.cancel()
        return list(timers)
