"""In-memory UpdateLog and Flags."""

from __future__ import annotations

import threading
from datetime import datetime


class InMemoryUpdateLog:
    def __init__(self) -> None:
        self.recorded: dict[int, datetime] = {}  # handled: when
        self.claimed: dict[int, tuple[datetime, datetime]] = {}  # being handled: since, until
        self._lock = threading.Lock()

    def handled(self, update_id: int) -> bool:
        with self._lock:
            return update_id in self.recorded

    def claim(self, update_id: int, *, at: datetime, until: datetime) -> bool:
        with self._lock:
            if update_id in self.recorded:
                return False
            held = self.claimed.get(update_id)
            if held is not None and held[1] > at:
                return False
            self.claimed[update_id] = (at, until)
            return True

    def record(self, update_id: int, *, at: datetime) -> bool:
        with self._lock:
            if update_id in self.recorded:
                return False
            self.claimed.pop(update_id, None)
            self.recorded[update_id] = at
            return True

    def sweep(self, before: datetime) -> int:
        with self._lock:
            old = [uid for uid, at in self.recorded.items() if at < before]
            for uid in old:
                del self.recorded[uid]
            stale = [uid for uid, (since, _) in self.claimed.items() if since < before]
            for uid in stale:
                del self.claimed[uid]
            return len(old) + len(stale)


class InMemoryFlags:
    def __init__(self) -> None:
        self.raised: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def raise_flag(self, name: str, *, at: datetime) -> bool:
        with self._lock:
            if name in self.raised:
                return False
            self.raised[name] = at
            return True

    def lower_flag(self, name: str) -> bool:
        with self._lock:
            return self.raised.pop(name, None) is not None
