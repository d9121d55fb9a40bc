"""RqWorker: RQ's SimpleWorker on the task queue, with RQ's scheduler in a thread of its own.

SimpleWorker, not RQ's default forking Worker: the job function runs the container's handlers in
this process, where the container was built once. A forked child per job would inherit the
SQLite connection and the MongoDB client (neither may be used across fork: pymongo says so, and
a SQLite connection's locks belong to the process that opened it), the structlog set-up and the
container's background threads (the recovery ticker, lease keepers), none of which survive a
fork; rebuilding the container per job instead would cost a store connection, a migration check
and an HTTP session per page. What the fork would buy, isolating a crashing job, our handlers do
themselves (they settle their own work and rarely raise), and a process that dies anyway is
recovered like any killed worker (job leases, RQ's abandoned-job cleanup).

RQ runs its scheduler (which moves retries whose backoff has passed back onto the queue) in a
forked process too; here the same RQScheduler runs in a thread, so nothing is forked and it dies
with the worker.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

import structlog
from redis import Redis
from redis.exceptions import RedisError, WatchError
from rq import Queue
from rq.scheduler import RQScheduler
from rq.serializers import JSONSerializer
from rq.worker import SimpleWorker

from .queue import QUEUE_NAME

log = structlog.get_logger(__name__)

# How often RQ's own upkeep runs (RQ's default is 10 minutes): abandoned jobs of dead workers
# are retried or failed, the worker registry cleaned. One worker does it per interval (RQ's lock).
MAINTENANCE_SECONDS = 60
SCHEDULER_SECONDS = 1  # how often due retries are moved back onto the queue
_SCHEDULER = "-scheduler"  # a worker's scheduler is named after it


class _SimpleWorker(SimpleWorker):
    """SimpleWorker that remembers whether it was asked to stop (SIGTERM, SIGINT)."""

    stop_requested = False

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        self.stop_requested = True
        super().request_stop(signum, frame)  # type: ignore[no-untyped-call]


class RqWorker:
    """`work()` serves the queue until SIGTERM or SIGINT (a warm shutdown: the job being run is
    finished first; a second signal stops at once), or, with `burst`, until it is empty."""

    def __init__(
        self,
        connection: Redis,
        *,
        name: str,
        queue: str = QUEUE_NAME,
        maintenance_every: int = MAINTENANCE_SECONDS,
        worker_gone: Callable[[str], bool] = lambda _name: False,
    ) -> None:
        self._connection = connection
        self._worker_gone = worker_gone  # a worker's name -> its process is known to be dead
        self._queue = Queue(queue, connection=connection, serializer=JSONSerializer)
        self._worker = _SimpleWorker(
            [self._queue],
            connection=connection,
            name=name,
            serializer=JSONSerializer,
            maintenance_interval=maintenance_every,
        )
        self._stop = threading.Event()
        self._scheduler_down = False

    @property
    def name(self) -> str:
        return str(self._worker.name)

    @property
    def stop_requested(self) -> bool:
        """Whether a signal asked it to stop: when `work()` returned without one (and not in
        burst mode), RQ gave up (Redis lost in the middle of a job) and a supervisor should
        start the worker again."""
        return self._worker.stop_requested

    def work(self, *, burst: bool = False, level: str = "INFO") -> bool:
        """Run jobs until stopped; whether any job was run. Must run on the main thread (signal
        handlers, and RQ's job timeout is a SIGALRM). Retries whose backoff has passed are put
        back on the queue first, then every SCHEDULER_SECONDS while it works."""
        scheduler = RQScheduler(
            [self._queue],
            connection=self._connection,
            interval=SCHEDULER_SECONDS,  # an int: RQ sets its keys' expiry from it
            serializer=JSONSerializer,
            name=self.name + _SCHEDULER,
        )
        self._schedule_due(scheduler)
        thread = threading.Thread(
            target=self._schedule, args=(scheduler,), name="rq-scheduler", daemon=True
        )
        thread.start()
        handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            return bool(self._worker.work(burst=burst, logging_level=level, with_scheduler=False))
        except RedisError as exc:  # RQ's own clean-up after it gave up, with Redis gone
            log.error("rq worker: Redis lost", error=str(exc))
            return False
        finally:
            for sig, handler in handlers.items():  # RQ leaves its own installed
                signal.signal(sig, handler)
            self._stop.set()
            thread.join(timeout=5)

    def _schedule(self, scheduler: RQScheduler) -> None:
        while not self._stop.wait(SCHEDULER_SECONDS):
            self._schedule_due(scheduler)
        try:
            scheduler.release_locks()  # type: ignore[no-untyped-call]
            scheduler.register_death()
        except RedisError:
            pass  # the locks and the record expire on their own

    def _schedule_due(self, scheduler: RQScheduler) -> None:
        """One pass of RQ's scheduler: due retries back onto the queue, if this worker holds
        the queue's scheduler lock (one per queue holds it; the others take over when it lapses,
        asking every pass rather than RQ's every 2 minutes, or at once when its holder's process
        is known to be dead: a killed worker must not hold retries back for minutes)."""
        try:
            if scheduler.last_heartbeat is None:
                scheduler.register_birth()
            if not scheduler.acquired_locks:
                self._release_a_dead_holders_lock(scheduler.get_locking_key(self._queue.name))
                scheduler.acquire_locks()  # type: ignore[no-untyped-call]
            if scheduler.acquired_locks:
                scheduler.heartbeat()  # type: ignore[no-untyped-call]
                scheduler.enqueue_scheduled_jobs()  # type: ignore[no-untyped-call]
            self._scheduler_down = False
        except RedisError as exc:
            if not self._scheduler_down:  # once per outage, not every second
                log.warning("rq scheduler: Redis unavailable", error=str(exc))
            self._scheduler_down = True

    def _release_a_dead_holders_lock(self, key: str) -> None:
        with self._connection.pipeline() as pipe:
            try:
                pipe.watch(key)  # type: ignore[no-untyped-call]
                holder = pipe.get(key)
                name = holder.decode("utf-8", "replace") if isinstance(holder, bytes) else ""
                if not name.endswith(_SCHEDULER) or not self._worker_gone(
                    name.removesuffix(_SCHEDULER)
                ):
                    pipe.unwatch()
                    return
                pipe.multi()
                pipe.delete(key)
                pipe.execute()
            except WatchError:
                return  # it changed hands meanwhile: the lock decides
        log.info("rq scheduler lock of a dead worker released", holder=name)
