"""StartBroadcast, CancelBroadcast, ResumeBroadcast and the engine's reports, on the memory fakes."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from adapters.memory import InMemoryJobQueue
from paintcore.domain.broadcasts import (
    Audience,
    Broadcast,
    BroadcastCounts,
    BroadcastId,
    BroadcastState,
)
from paintcore.domain.errors import BroadcastConfirmed, BroadcastRunning, NoRecipients
from paintcore.domain.tasks import BROADCAST, broadcast_id_of
from paintcore.domain.users import UserId
from paintcore.usecases import CancelBroadcast, ResumeBroadcast, StartBroadcast
from paintcore.usecases.run_broadcast import broadcast_handler
from support.broadcasting import ADMIN, MESSAGE, BroadcastWorld

B1 = BroadcastId("b1")


@dataclass
class RecordingNotifier:
    progress_calls: list[tuple[BroadcastState, BroadcastCounts]] = field(default_factory=list)
    finished_calls: list[tuple[BroadcastState, BroadcastCounts]] = field(default_factory=list)

    def progress(self, broadcast: Broadcast, counts: BroadcastCounts) -> None:
        self.progress_calls.append((broadcast.state, counts))

    def finished(self, broadcast: Broadcast, counts: BroadcastCounts) -> None:
        self.finished_calls.append((broadcast.state, counts))


def starter(
    world: BroadcastWorld, queue: InMemoryJobQueue, *, paid: bool = False
) -> StartBroadcast:
    return StartBroadcast(world.store.broadcasts, queue, world.clock, paid=paid)


def start(run: StartBroadcast, world: BroadcastWorld, broadcast_id: str = "b1") -> Broadcast:
    return run(
        broadcast_id=BroadcastId(broadcast_id),
        admin_id=ADMIN,
        message=MESSAGE,
        audience=Audience.everyone(),
        created_at=world.clock.now(),
        status_message_id=99,
    )


def test_start_stores_the_broadcast_and_enqueues_its_first_step() -> None:
    world, queue = BroadcastWorld(users=12), InMemoryJobQueue()

    started = start(starter(world, queue, paid=True), world)

    assert (started.total, started.paid, started.status_message_id) == (12, True, 99)
    assert [(t.name, broadcast_id_of(t)) for t in queue.waiting] == [(BROADCAST, B1)]


def test_a_confirmation_pressed_twice_starts_it_once() -> None:
    world, queue = BroadcastWorld(users=3), InMemoryJobQueue()
    run = starter(world, queue)
    start(run, world)
    world.run_to_end()  # it even finished before the second press arrived

    with pytest.raises(BroadcastConfirmed):
        start(run, world)
    assert len(queue.waiting) == 1
    assert sum(world.copies().values()) == 3


def test_a_second_broadcast_while_one_runs_is_refused() -> None:
    world, queue = BroadcastWorld(users=3), InMemoryJobQueue()
    start(starter(world, queue), world)

    with pytest.raises(BroadcastRunning):
        start(starter(world, queue), world, "b2")
    assert world.store.broadcasts.get(BroadcastId("b2")) is None


def test_an_audience_of_nobody_is_refused() -> None:
    world, queue = BroadcastWorld(users=2), InMemoryJobQueue()
    world.store.users.set_banned(UserId(1), True)
    world.store.users.set_blocked(UserId(2), True)

    with pytest.raises(NoRecipients):
        start(starter(world, queue), world)
    assert world.store.broadcasts.current() is None and queue.waiting == []


def test_cancel_stops_a_running_broadcast_and_reports_its_tally() -> None:
    world, notifier = BroadcastWorld(users=30, page_size=10), RecordingNotifier()
    world.start()
    world.engine()(broadcast_id=B1)
    cancel = CancelBroadcast(world.store.broadcasts, world.clock, notifier)

    outcome = cancel(broadcast_id=B1)

    assert outcome is not None
    cancelled, counts = outcome
    assert cancelled.state is BroadcastState.CANCELLED
    assert counts == BroadcastCounts(sent=10, pending=20)
    assert notifier.progress_calls == [(BroadcastState.CANCELLED, counts)]
    assert cancel(broadcast_id=B1) is None  # cancelling it again changes nothing
    assert world.engine()(broadcast_id=B1) is None
    assert sum(world.copies().values()) == 10


def test_cancel_of_a_finished_broadcast_changes_nothing() -> None:
    world = BroadcastWorld(users=3)
    world.start()
    world.run_to_end()

    assert CancelBroadcast(world.store.broadcasts, world.clock)(broadcast_id=B1) is None
    found = world.store.broadcasts.get(B1)
    assert found is not None and found.state is BroadcastState.DONE


def test_the_engine_reports_every_few_seconds_and_announces_the_end_once() -> None:
    world, notifier = BroadcastWorld(users=100, rate=10, page_size=50), RecordingNotifier()
    world.start()
    engine = world.engine()
    object.__setattr__(engine, "notifier", notifier)  # the engine of this test, reporting

    world.run_to_end(engine=engine)  # 10 s at 10/s

    running = [c for state, c in notifier.progress_calls if state is BroadcastState.RUNNING]
    assert 2 <= len(running) <= 3  # every 5 s of the 10, not per message
    assert [c.done for c in running] == sorted(c.done for c in running)
    assert all(c.pending for c in running)  # never "running, 0 left" just before "finished"
    final = BroadcastCounts(sent=100)
    assert notifier.progress_calls[-1] == (BroadcastState.DONE, final)
    assert notifier.finished_calls == [(BroadcastState.DONE, final)]


def test_resume_enqueues_a_broadcast_nobody_is_sending() -> None:
    world, queue = BroadcastWorld(users=30, page_size=10), InMemoryJobQueue()
    world.start()
    resume = ResumeBroadcast(world.store.broadcasts, queue, world.clock)

    assert resume() == B1  # started, its task lost (a restart): picked up
    handler = broadcast_handler(world.engine(worker="bot"))
    follow_up = handler(queue.waiting.pop(0).payload)  # one step of three
    assert follow_up is not None  # the next step, which the queue would enqueue
    assert resume() is None  # the bot holds the lease between its steps: not twice
    world.clock.advance(31)
    assert resume() == B1  # the lease ran out (the bot hung): someone else may go on


def test_resume_takes_a_broadcast_over_from_a_dead_process_at_once() -> None:
    world, queue = BroadcastWorld(users=30, page_size=10), InMemoryJobQueue()
    world.start()
    assert world.engine(worker="dead")(broadcast_id=B1) is not None
    live = ResumeBroadcast(world.store.broadcasts, queue, world.clock)
    assert live() is None

    gone = ResumeBroadcast(
        world.store.broadcasts, queue, world.clock, worker_gone=lambda p: p == "dead"
    )
    assert gone() == B1


def test_resume_has_nothing_to_do_without_a_running_broadcast() -> None:
    world, queue = BroadcastWorld(users=3), InMemoryJobQueue()
    assert ResumeBroadcast(world.store.broadcasts, queue, world.clock)() is None
    world.start()
    world.run_to_end()
    assert ResumeBroadcast(world.store.broadcasts, queue, world.clock)() is None


def test_a_cancel_in_this_process_stops_the_step_before_its_next_send() -> None:
    world, notifier = BroadcastWorld(users=100, page_size=100), RecordingNotifier()
    world.start()
    engine = world.engine()
    cancel = CancelBroadcast(world.store.broadcasts, world.clock, notifier, stops=engine.stops)
    outcome: list[tuple[Broadcast, BroadcastCounts] | None] = []

    class CancelledAtTheTenth:
        def copy_message(self, chat_id: int, *args: int, paid: bool = False) -> int:
            copied = world.messenger.copy_message(chat_id, *args, paid=paid)
            if chat_id == 10:  # the admin presses «Да, остановить» while the 10th goes out
                outcome.append(cancel(broadcast_id=B1))
            return copied

    object.__setattr__(engine, "copier", CancelledAtTheTenth())
    object.__setattr__(engine, "notifier", notifier)
    assert engine(broadcast_id=B1) is None

    assert sum(world.copies().values()) == 10  # not one more after the cancel
    assert outcome[0] is not None and outcome[0][1].sent == 9  # the 10th was in flight
    assert world.store.broadcasts.counts(B1).sent == 10
    states = [state for state, _ in notifier.progress_calls]
    assert states[-1] is BroadcastState.CANCELLED  # never edited back to "running" after it
    assert BroadcastState.RUNNING not in states[states.index(BroadcastState.CANCELLED) :]


def test_a_cancel_between_two_steps_releases_the_handed_lease() -> None:
    world = BroadcastWorld(users=30, page_size=10)
    world.start()
    engine = world.engine(worker="bot")
    lease = engine(broadcast_id=B1)
    assert lease is not None
    CancelBroadcast(world.store.broadcasts, world.clock)(broadcast_id=B1)

    assert engine(broadcast_id=B1, lease_from=lease) is None
    found = world.store.broadcasts.get(B1)
    assert found is not None and found.lease_owner is None
