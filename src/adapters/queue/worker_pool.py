"""InProcessJobQueue: a fixed pool of worker threads running jobs handed over by id."""

from __future__ import annotations

import queue
import threading
import time
from typing import Protocol

import structlog

from paintcore.domain.errors import StorageUnavailable

log = structlog.get_logger(__name__)

_STOP = object()


class JobHandler(Protocol):
    def __call__(self, *, job_id: str) -> object: ...


class InProcessJobQueue:
    """Jobs live in storage; this pool only carries their ids, so a crash loses no job: the
    start-up recovery pass re-enqueues queued ones and refunds those left running."""

    def __init__(self, handler: JobHandler, *, workers: int = 8) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self._handler = handler
        self._workers = workers
        self._queue: queue.Queue[object] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._unfinished = 0
        self._idle = threading.Condition(self._lock)
        self._closed = False
        self._dropping = False  # closing without draining: waiting jobs are skipped, not run
        self._running: set[str] = set()

    def enqueue(self, job_id: str) -> None:
        with self._lock:
            if self._closed:
                raise StorageUnavailable("the worker pool is shutting down")
            self._unfinished += 1
            self._start_locked()
        self._queue.put(job_id)

    def depth(self) -> int:
        with self._lock:
            return self._unfinished

    def join(self, timeout: float | None = None) -> bool:
        """Wait until every enqueued job has finished; False if `timeout` passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._idle:
            while self._unfinished:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    def running(self) -> list[str]:
        """Ids of the jobs being run right now."""
        with self._lock:
            return sorted(self._running)

    def close(self, timeout: float | None = None, *, drain: bool = True) -> bool:
        """Take no more jobs and stop the threads once idle; False if `timeout` passed first.

        drain=True runs every waiting job first (end of a console session); drain=False only
        lets running jobs finish and leaves waiting ones queued in storage for the next start."""
        with self._lock:
            self._closed = True
            self._dropping = not drain
        finished = self.join(timeout)
        for _ in self._threads:
            self._queue.put(_STOP)
        for thread in self._threads:
            thread.join(timeout=1)
        return finished

    def _start_locked(self) -> None:
        while len(self._threads) < self._workers:
            thread = threading.Thread(
                target=self._work, name=f"paintbot-worker-{len(self._threads)}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            job_id = str(item)
            with self._lock:
                skip = self._dropping
                if not skip:
                    self._running.add(job_id)
            started = time.perf_counter()
            try:
                if not skip:
                    self._handler(job_id=job_id)
            except Exception:  # the handler settles its own job; this keeps the worker alive
                log.exception("job handler crashed", job_id=job_id)
            finally:
                log.debug(
                    "job done" if not skip else "job left queued",
                    job_id=job_id,
                    duration_ms=round((time.perf_counter() - started) * 1000, 1),
                )
                with self._idle:
                    self._running.discard(job_id)
                    self._unfinished -= 1
                    if not self._unfinished:
                        self._idle.notify_all()
