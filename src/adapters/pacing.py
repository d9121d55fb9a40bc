"""IntervalPacer: spaces bulk sends evenly at a configured rate, across all threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class IntervalPacer:
    def __init__(
        self,
        rate: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("the rate must be positive")
        self._interval = 1.0 / rate
        self._monotonic = monotonic
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next = 0.0

    def pace(self) -> None:
        with self._lock:  # reserve a slot; sleep outside the lock so others can queue behind us
            now = self._monotonic()
            slot = max(now, self._next)
            self._next = slot + self._interval
        if slot > now:
            self._sleep(slot - now)
