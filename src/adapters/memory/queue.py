"""In-memory JobQueue: collects job ids; the test runs them when it chooses."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from paintcore.domain.errors import StorageUnavailable


@dataclass
class InMemoryJobQueue:
    pending: list[str] = field(default_factory=list)
    handler: Callable[[str], object] | None = None
    unavailable: bool = False  # makes enqueue fail, like a queue server that is down
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def enqueue(self, job_id: str) -> None:
        if self.unavailable:
            raise StorageUnavailable("job queue is down")
        with self._lock:
            self.pending.append(job_id)

    def depth(self) -> int:
        with self._lock:
            return len(self.pending)

    def run_pending(self) -> int:
        """Run every pending job with the handler, in order; returns how many ran."""
        if self.handler is None:
            raise RuntimeError("no handler bound")
        ran = 0
        while True:
            with self._lock:
                if not self.pending:
                    return ran
                job_id = self.pending.pop(0)
            self.handler(job_id)
            ran += 1
