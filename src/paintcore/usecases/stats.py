"""Stats: how the bot is used: users, pages, success, drawing time and money, as of now."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..domain.jobs import Job, JobState
from ..domain.payments import STARS
from ..ports import Clock, Jobs, Payments, Users

DAY, WEEK = timedelta(days=1), timedelta(days=7)


@dataclass(frozen=True, slots=True)
class StatsReport:
    at: datetime
    users: int
    new_day: int
    new_week: int
    active_day: int
    active_week: int
    pages_today: int  # requested since midnight UTC
    drawn_today: int  # of them, delivered
    pages_week: int
    drawn_week: int
    failed_week: int
    success_rate: float | None  # drawn / (drawn + failed) of the week's finished pages
    mean_seconds: float | None  # drawing time (started -> finished) of the week's drawn pages
    p95_seconds: float | None
    money: dict[str, tuple[int, int]]  # currency -> (received, refunded), all time; Stars always


@dataclass(frozen=True, slots=True)
class Stats:
    """Windows end now: "24 h" and "7 d" are the last 24 and 168 hours, "today" is since midnight
    UTC. A page is a job (a request that passed validation and moderation and held a credit),
    counted by when it was requested. A user is *active* in a window when they requested at
    least one page in it (whatever became of it); new users are counted by registration time.
    Success rate and timings cover the pages of the last 7 d that finished; timing is
    `finished_at - started_at` of the delivered ones (mean, and p95 by nearest rank)."""

    users: Users
    jobs: Jobs
    payments: Payments
    clock: Clock

    def __call__(self) -> StatsReport:
        now = self.clock.now()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        week = self.jobs.since(now - WEEK)
        day = [job for job in week if job.created_at >= now - DAY]
        today = [job for job in week if job.created_at >= midnight]
        drawn = [job for job in week if job.state is JobState.SUCCEEDED]
        failed = sum(1 for job in week if job.state is JobState.FAILED)
        durations = sorted(s for s in map(_seconds, drawn) if s is not None)
        money = {STARS: (0, 0)} | self.payments.totals()
        return StatsReport(
            at=now,
            users=self.users.count(),
            new_day=self.users.registered_since(now - DAY),
            new_week=self.users.registered_since(now - WEEK),
            active_day=len({job.user_id for job in day}),
            active_week=len({job.user_id for job in week}),
            pages_today=len(today),
            drawn_today=sum(1 for job in today if job.state is JobState.SUCCEEDED),
            pages_week=len(week),
            drawn_week=len(drawn),
            failed_week=failed,
            success_rate=len(drawn) / (len(drawn) + failed) if drawn or failed else None,
            mean_seconds=sum(durations) / len(durations) if durations else None,
            p95_seconds=_nearest_rank(durations, 0.95),
            money=money,
        )


def _seconds(job: Job) -> float | None:
    if job.started_at is None or job.finished_at is None:
        return None
    return (job.finished_at - job.started_at).total_seconds()


def _nearest_rank(ordered: Sequence[float], share: float) -> float | None:
    """The smallest value with at least `share` of all values at or below it."""
    if not ordered:
        return None
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]
