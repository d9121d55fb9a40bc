"""HandledLog: the UpdateLog as dispatching uses it — optional, stamped by a clock, never raising."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from paintcore.ports import Clock, UpdateLog

log = structlog.get_logger(__name__)


class HandledLog:
    def __init__(self, updates: UpdateLog | None, clock: Clock | None) -> None:
        self._updates = updates  # None: nothing outlives the process
        self._clock = clock

    def handled_before(self, update_id: int) -> bool:
        if self._updates is None:
            return False
        try:
            return self._updates.handled(update_id)
        except Exception as exc:  # handling it again beats losing it
            log.warning("update log unreadable", update_id=update_id, error=type(exc).__name__)
            return False

    def record(self, update_id: int) -> None:
        if self._updates is None:
            return
        now = self._clock.now() if self._clock is not None else datetime.now(UTC)
        try:
            self._updates.record(update_id, at=now)
        except Exception as exc:  # handled all the same; only a redelivery would repeat it
            log.warning("update not recorded", update_id=update_id, error=type(exc).__name__)
