"""What a broadcast step holds and shares: its lease, this process's cancels, the senders' state
and the threads that send."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime

from ..domain.broadcasts import BroadcastId


def process_of(owner: str) -> str:
    """The process part of a lease owner ("<process>#<token>")."""
    return owner.partition("#")[0]


class BroadcastStops:
    """Broadcasts this process cancelled, for its own steps to see before every send without a
    storage read (a cancel from another process is seen by the periodic check). Bounded."""

    LIMIT = 1_000

    def __init__(self) -> None:
        self._ids: dict[BroadcastId, None] = {}
        self._lock = threading.Lock()

    def add(self, broadcast_id: BroadcastId) -> None:
        with self._lock:
            self._ids[broadcast_id] = None
            while len(self._ids) > self.LIMIT:
                del self._ids[next(iter(self._ids))]

    def __contains__(self, broadcast_id: object) -> bool:
        with self._lock:
            return broadcast_id in self._ids


class StepLease:
    """The lease one step holds: its owner token, when it must be renewed, whether it was lost.
    The step's senders renew it one at a time (`lock`)."""

    def __init__(self, owner: str, renew_at: datetime) -> None:
        self.owner = owner
        self.renew_at = renew_at
        self.lost = False
        self.lock = threading.Lock()


class StepState:
    """What the senders of one step share: the recipients still to take, how many were taken,
    when storage was last asked about a cancel, and whether (and how) the step stopped early."""

    def __init__(self, recipients: list[int], checked: datetime) -> None:
        self._left = iter(recipients)
        self.lock = threading.Lock()
        self.taken = 0
        self.checked = checked
        self.halted = False
        self.more = False  # when halted: whether recipients are left for the next step

    def next(self) -> tuple[int, int] | None:
        """The next recipient and its number in the step (1-based); None when none are left or
        the step stopped."""
        with self.lock:
            if self.halted:
                return None
            user = next(self._left, None)
            if user is None:
                return None
            self.taken += 1
            return user, self.taken

    def halt(self, *, more: bool) -> None:
        """Stop taking recipients; `more`: some are left for the next step (the first reason
        to stop wins)."""
        with self.lock:
            if not self.halted:
                self.halted, self.more = True, more


class Senders:
    """A fixed set of daemon threads that send for every step of this process's broadcasts.

    Kept for the process's life, not started per step: an HTTP client keeps one connection per
    thread (telebot: a requests session each), so threads that live on reuse their connections
    where fresh ones would open new ones for every page. Daemon threads, so a stop never waits
    on a send (the broadcast resumes from storage). Started on first use."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._work: queue.SimpleQueue[tuple[Callable[[], None], Future[None]]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def run(self, work: Callable[[], None], copies: int) -> None:
        """Run `work` in `copies` threads at once (at most `size`), wait for all, and raise the
        first exception any raised (BaseException included: a test's simulated crash)."""
        self._start()
        futures = []
        for _ in range(min(copies, self.size)):
            future: Future[None] = Future()
            self._work.put((work, future))
            futures.append(future)
        failures = [f.exception() for f in futures]
        for failure in failures:
            if failure is not None:
                raise failure

    def _start(self) -> None:
        with self._lock:
            while len(self._threads) < self.size:
                thread = threading.Thread(
                    target=self._serve, name=f"broadcast-sender-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()

    def _serve(self) -> None:
        while True:
            work, future = self._work.get()
            try:
                work()
            except BaseException as exc:  # handed to the step's thread, which re-raises it
                future.set_exception(exc)
            else:
                future.set_result(None)
