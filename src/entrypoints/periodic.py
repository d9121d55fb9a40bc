"""Every: runs a task in a background thread at a fixed interval until stopped (e.g. job recovery)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import structlog

log = structlog.get_logger(__name__)


class Every:
    def __init__(self, seconds: float, task: Callable[[], object], *, name: str) -> None:
        if seconds <= 0:
            raise ValueError("the interval must be positive")
        self._seconds = seconds
        self._task = task
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> Every:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self._seconds):
            try:
                self._task()
            except Exception:  # keep ticking: a storage blip must not end recovery for good
                log.exception("periodic task failed", task=self._thread.name)
