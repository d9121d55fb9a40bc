"""TokenBucket: at most `rate` bulk sends per second, timed by the Clock port (testable)."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from .ports import Clock


class TokenBucket:
    """A token bucket of size one refilled every 1/rate seconds (rounded up to a microsecond, so
    that `rate` slots never fit in less than a second): any one-second window holds at most
    `rate` sends, and a pause does not save up a burst. A Pacer; `sleep` waits real time (or,
    in tests, moves a ManualClock)."""

    def __init__(self, rate: float, *, clock: Clock, sleep: Callable[[float], None]) -> None:
        if rate <= 0:
            raise ValueError("the rate must be positive")
        self.rate = rate
        self._interval = timedelta(microseconds=math.ceil(1_000_000 / rate))
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next: datetime | None = None

    def pace(self) -> None:
        with self._lock:  # take the next slot; wait outside the lock so others queue behind
            now = self._clock.now()
            slot = now if self._next is None or self._next < now else self._next
            self._next = slot + self._interval
        if slot > now:
            self._sleep((slot - now).total_seconds())
