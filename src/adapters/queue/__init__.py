"""Task queues: an in-process worker pool (the default); RQ on Redis comes later."""

from .worker_pool import InProcessJobQueue

__all__ = ["InProcessJobQueue"]
