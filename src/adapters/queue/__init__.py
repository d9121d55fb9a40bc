"""Job queues: an in-process worker pool (the default); RQ on Redis comes later."""

from .worker_pool import InProcessJobQueue, JobHandler

__all__ = ["InProcessJobQueue", "JobHandler"]
