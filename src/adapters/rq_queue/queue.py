"""RqTaskQueue: tasks as RQ jobs on Redis, one job per task id, run by `paintbot worker`."""

from __future__ import annotations

from collections.abc import Callable

import structlog
from redis import Redis
from redis.exceptions import RedisError, WatchError
from rq import Queue, Retry
from rq.exceptions import DuplicateJobError
from rq.job import JobStatus
from rq.serializers import JSONSerializer

from paintcore.domain.errors import StorageUnavailable
from paintcore.domain.tasks import Task

log = structlog.get_logger(__name__)

QUEUE_NAME = "paintbot"  # one queue: pages and broadcast steps interleave in it
# Transient failures (the store or Redis down for a moment: the job function lets only
# StorageUnavailable through) are retried this many seconds later, 3 times, by RQ's scheduler.
RETRY_AFTER = (5, 30, 120)
# RQ's hard stop for one task (SIGALRM in the worker): a net for a hung handler, far beyond a
# page's worst case (two drawings within their 300 s budgets, finishing, delivery) and a broadcast
# step's (100 sends at the rate). With SimpleWorker it is also how long after a worker's death RQ
# itself calls its job abandoned (our recovery does not wait for that: see docs/ARCHITECTURE.md).
TASK_TIMEOUT = 1800
RESULT_KEPT = 600  # seconds a finished job stays visible to `rq info` (its result is None)
FAILURE_KEPT = 7 * 24 * 3600  # a failed one, in RQ's FailedJobRegistry, for operators
_OVER = frozenset(
    s.value for s in (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)
)
_ATTEMPTS = 4


def rq_job_id(task_id: str) -> str:
    """Our task id as an RQ job id, which may hold only letters, digits, _ and -: every other
    byte (":" included) and "_" itself become _xx (hex), so two task ids never share a job id."""
    return "".join(
        chr(byte)
        if chr(byte).isascii() and (chr(byte).isalnum() or byte == ord("-"))
        else f"_{byte:02x}"
        for byte in task_id.encode("utf-8")
    )


class RqTaskQueue:
    """Enqueueing is idempotent: the task id is the RQ job id, and a job is created with RQ's
    atomic unique enqueue (one Lua script: "no job hash with this id -> save it and push its id"),
    so of two processes enqueueing one task at once exactly one pushes it. When a job with that id
    exists, it is left alone while it waits or runs (queued, started, deferred, scheduled for a
    retry); when it is over (finished, failed, stopped, cancelled) or started by a worker known to
    be dead, its record is removed in a WATCHed transaction (which fails if anyone touched the job
    meanwhile) and the unique enqueue is tried again, so the task runs once more: the handlers
    decide whether anything is left to do (a page already taken is skipped).

    Also the `WorkerPool` of entrypoints/lifecycle.py: this process runs no tasks, so closing is
    a no-op and nothing is in flight here."""

    def __init__(
        self,
        connection: Redis,
        *,
        function: str,
        name: str = QUEUE_NAME,
        worker_gone: Callable[[str], bool] = lambda _name: False,
        timeout: int = TASK_TIMEOUT,
    ) -> None:
        self._redis = connection
        self._queue = Queue(name, connection=connection, serializer=JSONSerializer)
        self._function = function  # "module.function" RQ imports in the worker
        self._worker_gone = worker_gone  # an RQ worker's name -> its process is known dead
        self._timeout = timeout

    @property
    def name(self) -> str:
        return self._queue.name

    def enqueue(self, task: Task) -> None:
        job_id = rq_job_id(task.id)
        try:
            for _ in range(_ATTEMPTS):
                if self._push(task, job_id) or not self._clear_if_over(job_id):
                    return
        except RedisError as exc:
            raise StorageUnavailable(f"the task queue (Redis) is unavailable: {exc}") from None
        # Each round found the job over, cleared it, and lost the new one to another enqueuer
        # whose job also ended at once: not seen in practice, and not to be looped on forever.
        raise StorageUnavailable(f"task {task.id}: its job kept changing; try again")

    def depth(self) -> int:
        """Jobs waiting in the queue plus those being run (RQ's started registry)."""
        try:
            started = self._queue.started_job_registry.get_job_count(cleanup=False)
            return int(self._queue.count) + int(started)
        except RedisError as exc:
            raise StorageUnavailable(f"the task queue (Redis) is unavailable: {exc}") from None

    def in_flight(self) -> list[Task]:
        return []  # tasks run in `paintbot worker` processes, not here

    def close(self, timeout: float | None = None, *, drain: bool = True) -> bool:
        return True  # nothing runs here; the connection pool closes with the process

    def _push(self, task: Task, job_id: str) -> bool:
        """Create the task's job unless one with its id exists; whether it was created."""
        try:
            self._queue.enqueue_call(
                self._function,
                kwargs={"name": task.name, "payload": dict(task.payload), "task_id": task.id},
                job_id=job_id,
                unique=True,
                retry=Retry(max=len(RETRY_AFTER), interval=list(RETRY_AFTER)),
                timeout=self._timeout,
                result_ttl=RESULT_KEPT,
                failure_ttl=FAILURE_KEPT,
                description=f"{task.name} {task.id}",
            )
        except DuplicateJobError:
            return False
        return True

    def _clear_if_over(self, job_id: str) -> bool:
        """Remove the record of job `job_id` if it is over or its worker is dead, in a WATCHed
        transaction; False while it waits or runs. True also when the job changed while we
        looked: the next unique enqueue then tells what it is now."""
        job_key = self._queue.job_class.key_for(job_id)
        started = self._queue.started_job_registry
        with self._redis.pipeline() as pipe:
            try:
                pipe.watch(job_key)  # type: ignore[no-untyped-call]
                status, worker = (
                    _text(value) for value in pipe.hmget(job_key, ["status", "worker_name"])
                )
                if not self._over(status, worker):
                    pipe.unwatch()
                    return False
                # A dead worker's execution entries ("<job id>:<execution id>"): left there, RQ's
                # cleanup would later call the new job abandoned.
                executions = [
                    member for member, _ in pipe.zscan_iter(started.key, match=f"{job_id}:*")
                ]
                pipe.multi()
                pipe.delete(job_key)
                for registry in (
                    self._queue.finished_job_registry,
                    self._queue.failed_job_registry,
                    self._queue.canceled_job_registry,
                    self._queue.scheduled_job_registry,
                    self._queue.deferred_job_registry,
                ):
                    pipe.zrem(registry.key, job_id)
                if executions:
                    pipe.zrem(started.key, *executions)
                pipe.execute()
            except WatchError:
                return True
        log.info("task's earlier job cleared", rq_job_id=job_id, status=status, worker=worker)
        return True

    def _over(self, status: str | None, worker: str | None) -> bool:
        if status is None or status in _OVER:
            return True
        return status == JobStatus.STARTED.value and bool(worker) and self._worker_gone(str(worker))


def _text(value: object) -> str | None:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return None if value is None else str(value)
