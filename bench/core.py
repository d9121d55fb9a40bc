"""Core overhead: register + request + generate (instant fakes for images) flows per second."""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dependency_injector import providers

from adapters.memory import (
    FakeImageGenerator,
    FakePageFinisher,
    InMemoryJobQueue,
    InMemoryMessenger,
    ManualClock,
)
from entrypoints.container import Container
from entrypoints.settings import Settings
from paintcore.domain.pages import PageOptions
from paintcore.domain.users import Profile, UserId

FLOWS = 2000
ROUNDS = 3


def application(**settings: Any) -> tuple[Container, InMemoryMessenger]:
    """The application as `paintbot` builds it, with instant fakes for images and the chat and a
    queue that only collects (the bench runs each page itself, in the same thread)."""
    container = Container(settings=Settings(_env_file=None, **settings))
    messenger = InMemoryMessenger()
    for provider, fake in (
        (container.clock, ManualClock()),
        (container.messenger, messenger),
        (container.queue, InMemoryJobQueue()),
        (container.generator, FakeImageGenerator()),
        (container.finisher, FakePageFinisher()),
    ):
        provider.override(providers.Object(fake))
    return container, messenger


def _flows(container: Container, messenger: InMemoryMessenger, count: int, offset: int) -> float:
    register, request = container.register_user(), container.request_page()
    run = container.run_generation()
    started = time.perf_counter()
    for i in range(offset, offset + count):
        uid = UserId(i)
        register(profile=Profile(uid, "bench"), language="ru")
        job = request(user_id=uid, chat_id=i, description="кот в шляпе", options=PageOptions())
        run(job_id=job.id)
    elapsed = time.perf_counter() - started
    assert sum(m.kind == "page" for m in messenger.sent) == count, "every flow delivered a page"
    return count / elapsed


def _measure(settings: Callable[[int], dict[str, Any]], flows: int) -> float:
    rates = []
    for round_no in range(ROUNDS):
        container, messenger = application(**settings(round_no))
        try:
            rates.append(_flows(container, messenger, flows, offset=round_no * flows))
        finally:
            container.store().close()
    return statistics.median(rates)


def run() -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as folder:
        mem_rate = _measure(lambda _: {"PAINTBOT_STORAGE": "memory"}, FLOWS)
        sql_rate = _measure(
            lambda n: {
                "PAINTBOT_STORAGE": "sqlite",
                "PAINTBOT_DB_PATH": str(Path(folder) / f"bench-{n}.sqlite3"),
            },
            FLOWS // 4,
        )
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
