"""What the WSGI endpoints share (Telegram's webhook, YooKassa's notifications): a body read up
to its declared size and no further, and refusals logged at most once a minute."""

from __future__ import annotations

import threading
import time
from typing import Protocol

import structlog

log = structlog.get_logger(__name__)

QUIET_SECONDS = 60.0  # one log line per kind of refusal per minute at most


class Occasional:
    """Counts an event and logs it at most once per `every` seconds, with how many came since."""

    def __init__(self, message: str, every: float = QUIET_SECONDS) -> None:
        self._message, self._every = message, every
        self._lock = threading.Lock()
        self._unlogged = 0
        self._next = 0.0

    def note(self, **fields: object) -> None:
        now = time.monotonic()
        with self._lock:
            self._unlogged += 1
            if now < self._next:
                return
            count, self._unlogged, self._next = self._unlogged, 0, now + self._every
        log.warning(self._message, count=count, **fields)


class _Input(Protocol):
    def read(self, size: int, /) -> bytes: ...


def read_at_most(stream: _Input, size: int) -> bytes:
    chunks: list[bytes] = []
    while size > 0 and (chunk := stream.read(min(size, 1 << 16))):
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)
