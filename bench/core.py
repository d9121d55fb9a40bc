"""Core overhead: register + request + generate (instant fakes for images) flows per second."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from adapters.memory import (
    FakeImageGenerator,
    FakePageFinisher,
    InMemoryJobQueue,
    InMemoryJobs,
    InMemoryLedger,
    InMemoryMessenger,
    InMemoryUsers,
    ManualClock,
)
from adapters.sqlite import SqliteStore
from paintcore.dialog import DialogNotifier
from paintcore.domain.pages import PageOptions
from paintcore.domain.users import Profile, UserId
from paintcore.orders import StepwiseOrders
from paintcore.usecases import RegisterUser, RequestColoringPage, RunGeneration

FLOWS = 2000
ROUNDS = 3


def _flows(
    users: Any, ledger: Any, jobs: Any, clock: ManualClock, count: int, offset: int
) -> float:
    queue, messenger = InMemoryJobQueue(), InMemoryMessenger()
    register = RegisterUser(users, ledger, clock)
    orders = StepwiseOrders(users, ledger, jobs)
    request = RequestColoringPage(orders, queue, clock)
    run = RunGeneration(
        orders,
        users,
        FakeImageGenerator(),
        FakePageFinisher(),
        DialogNotifier(messenger),
        clock,
    )
    started = time.perf_counter()
    for i in range(offset, offset + count):
        uid = UserId(i)
        register(profile=Profile(uid, "bench"), language="ru")
        job = request(user_id=uid, chat_id=i, description="кот в шляпе", options=PageOptions())
        run(job_id=job.id)
    elapsed = time.perf_counter() - started
    assert sum(m.kind == "page" for m in messenger.sent) == count, "every flow delivered a page"
    return count / elapsed


def _measure(
    make: Callable[[ManualClock, int], tuple[Any, Any, Any, Callable[[], None]]], flows: int
) -> float:
    rates = []
    for round_no in range(ROUNDS):
        clock = ManualClock()
        users, ledger, jobs, close = make(clock, round_no)
        try:
            rates.append(_flows(users, ledger, jobs, clock, flows, offset=round_no * flows))
        finally:
            close()
    return statistics.median(rates)


def run() -> list[dict[str, object]]:
    def memory(clock: ManualClock, _: int) -> tuple[Any, Any, Any, Callable[[], None]]:
        return InMemoryUsers(), InMemoryLedger(clock), InMemoryJobs(), lambda: None

    with tempfile.TemporaryDirectory() as folder:

        def sqlite(clock: ManualClock, round_no: int) -> tuple[Any, Any, Any, Callable[[], None]]:
            store = SqliteStore(Path(folder) / f"bench-{round_no}.sqlite3", clock)
            return store.users, store.ledger, store.jobs, store.close

        mem_rate = _measure(memory, FLOWS)
        sql_rate = _measure(sqlite, FLOWS // 4)
    return [
        {
            "benchmark": "core flow (register+request+run), memory",
            "value": round(mem_rate),
            "unit": "flows/s",
        },
        {
            "benchmark": "core flow (register+request+run), SQLite (WAL, file)",
            "value": round(sql_rate),
            "unit": "flows/s",
        },
        {"benchmark": "SQLite / memory", "value": round(sql_rate / mem_rate, 3), "unit": "ratio"},
    ]
