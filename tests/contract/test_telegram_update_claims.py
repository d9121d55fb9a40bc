"""Updates claimed before they are handled: several webhook instances (dispatchers sharing one
UpdateLog) given the same update at the same moment handle it once, and an update whose claim
holder died is handled once its claim runs out — never lost, never twice."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest

from adapters.memory import InMemoryUpdateLog, ManualClock
from adapters.telegram import UpdateDispatcher, make_bot
from adapters.telegram.handled_log import CLAIM_FOR, Rechecks
from paintcore.dialog import IncomingMessage
from support.fake_telegram import FakeBotAPI

from .test_telegram_dispatch_parts import message_update


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


class Handler:
    def __init__(self, hold: float = 0.0) -> None:
        self.seen: list[tuple[str, int]] = []
        self._hold = hold
        self._lock = threading.Lock()

    def for_instance(self, name: str):  # type: ignore[no-untyped-def]
        def handle(event: IncomingMessage) -> None:
            time.sleep(self._hold)  # long enough for the other instance to meet the claim
            with self._lock:
                self.seen.append((name, event.update_id))

        return handle


def instance(
    fake: FakeBotAPI, log: InMemoryUpdateLog, clock: ManualClock, handler: Handler, name: str
) -> tuple[UpdateDispatcher, list[int]]:
    settled: list[int] = []
    dispatcher = UpdateDispatcher(
        make_bot(fake.token, fake.base_url),
        on_message=handler.for_instance(name),
        updates=log,
        clock=clock,
        workers=2,
        settled=settled.append,
        rechecks=Rechecks(every=0.05),
    )
    dispatcher.start()
    return dispatcher, settled


def test_an_update_given_to_two_instances_at_once_is_handled_by_one(fake: FakeBotAPI) -> None:
    log, clock, handler = InMemoryUpdateLog(), ManualClock(), Handler(hold=0.3)
    a, settled_a = instance(fake, log, clock, handler, "a")
    b, settled_b = instance(fake, log, clock, handler, "b")
    try:
        for update_id in (1, 2, 3):
            update = message_update(update_id, 40 + update_id, "/balance")
            both = [threading.Thread(target=d.submit, args=(update,)) for d in (a, b)]
            for thread in both:
                thread.start()
            for thread in both:
                thread.join()
        assert fake.wait_for(lambda _: sorted(settled_a) == sorted(settled_b) == [1, 2, 3], 10)
    finally:
        assert a.stop(deadline=0.0) == 0 and b.stop(deadline=0.0) == 0
    assert sorted(update_id for _, update_id in handler.seen) == [1, 2, 3]
    assert all(log.handled(update_id) for update_id in (1, 2, 3))


def test_an_update_whose_claim_holder_died_is_handled_when_the_claim_runs_out(
    fake: FakeBotAPI,
) -> None:
    log, clock, handler = InMemoryUpdateLog(), ManualClock(), Handler()
    log.claim(7, at=clock.now(), until=clock.now() + CLAIM_FOR)  # an instance killed mid-update
    dispatcher, settled = instance(fake, log, clock, handler, "a")
    try:
        assert dispatcher.submit(message_update(7, 42, "привет"))
        time.sleep(0.3)  # several looks: still held by the dead instance
        assert handler.seen == [] and settled == []
        assert not dispatcher.submit(message_update(7, 42, "привет"))  # redelivered: not twice
        clock.advance((CLAIM_FOR + timedelta(seconds=1)).total_seconds())
        assert fake.wait_for(lambda _: settled == [7], 5)
    finally:
        assert dispatcher.stop(deadline=0.0) == 0
    assert handler.seen == [("a", 7)]
    assert log.handled(7)


def test_a_stop_does_not_wait_for_an_update_another_instance_holds(fake: FakeBotAPI) -> None:
    log, clock, handler = InMemoryUpdateLog(), ManualClock(), Handler()
    log.claim(9, at=clock.now(), until=clock.now() + CLAIM_FOR)
    dispatcher, settled = instance(fake, log, clock, handler, "a")
    assert dispatcher.submit(message_update(9, 42, "привет"))
    time.sleep(0.1)
    started = time.monotonic()

    assert dispatcher.stop(deadline=time.monotonic() + 5) == 0  # not ours: nothing left undone

    assert time.monotonic() - started < 1
    assert handler.seen == [] and settled == []
    assert not log.handled(9)  # the holder (or Telegram's redelivery) still owes it
