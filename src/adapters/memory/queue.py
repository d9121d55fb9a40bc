"""In-memory TaskQueue: collects tasks; the test runs them by their handlers when it chooses."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from paintcore.domain.errors import StorageUnavailable
from paintcore.domain.jobs import JobId
from paintcore.domain.tasks import Task, TaskHandler, page_job_ids

log = logging.getLogger(__name__)


@dataclass
class InMemoryJobQueue:
    handlers: dict[str, TaskHandler] = field(default_factory=dict)  # task name -> its handler
    unavailable: bool = False  # makes enqueue fail, like a queue server that is down
    waiting: list[Task] = field(default_factory=list)  # in order; a task id is in it once
    dropped: list[Task] = field(default_factory=list)  # taken off the queue with no handler
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def pending(self) -> list[JobId]:
        """The job ids of the waiting page tasks, in order (a copy)."""
        with self._lock:
            return page_job_ids(self.waiting)

    def enqueue(self, task: Task) -> None:
        if self.unavailable:
            raise StorageUnavailable("job queue is down")
        with self._lock:
            if all(waiting.id != task.id for waiting in self.waiting):
                self.waiting.append(task)

    def depth(self) -> int:
        with self._lock:
            return len(self.waiting)

    def run_pending(self) -> int:
        """Run every waiting task (and any they enqueue or return as their follow-up) with its
        handler, in order; a task with no handler is logged and dropped. Returns how many ran."""
        if not self.handlers:
            raise RuntimeError("no handlers bound")
        ran = 0
        while True:
            with self._lock:
                if not self.waiting:
                    return ran
                task = self.waiting.pop(0)
            handler = self.handlers.get(task.name)
            if handler is None:
                log.error("task dropped: no handler for %r", task.name, extra={"task_id": task.id})
                self.dropped.append(task)
                continue
            follow_up = handler(task.payload)
            if isinstance(follow_up, Task):  # the work's next step
                self.enqueue(follow_up)
            ran += 1
