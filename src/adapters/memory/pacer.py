"""A pacer that never waits and counts how often it was asked."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class CountingPacer:
    paced: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def pace(self) -> None:
        with self._lock:
            self.paced += 1
