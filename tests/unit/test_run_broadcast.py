"""RunBroadcast on the memory fakes: exactly one copy per reachable user, 429s waited out, 403s
marked, crashes resumed without duplicates or gaps, cancel, the rate, pages read one at a time."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from adapters.memory import CountingPacer, InMemoryJobQueue, InMemoryMessenger, ManualClock
from paintcore.domain.broadcasts import (
    BroadcastCounts,
    BroadcastId,
    BroadcastState,
    Delivery,
    progress,
    senders_for,
)
from paintcore.domain.errors import DeliveryFailed, RateLimited
from paintcore.domain.tasks import BROADCAST, broadcast_id_of, broadcast_task
from paintcore.domain.users import UserId
from paintcore.pacing import TokenBucket
from paintcore.usecases.run_broadcast import broadcast_handler
from support.broadcasting import (
    MESSAGE,
    BroadcastWorld,
    Crash,
    CrashingCopier,
    CrashingRecords,
    PagedReads,
)

B1 = BroadcastId("b1")


def test_everyone_reachable_gets_exactly_one_copy() -> None:
    world = BroadcastWorld(users=25)
    world.store.users.set_blocked(UserId(3), True)  # blocked before: not a recipient
    world.start(paid=True)

    world.run_to_end()

    assert world.copies() == {u: 1 for u in range(1, 26) if u != 3}
    assert all(
        m.copied == (MESSAGE.from_chat_id, MESSAGE.message_id) for m in world.messenger.copies()
    )
    assert all(m.paid for m in world.messenger.copies())
    found = world.store.broadcasts.get(B1)
    assert found is not None and found.state is BroadcastState.DONE
    assert found.finished_at == world.clock.now()
    assert world.store.broadcasts.counts(B1) == BroadcastCounts(sent=24)


def test_a_429_waits_its_retry_after_and_retries_that_user() -> None:
    world = BroadcastWorld(users=3, rate=1000)
    world.messenger.failures_for[2] = [RateLimited(retry_after=7), RateLimited(retry_after=5)]
    world.start()
    began = world.clock.now()

    world.run_to_end()

    assert world.copies() == {1: 1, 2: 1, 3: 1}
    assert world.clock.now() - began >= timedelta(seconds=12)
    assert world.store.broadcasts.counts(B1) == BroadcastCounts(sent=3)


def test_a_user_who_blocked_the_bot_is_marked_and_skipped() -> None:
    world = BroadcastWorld(users=4)
    world.messenger.blocked = {2, 4}
    world.start()

    world.run_to_end()

    assert world.copies() == {1: 1, 3: 1}
    assert world.outcome(2) is Delivery.BLOCKED and world.outcome(4) is Delivery.BLOCKED
    blocked = world.store.users.get(UserId(2))
    assert blocked is not None and blocked.blocked
    assert world.store.broadcasts.counts(B1) == BroadcastCounts(sent=2, blocked=2)


def test_other_errors_are_retried_with_backoff_then_counted_failed() -> None:
    world = BroadcastWorld(users=3, rate=1000)
    world.messenger.failures_for[1] = [DeliveryFailed("500"), DeliveryFailed("500")]
    world.messenger.failures_for[2] = [DeliveryFailed("400")] * 3
    world.start()
    began = world.clock.now()

    world.run_to_end()

    assert world.copies() == {1: 1, 3: 1}
    assert world.outcome(1) is Delivery.SENT and world.outcome(2) is Delivery.FAILED
    assert world.store.broadcasts.counts(B1) == BroadcastCounts(sent=2, failed=1)
    assert world.clock.now() - began >= timedelta(seconds=(1 + 2) * 2)  # backoff 1 s, then 2 s


def test_a_user_rate_limited_over_and_over_is_left_for_the_next_step() -> None:
    world = BroadcastWorld(users=2, rate=1000)
    world.messenger.failures_for[1] = [RateLimited(retry_after=1)] * 10
    world.start()

    assert world.engine()(broadcast_id=B1) is not None
    assert world.copies() == {}
    world.run_to_end()

    assert world.copies() == {1: 1, 2: 1}


@pytest.mark.parametrize("crash_at", [1, 5, 10, 11, 17, 20])
def test_a_crash_between_deliveries_resumes_without_duplicates_or_gaps(crash_at: int) -> None:
    world = BroadcastWorld(users=20, page_size=8)
    world.start()
    crashing = world.engine(copier=CrashingCopier(world.messenger, crash_at))

    with pytest.raises(Crash):
        world.run_to_end(engine=crashing)
    assert sum(world.copies().values()) == crash_at - 1
    world.run_to_end()  # the restarted process: a fresh engine on the same store

    assert world.copies() == {u: 1 for u in range(1, 21)}


def test_a_crash_between_a_send_and_its_record_repeats_that_one_user_only() -> None:
    world = BroadcastWorld(users=10, page_size=4)
    world.start()
    crashing = world.engine(broadcasts=CrashingRecords(world.store.broadcasts, 6))  # type: ignore[arg-type]

    with pytest.raises(Crash):
        world.run_to_end(engine=crashing)
    world.run_to_end()

    # The documented window: user 6 got it, the record was lost with the process, so again.
    assert world.copies() == {u: 2 if u == 6 else 1 for u in range(1, 11)}


def test_cancel_stops_it_before_the_next_step() -> None:
    world = BroadcastWorld(users=30, page_size=10)
    world.start()
    run = world.engine()
    assert run(broadcast_id=B1) is not None

    assert world.store.broadcasts.cancel(B1, at=world.clock.now()) is True

    assert run(broadcast_id=B1) is None
    assert sum(world.copies().values()) == 10
    found = world.store.broadcasts.get(B1)
    assert found is not None and found.state is BroadcastState.CANCELLED
    assert world.store.broadcasts.counts(B1).pending == 20


def test_cancel_stops_it_within_a_page() -> None:
    world = BroadcastWorld(users=200, page_size=200)
    world.start()

    class Cancelling:
        def __init__(self) -> None:
            self.calls = 0

        def copy_message(self, chat_id: int, *args: int, paid: bool = False) -> int:
            self.calls += 1
            if self.calls == 30:
                world.store.broadcasts.cancel(B1, at=world.clock.now())
            return world.messenger.copy_message(chat_id, *args, paid=paid)

    assert world.engine(copier=Cancelling())(broadcast_id=B1) is None  # type: ignore[arg-type]

    assert 30 <= sum(world.copies().values()) <= 30 + 25  # it looks every 25 sends


def test_a_finished_or_unknown_broadcast_sends_nothing() -> None:
    world = BroadcastWorld(users=3)
    world.start()
    world.run_to_end()
    world.messenger.sent.clear()

    assert world.engine()(broadcast_id=B1) is None
    assert world.engine()(broadcast_id=BroadcastId("nope")) is None
    assert world.copies() == {}


def test_the_rate_is_never_exceeded_in_any_one_second_window() -> None:
    world = BroadcastWorld(users=200, rate=25, page_size=30)
    world.start()
    began = world.clock.now()
    world.messenger.failures_for[50] = [RateLimited(retry_after=0.5)]

    world.run_to_end()

    assert world.most_in_one_second() == 25
    elapsed = (world.clock.now() - began).total_seconds()
    assert 199 / 25 <= elapsed <= 199 / 25 + 1.0  # and it goes at the rate, not slower


@pytest.mark.parametrize("rate", [1, 7, 30, 1000])
def test_the_token_bucket_keeps_any_rate(rate: int) -> None:
    world = BroadcastWorld(users=0, rate=rate)
    times = []
    for _ in range(3 * rate):
        world.pacer.pace()
        times.append(world.clock.now())

    assert rate * 0.95 <= _closed_windows_max(times) <= rate


def test_the_token_bucket_saves_up_no_burst_after_a_pause() -> None:
    world = BroadcastWorld(users=0)
    bucket = TokenBucket(10, clock=world.clock, sleep=world.clock.advance)
    bucket.pace()
    world.clock.advance(60)
    began = world.clock.now()
    for _ in range(3):
        bucket.pace()

    gap = timedelta(seconds=(1 + TokenBucket.MARGIN) / 10)
    assert world.clock.now() - began == 2 * gap


def test_recipients_are_read_a_page_at_a_time() -> None:
    world = BroadcastWorld(users=1000, rate=1000, page_size=50)
    world.start()
    reads = PagedReads(world.store.broadcasts)

    world.run_to_end(engine=world.engine(broadcasts=reads))  # type: ignore[arg-type]

    assert max(reads.pages) <= 50
    assert len(reads.pages) >= 1000 // 50
    assert sum(world.copies().values()) == 1000


def test_the_task_handler_enqueues_the_next_step_while_more_remain() -> None:
    world = BroadcastWorld(users=25, page_size=10)
    world.start()
    queue = InMemoryJobQueue()
    queue.handlers[BROADCAST] = broadcast_handler(world.engine())
    queue.enqueue(broadcast_task(B1))

    ran = queue.run_pending()

    assert ran == 3  # 10 + 10 + 5, the last step finding none left
    assert world.copies() == {u: 1 for u in range(1, 26)}
    assert broadcast_id_of(broadcast_task(B1, 4)) == B1


def test_progress_reports_rate_and_eta_from_the_counts() -> None:
    world = BroadcastWorld(users=0)
    started = world.clock.now()
    counts = BroadcastCounts(sent=80, blocked=15, failed=5, pending=400)

    report = progress(counts, started_at=started, now=started + timedelta(seconds=4))

    assert (report.sent, report.blocked, report.failed, report.remaining) == (80, 15, 5, 400)
    assert report.rate == 25.0
    assert report.eta == timedelta(seconds=16)
    assert progress(counts, started_at=started, now=started).eta is None
    done = progress(BroadcastCounts(sent=3), started_at=started, now=started)
    assert done.eta == timedelta(0) and done.remaining == 0


def test_a_live_worker_holding_the_lease_keeps_others_out() -> None:
    world = BroadcastWorld(users=30, page_size=10)
    world.start()
    first = world.engine(worker="bot")
    lease = first(broadcast_id=B1)
    assert lease is not None and lease.startswith("bot#")

    other = world.engine(worker="cli", alive=frozenset({"bot"}))
    assert other(broadcast_id=B1) is None  # the bot is sending it: the CLI sends nothing
    assert sum(world.copies().values()) == 10

    assert first(broadcast_id=B1, lease_from=lease) is not None  # the chain goes on
    assert sum(world.copies().values()) == 20


def test_a_lease_that_ran_out_is_taken_by_another_live_worker() -> None:
    world = BroadcastWorld(users=30, page_size=10)
    world.start()
    assert world.engine(worker="bot")(broadcast_id=B1) is not None  # then the bot hangs
    other = world.engine(worker="cli", alive=frozenset({"bot"}))

    world.clock.advance(29)
    assert other(broadcast_id=B1) is None
    world.clock.advance(2)  # past the 30 s lease
    world.run_to_end(engine=other)

    assert world.copies() == {u: 1 for u in range(1, 31)}


def test_a_step_whose_lease_was_taken_stops_before_its_next_send() -> None:
    world = BroadcastWorld(users=40, rate=1, page_size=40)  # 40 s for the page: past the lease
    world.start()
    stolen: list[bool] = []

    class Stealing:
        def copy_message(self, chat_id: int, *args: int, paid: bool = False) -> int:
            if chat_id == 5 and not stolen:  # the lease runs out and someone else takes it
                world.clock.advance(60)
                stolen.append(
                    world.store.broadcasts.claim(
                        B1,
                        "thief#1",
                        until=world.clock.now() + timedelta(minutes=5),
                        now=world.clock.now(),
                    )
                )
            return world.messenger.copy_message(chat_id, *args, paid=paid)

    assert world.engine(copier=Stealing())(broadcast_id=B1) is None  # type: ignore[arg-type]

    assert stolen == [True]
    assert sorted(world.copies()) == [1, 2, 3, 4, 5]  # not one send after the lease was lost


def _closed_windows_max(times: list[datetime]) -> int:
    """The most times in any closed one-second window [t, t + 1 s]."""
    window = timedelta(seconds=1)
    return max(sum(1 for t in times if s <= t <= s + window) for s in times)


@pytest.mark.parametrize("rate", [5, 25, 30])
def test_a_late_wake_never_lets_more_than_the_rate_into_one_second(rate: int) -> None:
    clock = ManualClock()
    late = itertools.cycle([0.0, 0.002, 0.0, 0.0011, 0.0002])  # the OS wakes us a little late

    def oversleep(seconds: float) -> None:
        clock.advance(seconds + next(late))

    bucket = TokenBucket(rate, clock=clock, sleep=oversleep)
    times = []
    for _ in range(4 * rate):
        bucket.pace()
        times.append(clock.now())

    assert _closed_windows_max(times) <= rate
    spent = (times[-1] - times[0]).total_seconds()
    # Not slow: each gap is the interval plus at most how late that wake was.
    assert spent <= (4 * rate - 1) * ((1 + TokenBucket.MARGIN) / rate + 0.002)


class InFlight:
    """A copier whose sends take `seconds` of real time; it notes the most in flight at once."""

    def __init__(self, real: InMemoryMessenger, seconds: float) -> None:
        self.real, self.seconds = real, seconds
        self.now = self.most = 0
        self.lock = threading.Lock()

    def copy_message(self, chat_id: int, *args: int, paid: bool = False) -> int:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(self.seconds)
        with self.lock:
            self.now -= 1
        return self.real.copy_message(chat_id, *args, paid=paid)


@pytest.mark.parametrize(("senders", "most"), [(1, 1), (4, 4)])
def test_several_senders_keep_sends_in_flight_and_each_user_still_gets_one(
    senders: int, most: int
) -> None:
    world = BroadcastWorld(users=40, page_size=20)
    world.start()
    copier = InFlight(world.messenger, 0.02)
    engine = replace(world.engine(copier=copier), pacer=CountingPacer(), senders=senders)  # type: ignore[arg-type]

    world.run_to_end(engine=engine)

    assert copier.most == most  # a slow round trip no longer caps the rate at one send each
    assert world.copies() == {u: 1 for u in range(1, 41)}
    assert world.store.broadcasts.counts(B1) == BroadcastCounts(sent=40)


def test_a_sender_that_dies_stops_the_others_and_the_rest_is_resumed() -> None:
    world = BroadcastWorld(users=40, page_size=40)
    world.start()
    crashing = CrashingCopier(InFlight(world.messenger, 0.005), crash_at=7)  # type: ignore[arg-type]
    engine = replace(world.engine(copier=crashing), pacer=CountingPacer(), senders=4)

    with pytest.raises(Crash):
        engine(broadcast_id=B1)
    world.run_to_end()

    assert set(world.copies()) == set(range(1, 41))  # no gaps
    assert max(world.copies().values()) <= 2  # at most the sends in flight again, never more


def test_the_token_bucket_spaces_every_thread() -> None:
    clock = ManualClock()
    bucket = TokenBucket(25, clock=clock, sleep=clock.advance)
    times: list[datetime] = []
    lock = threading.Lock()

    def pace(n: int) -> None:
        for _ in range(n):
            bucket.pace()
            with lock:
                times.append(clock.now())

    threads = [threading.Thread(target=pace, args=(25,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    times.sort()
    assert len(times) == 100
    assert _closed_windows_max(times) <= 25
    assert min(b - a for a, b in itertools.pairwise(times)) >= timedelta(seconds=1 / 25)


def test_senders_cover_a_round_trip_of_200_ms_up_to_32() -> None:
    assert [senders_for(r) for r in (1, 5, 25, 30, 100, 1000)] == [1, 1, 5, 6, 20, 32]
