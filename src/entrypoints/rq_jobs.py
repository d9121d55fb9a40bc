"""The function RQ runs for every task (`entrypoints.rq_jobs.run_task`, imported by its path):
the task's handler from this worker process's container, built once and bound before work starts
(`paintbot worker` does it; so do tests and the bench)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import structlog
from rq import get_current_job

from paintcore.domain.errors import StorageUnavailable
from paintcore.domain.tasks import Task, TaskHandler, TaskValue
from paintcore.ports import TaskQueue

log = structlog.get_logger(__name__)

# Where RqTaskQueue tells RQ to find the job function.
RUN_TASK = f"{__name__}.run_task"


@dataclass(frozen=True)
class _Bound:
    handlers: Mapping[str, TaskHandler]
    queue: TaskQueue  # where follow-ups go (the RQ queue itself)


_bound: _Bound | None = None


def bind(handlers: Mapping[str, TaskHandler], queue: TaskQueue) -> None:
    """Give this process's jobs their handlers (the container's `task_handlers`) and the queue
    their follow-ups go to; once per worker process, before it works."""
    global _bound  # noqa: PLW0603 -- one container per worker process, by design
    _bound = _Bound(dict(handlers), queue)


def unbind() -> None:
    global _bound  # noqa: PLW0603
    _bound = None


def run_task(name: str, payload: dict[str, TaskValue], task_id: str = "") -> None:
    """Run one task as the in-process worker pool does: an unknown name is logged and dropped;
    a returned Task is the work's follow-up and is enqueued. StorageUnavailable (the store or the
    queue down for a moment: nothing was settled, or the handler settles it on its next run) is
    raised for RQ to retry with backoff; any other exception is a bug a retry would repeat: it is
    logged and the job fails at once, kept in RQ's failed registry for operators."""
    if _bound is None:
        raise RuntimeError("no handlers bound in this process: call entrypoints.rq_jobs.bind()")
    handler = _bound.handlers.get(name)
    if handler is None:
        log.error("task dropped: no handler for its name", task=name, task_id=task_id)
        return
    try:
        follow_up = handler(payload)
        if isinstance(follow_up, Task):
            _bound.queue.enqueue(follow_up)
    except StorageUnavailable as exc:
        log.warning(
            "task failed for now; RQ retries it", task=name, task_id=task_id, error=str(exc)
        )
        raise
    except Exception:
        log.exception("task handler crashed", task=name, task_id=task_id)
        job = get_current_job()
        if job is not None:
            job.retries_left = 0  # RQ then records it as failed instead of retrying
        raise
