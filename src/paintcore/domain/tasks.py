"""Background tasks: a name (which handler runs it), a JSON-safe payload and an id; page and
broadcast tasks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from .broadcasts import BroadcastId
from .jobs import JobId

# Flat and JSON-safe, so that any queue can carry a payload (RQ pickles nothing of ours).
TaskValue = str | int | float | bool | None
Payload = Mapping[str, TaskValue]
# What a worker runs for one task name: the payload in, anything out. A Task returned is the
# work's follow-up (a broadcast's next step): the queue enqueues it; any other result is dropped.
TaskHandler = Callable[[Payload], object]

PAGE = "page"  # draw and deliver one coloring page: payload {"job_id": ...}
BROADCAST = "broadcast"  # send the next page of a broadcast: payload {"broadcast_id": ...}


@dataclass(frozen=True, slots=True)
class Task:
    """One piece of background work; the id is unique per piece of work, so that a queue can
    take the same task twice as once (RQ: its job id)."""

    name: str
    payload: Payload = field(hash=False)
    id: str

    def __post_init__(self) -> None:
        if not self.name or not self.id:
            raise ValueError("a task needs a name and an id")
        for key, value in self.payload.items():
            if not isinstance(key, str) or not isinstance(value, TaskValue):
                raise ValueError(f"task {self.id}: {key!r} is not a JSON-safe scalar")
        # A read-only copy: the caller's dict may change after the task was enqueued.
        object.__setattr__(self, "payload", MappingProxyType(dict(self.payload)))


class PageRunner(Protocol):
    def __call__(self, *, job_id: JobId) -> object: ...


def page_task(job_id: JobId) -> Task:
    """The task that draws and delivers the page of job `job_id`."""
    return Task(PAGE, {"job_id": job_id}, id=f"{PAGE}:{job_id}")


def page_job_id(task: Task) -> JobId | None:
    """The job id of a page task; None for a task of another kind."""
    job_id = task.payload.get("job_id") if task.name == PAGE else None
    return JobId(job_id) if isinstance(job_id, str) else None


def page_job_ids(tasks: Iterable[Task]) -> list[JobId]:
    """The job ids of the page tasks among `tasks`, in order."""
    return [job_id for task in tasks if (job_id := page_job_id(task)) is not None]


def page_handler(run: PageRunner) -> TaskHandler:
    """The handler of page tasks: `run` (RunGeneration) with the task's job id."""
    return lambda payload: run(job_id=JobId(str(payload["job_id"])))


def broadcast_task(broadcast_id: BroadcastId, step: int = 0, *, lease: str | None = None) -> Task:
    """The task that sends the next page of recipients of broadcast `broadcast_id`. `step` makes
    each re-enqueued step its own piece of work (a queue that takes one id twice as once would
    otherwise drop the follow-up); `lease` is the lease owner the previous step hands on (none
    for a first step or a resumed one)."""
    payload: dict[str, TaskValue] = {"broadcast_id": broadcast_id, "step": step}
    if lease is not None:
        payload["lease"] = lease
    return Task(BROADCAST, payload, id=f"{BROADCAST}:{broadcast_id}:{step}")


def broadcast_id_of(task: Task) -> BroadcastId | None:
    """The broadcast id of a broadcast task; None for a task of another kind."""
    value = task.payload.get("broadcast_id") if task.name == BROADCAST else None
    return BroadcastId(value) if isinstance(value, str) else None
