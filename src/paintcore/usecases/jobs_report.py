"""JobsReport: the pages in flight now and the latest failures with their errors."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.jobs import Job, JobState
from ..ports import Jobs


@dataclass(frozen=True, slots=True)
class JobsSnapshot:
    running: tuple[Job, ...]  # oldest start first
    queued: tuple[Job, ...]  # oldest first
    failures: tuple[Job, ...]  # newest first


@dataclass(frozen=True, slots=True)
class JobsReport:
    jobs: Jobs

    def __call__(self, *, failures: int = 10) -> JobsSnapshot:
        return JobsSnapshot(
            running=tuple(self.jobs.running()),
            queued=tuple(self.jobs.queued()),
            failures=tuple(self.jobs.recent(state=JobState.FAILED, limit=failures)),
        )
