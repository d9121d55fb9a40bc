"""HealthCheck: is storage reachable, which image backend is on, how deep is the queue; fast."""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..domain.errors import PaintError
from ..domain.jobs import JobState
from ..ports import ImageGenerator, Jobs, TaskQueue, Users


@dataclass(frozen=True, slots=True)
class HealthReport:
    storage_ok: bool
    storage_detail: str
    storage_ms: float
    users: int
    image_backend: str
    queue_depth: int
    jobs_running: int

    @property
    def ok(self) -> bool:
        return self.storage_ok


@dataclass(frozen=True, slots=True)
class HealthCheck:
    users: Users
    jobs: Jobs
    generator: ImageGenerator
    queue: TaskQueue

    def __call__(self) -> HealthReport:
        started = time.perf_counter()
        try:
            users = self.users.count()
            running = self.jobs.counts().get(JobState.RUNNING, 0)
            ok, detail = True, "ok"
        except PaintError as exc:
            users, running, ok, detail = 0, 0, False, str(exc)
        elapsed = round((time.perf_counter() - started) * 1000, 1)
        return HealthReport(
            storage_ok=ok,
            storage_detail=detail,
            storage_ms=elapsed,
            users=users,
            image_backend=self.generator.name,
            queue_depth=self.queue.depth(),
            jobs_running=running,
        )
