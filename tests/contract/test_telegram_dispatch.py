"""Dispatching updates with the real telebot over real HTTP: fair between chats, and lossless."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from structlog.testing import capture_logs

from adapters.memory import InMemoryUpdateLog, ManualClock
from adapters.telegram import TelegramPolling, make_bot
from paintcore.dialog import IncomingMessage
from paintcore.ports import UpdateLog
from support.fake_telegram import FakeBotAPI

# 1000 % 8 == 1008 % 8: the chat-modulo workers put these two chats on one thread.
FLOODER, NEIGHBOUR = 1000, 1008


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


class SlowHandler:
    """A dialog that takes `delay` per message (Telegram's pace is about one message a second
    per chat). After `die()` it is a process that is gone: nothing it is asked later happens."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.messages: list[IncomingMessage] = []
        self.finished_at: dict[int, float] = {}
        self.busy = 0
        self._dead = threading.Event()
        self._lock = threading.Lock()

    def message(self, event: IncomingMessage) -> None:
        if self._dead.is_set():
            threading.Event().wait()  # a dead process never answers (daemon threads)
        with self._lock:
            self.busy += 1
        time.sleep(self.delay)
        with self._lock:
            self.messages.append(event)
            self.finished_at[event.update_id] = time.monotonic()
            self.busy -= 1

    def die(self) -> None:
        self._dead.set()

    def texts(self, chat: int) -> list[str | None]:
        with self._lock:
            return [m.text for m in self.messages if m.chat_id == chat]


def polling(
    fake: FakeBotAPI, handler: SlowHandler, updates: UpdateLog | None = None
) -> TelegramPolling:
    return TelegramPolling(
        make_bot(fake.token, fake.base_url),
        on_message=handler.message,
        workers=8,
        long_poll=1,
        updates=updates,
        clock=ManualClock(),
        too_fast=lambda language: f"too fast ({language or '?'})",
    )


def test_one_chats_backlog_does_not_delay_another_chats_start(fake: FakeBotAPI) -> None:
    handler = SlowHandler(delay=0.05)
    for n in range(60):
        fake.push_text(FLOODER, f"flood {n}")
    start = fake.push_text(NEIGHBOUR, "/start")
    runner = polling(fake, handler)
    began = time.monotonic()
    runner.start()
    try:
        assert fake.wait_for(lambda f: start in handler.finished_at, timeout=10)
    finally:
        runner.stop(timeout=0.1)  # the flood's backlog is not this test's business
    latency = handler.finished_at[start] - began
    assert latency < 0.6, f"/start waited {latency:.2f}s behind another chat's backlog"


def test_a_flood_wider_than_telegrams_window_does_not_delay_another_chat(fake: FakeBotAPI) -> None:
    # getUpdates shows at most 100 updates past the oldest unconfirmed one: a flood that fills
    # them hides the next chat's update until the flood's backlog is dropped.
    handler = SlowHandler(delay=0.05)
    for n in range(150):
        fake.push_text(FLOODER, f"flood {n}")
    start = fake.push_text(NEIGHBOUR, "/start")
    runner = polling(fake, handler)
    began = time.monotonic()
    runner.start()
    try:
        assert fake.wait_for(lambda f: start in handler.finished_at, timeout=10)
    finally:
        runner.stop(timeout=0.1)
    latency = handler.finished_at[start] - began
    assert latency < 1.0, f"/start waited {latency:.2f}s behind another chat's backlog"
    assert fake.texts_to(NEIGHBOUR) == []


def test_a_chat_past_its_backlog_bound_is_told_once_and_its_excess_is_confirmed(
    fake: FakeBotAPI,
) -> None:
    handler = SlowHandler(delay=0.005)
    for n in range(60):
        fake.push_text(FLOODER, f"flood {n}", language_code="en")
    runner = polling(fake, handler)
    runner.start()
    try:
        assert fake.wait_for(lambda f: len(f.texts_to(FLOODER)) == 1)
        assert fake.wait_for(lambda f: handler.busy == 0 and len(handler.messages) >= 50)
        time.sleep(0.2)  # would more of the flood be handled?
    finally:
        assert runner.stop(timeout=5)
    handled = [int(str(text).removeprefix("flood ")) for text in handler.texts(FLOODER)]
    assert len(handled) in (50, 51)  # the bound counts waiting updates, not the one in hand
    assert handled[:50] == list(range(50)) and handled == sorted(handled)
    assert fake.texts_to(FLOODER) == ["too fast (en)"]
    assert fake.pending_updates == []  # the dropped ones count as handled: confirmed


def test_a_stop_with_a_backlog_leaves_the_rest_to_the_next_start_and_handles_each_once(
    fake: FakeBotAPI,
) -> None:
    database = InMemoryUpdateLog()  # what both processes share
    first = SlowHandler(delay=0.05)
    flood = [fake.push_text(FLOODER, f"m{n}") for n in range(40)]
    start = fake.push_text(NEIGHBOUR, "/start")
    runner = polling(fake, first, database)
    runner.start()
    time.sleep(0.5)
    with capture_logs() as logs:
        assert not runner.stop(timeout=0.3), "a backlog of 2 s cannot drain in 0.3 s"
    first.die()  # SIGTERM: the process exits once stop() returns
    assert fake.wait_for(
        lambda f: first.busy == 0 and all(database.handled(m.update_id) for m in first.messages)
    )
    left = [e for e in logs if e["log_level"] == "warning" and "unhandled" in e["event"]]
    assert left and left[0]["count"] == 41 - len(first.messages)

    second = SlowHandler(delay=0.0)
    restarted = polling(fake, second, database)
    restarted.start()
    try:
        assert fake.wait_for(lambda f: len(first.messages) + len(second.messages) >= 41)
        time.sleep(0.3)  # would anything be handled twice?
    finally:
        assert restarted.stop(timeout=5)
    handled = [m.update_id for m in first.messages + second.messages]
    assert sorted(handled) == [*flood, start]  # every update once: none lost, none repeated
    assert first.texts(FLOODER) + second.texts(FLOODER) == [f"m{n}" for n in range(40)]
    assert start in first.finished_at, "the other chat was answered before the stop"
