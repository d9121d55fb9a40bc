"""Every: runs a task in a background thread at a fixed interval until stopped (e.g. job recovery);
PeriodLock: which process takes a periodic task's turn when several run the same ticker."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

import structlog

from paintcore.domain.errors import StorageUnavailable

log = structlog.get_logger(__name__)


class PeriodLock(Protocol):
    def once(self, name: str, seconds: float) -> bool:
        """Whether this process runs `name` now: True for one process per `seconds` across
        everything sharing the lock; StorageUnavailable when the lock cannot be asked."""
        ...


class EveryProcess:
    """No lock shared with other processes (no REDIS_URL): each process takes every turn. Its
    periodic tasks are guarded writes, so that is correct, only repeated."""

    def once(self, name: str, seconds: float) -> bool:
        return True


def in_turn(
    lock: PeriodLock, name: str, seconds: float, task: Callable[[], object]
) -> Callable[[], None]:
    """`task` run only when this process gets `name`'s turn for the period. When the lock does
    not answer (Redis down) it runs anyway: every periodic task is a guarded, repeatable write,
    so the lock saves work and never protects money; a refund must not wait for Redis."""

    def run() -> None:
        try:
            mine = lock.once(name, seconds)
        except StorageUnavailable as exc:
            log.warning("periodic lock unavailable; running anyway", task=name, error=str(exc))
            mine = True
        if mine:
            task()

    return run


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
