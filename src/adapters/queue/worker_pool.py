"""InProcessJobQueue: a fixed pool of worker threads running named tasks by their handlers."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Mapping

import structlog

from paintcore.domain.errors import StorageUnavailable
from paintcore.domain.tasks import Task, TaskHandler

log = structlog.get_logger(__name__)

_STOP = object()


class InProcessJobQueue:
    """The work a task stands for lives in storage (a page's job), so a crash loses nothing:
    the start-up recovery pass re-enqueues queued pages and refunds those left running.

    A task whose id is already waiting is taken once; one that started may be enqueued again
    (its handler decides whether there is anything left to do)."""

    def __init__(self, handlers: Mapping[str, TaskHandler], *, workers: int = 8) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self._handlers = dict(handlers)
        self._workers = workers
        self._queue: queue.Queue[Task | object] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._unfinished = 0
        self._idle = threading.Condition(self._lock)
        self._closed = False
        self._dropping = False  # closing without draining: waiting tasks are skipped, not run
        self._waiting: set[str] = set()  # ids of the tasks not started yet
        self._running: list[Task] = []

    def enqueue(self, task: Task) -> None:
        with self._lock:
            if self._closed:
                raise StorageUnavailable("the worker pool is shutting down")
            if task.id in self._waiting:
                return
            self._waiting.add(task.id)
            self._unfinished += 1
            self._start_locked()
        self._queue.put(task)

    def depth(self) -> int:
        with self._lock:
            return self._unfinished

    def join(self, timeout: float | None = None) -> bool:
        """Wait until every enqueued task has finished; False if `timeout` passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._idle:
            while self._unfinished:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    def in_flight(self) -> list[Task]:
        """The tasks being run right now, oldest start first."""
        with self._lock:
            return list(self._running)

    def close(self, timeout: float | None = None, *, drain: bool = True) -> bool:
        """Take no more tasks and stop the threads once idle; False if `timeout` passed first.

        drain=True runs every waiting task first (end of a console session); drain=False only
        lets running tasks finish and drops waiting ones (their pages stay queued in storage for
        the next start)."""
        with self._lock:
            self._closed = True
            self._dropping = not drain
        finished = self.join(timeout)
        for _ in self._threads:
            self._queue.put(_STOP)  # each thread stops after its current task
        if finished:
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
            task = self._queue.get()
            if not isinstance(task, Task):
                return  # _STOP
            with self._lock:
                self._waiting.discard(task.id)
                skip = self._dropping
                if not skip:
                    self._running.append(task)
            started = time.perf_counter()
            try:
                if not skip:
                    self._run(task)
            finally:
                log.debug(
                    "task done" if not skip else "task dropped at shutdown",
                    task=task.name,
                    task_id=task.id,
                    duration_ms=round((time.perf_counter() - started) * 1000, 1),
                )
                with self._idle:
                    if not skip:
                        self._running.remove(task)
                    self._unfinished -= 1
                    if not self._unfinished:
                        self._idle.notify_all()

    def _run(self, task: Task) -> None:
        handler = self._handlers.get(task.name)
        if handler is None:
            log.error("task dropped: no handler for its name", task=task.name, task_id=task.id)
            return
        try:
            follow_up = handler(task.payload)
        except Exception:  # the handler settles its own work; this keeps the worker alive
            log.exception("task handler crashed", task=task.name, task_id=task.id)
            return
        if isinstance(follow_up, Task):
            try:
                self.enqueue(follow_up)
            except StorageUnavailable:  # shutting down: its work is in storage for the next start
                log.info(
                    "follow-up left for the next start", task=follow_up.name, task_id=follow_up.id
                )
