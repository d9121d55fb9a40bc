"""The task queue on Redis with RQ: enqueueing (any process), the worker (`paintbot worker`), and a
lock that gives each periodic task one turn per period across the deployment."""

from .connection import connect_redis, shown_url
from .locks import RedisPeriodLock
from .queue import QUEUE_NAME, RETRY_AFTER, RqTaskQueue, rq_job_id
from .worker import RqWorker

__all__ = [
    "QUEUE_NAME",
    "RETRY_AFTER",
    "RedisPeriodLock",
    "RqTaskQueue",
    "RqWorker",
    "connect_redis",
    "rq_job_id",
    "shown_url",
]
