"""Job leases: a page is delivered only while its credit is held by its job; a live worker keeps
its job however slow the image API is; recovery takes jobs only from workers that are gone."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import pytest

from adapters.memory import (
    FakeImageGenerator,
    FakePageFinisher,
    InMemoryFlags,
    InMemoryJobQueue,
    InMemoryJobs,
    InMemoryLedger,
    InMemoryMessenger,
    InMemoryUsers,
)
from adapters.system_clock import SystemClock
from paintcore.dialog import DialogNotifier
from paintcore.domain.credits import Balance, HoldState
from paintcore.domain.jobs import Job, JobState, Lease
from paintcore.domain.pages import PageOptions, RenderedImage
from paintcore.domain.users import Profile, UserId
from paintcore.orders import StepwiseOrders
from paintcore.ports import Clock, PageOrders
from paintcore.usecases import RecoverJobs, RegisterUser, RequestColoringPage, RunGeneration
from paintcore.usecases.lease import LeaseKeeper
from support.world import World

UID = UserId(5)


def _queued(world: World) -> Job:
    world.register(profile=Profile(UID, first_name="Петя"), language="ru")
    return world.request_page(user_id=UID, chat_id=5, description="кот", options=PageOptions())


def _recovery(world: World, *, gone: frozenset[str] = frozenset()) -> RecoverJobs:
    return RecoverJobs(
        world.jobs,
        world.run_generation.orders,
        world.queue,
        world.run_generation.notifier,
        world.clock,
        owner="recovery",
        worker_gone=lambda owner: owner in gone,
    )


# -- defect 1: a refunded page is never delivered -------------------------------------------------


def test_a_page_whose_job_recovery_took_away_is_dropped_not_delivered(world: World) -> None:
    job = _queued(world)
    generate = world.generator.generate

    def slower_than_the_lease(**kwargs: object) -> RenderedImage:
        # While the image API is busy, the worker stops renewing (frozen, say) past its lease and
        # the periodic recovery pass takes the job away: released, and the user is told.
        world.clock.advance(timedelta(minutes=11).total_seconds())
        assert world.recover(requeue=False).failed == 1
        return generate(**kwargs)  # type: ignore[arg-type]

    object.__setattr__(world.generator, "generate", slower_than_the_lease)

    world.run_generation(job_id=job.id)

    kinds = [m.kind for m in world.messenger.to(5)]
    assert "page" not in kinds  # the late page is dropped, not sent for free
    assert "прервалась" in world.last_text(5)
    assert world.ledger.balance(UID) == Balance(free=10)
    assert world.ledger.hold(job.id).state is HoldState.RELEASED  # type: ignore[union-attr]
    stored = world.jobs.get(job.id)
    assert stored is not None and stored.state is JobState.FAILED


def test_after_the_dropped_page_the_next_one_is_delivered_and_counted_right(world: World) -> None:
    test_a_page_whose_job_recovery_took_away_is_dropped_not_delivered(world)
    object.__delattr__(world.generator, "generate")

    second = world.request_page(user_id=UID, chat_id=5, description="пёс", options=PageOptions())
    world.run_generation(job_id=second.id)

    [page] = [m for m in world.messenger.to(5) if m.kind == "page"]
    assert "Осталось раскрасок: 9" in page.text
    assert world.ledger.balance(UID) == Balance(free=9)


@dataclass
class CountingRenewals:
    """The store's orders, counting lease renewals (each one a round trip to the store)."""

    orders: PageOrders
    renewals: list[str] = field(default_factory=list)

    def __getattr__(self, name: str) -> object:
        return getattr(self.orders, name)

    def renew(self, job_id: str, *, owner: str, until: datetime) -> bool:
        self.renewals.append(job_id)
        return self.orders.renew(job_id, owner=owner, until=until)


def test_a_worker_whose_lease_is_still_long_delivers_without_asking_the_store(
    world: World,
) -> None:
    job = _queued(world)
    counting = CountingRenewals(world.run_generation.orders)
    run = replace(world.run_generation, orders=counting)  # type: ignore[arg-type]

    run(job_id=job.id)

    assert counting.renewals == []  # the lease taken a moment ago is proof enough
    assert [m.kind for m in world.messenger.to(5)].count("page") == 1


def test_a_worker_whose_lease_is_half_gone_renews_it_before_delivering(world: World) -> None:
    job = _queued(world)
    counting = CountingRenewals(world.run_generation.orders)
    run = replace(world.run_generation, orders=counting)  # type: ignore[arg-type]
    generate = world.generator.generate

    def slow(**kwargs: object) -> RenderedImage:
        world.clock.advance(timedelta(minutes=6).total_seconds())  # past half the 10 minutes
        return generate(**kwargs)  # type: ignore[arg-type]

    object.__setattr__(world.generator, "generate", slow)
    run(job_id=job.id)

    assert counting.renewals == [job.id]
    assert [m.kind for m in world.messenger.to(5)].count("page") == 1


# -- a live worker keeps its job, however slow the image API --------------------------------------


def test_a_live_worker_keeps_its_job_while_the_image_api_outlasts_the_lease() -> None:
    clock: Clock = SystemClock()
    users, ledger, jobs = InMemoryUsers(), InMemoryLedger(clock), InMemoryJobs()
    orders, messenger, queue = StepwiseOrders(users, ledger, jobs), InMemoryMessenger(), None
    notifier = DialogNotifier(messenger, flags=InMemoryFlags(), clock=clock)
    RegisterUser(users, ledger, clock, free_credits=10)(profile=Profile(UID, "Петя"), language="ru")
    queue = InMemoryJobQueue()
    job = RequestColoringPage(orders, queue, clock)(
        user_id=UID, chat_id=5, description="кот", options=PageOptions()
    )
    lease = timedelta(seconds=1)  # renewed every 0.25 s; the image API takes 2.5 s
    run = RunGeneration(
        orders,
        users,
        FakeImageGenerator(delay=2.5),
        FakePageFinisher(),
        notifier,
        clock,
        worker="w1",
        lease_for=lease,
    )
    recover = RecoverJobs(jobs, orders, queue, notifier, clock, running_timeout=lease)
    stop = threading.Event()
    interrupted: list[int] = []

    def periodic_recovery() -> None:
        while not stop.wait(0.05):
            interrupted.append(recover(requeue=False).failed)

    watcher = threading.Thread(target=periodic_recovery)
    watcher.start()
    try:
        done = run(job_id=job.id)
    finally:
        stop.set()
        watcher.join()

    assert done is not None and done.state is JobState.SUCCEEDED
    assert sum(interrupted) == 0 and len(interrupted) > 10  # recovery looked, and left it alone
    assert [m.kind for m in messenger.sent].count("page") == 1
    assert ledger.balance(UID) == Balance(free=9)


# -- defect 2: after a crash, the stuck job is released at once, not after the timeout -----------


def test_a_job_of_a_worker_known_to_be_dead_is_released_at_once(world: World) -> None:
    job = _queued(world)
    now = world.clock.now()
    world.run_generation.orders.take(
        job.id, at=now, lease=Lease("host/1/old", now + timedelta(minutes=10))
    )

    report = _recovery(world, gone=frozenset({"host/1/old"}))(requeue=False)

    assert report.failed == 1
    assert world.ledger.balance(UID) == Balance(free=10)
    assert "прервалась" in world.last_text(5)
    again = world.request_page(user_id=UID, chat_id=5, description="пёс", options=PageOptions())
    assert again.state is JobState.QUEUED  # not "I am still drawing your previous page"


def test_a_job_of_a_live_worker_with_a_live_lease_is_left_alone(world: World) -> None:
    job = _queued(world)
    now = world.clock.now()
    world.run_generation.orders.take(
        job.id, at=now, lease=Lease("host/2/now", now + timedelta(minutes=10))
    )
    world.clock.advance(timedelta(minutes=9).total_seconds())

    assert _recovery(world, gone=frozenset({"host/1/old"}))(requeue=False).failed == 0
    stored = world.jobs.get(job.id)
    assert stored is not None and stored.state is JobState.RUNNING


def test_a_job_whose_lease_ran_out_is_released(world: World) -> None:
    job = _queued(world)
    now = world.clock.now()
    world.run_generation.orders.take(
        job.id, at=now, lease=Lease("elsewhere/9/1", now + timedelta(minutes=10))
    )
    world.clock.advance(timedelta(minutes=10, seconds=1).total_seconds())

    assert _recovery(world)(requeue=False).failed == 1
    assert world.ledger.balance(UID) == Balance(free=10)


def test_a_job_abandoned_at_shutdown_is_taken_from_its_own_worker_who_then_drops_it(
    world: World,
) -> None:
    job = _queued(world)
    generate = world.generator.generate

    def shutdown_gives_up(**kwargs: object) -> RenderedImage:
        assert world.recover(requeue=False, abandoned=[job.id]).failed == 1
        return generate(**kwargs)  # type: ignore[arg-type]

    object.__setattr__(world.generator, "generate", shutdown_gives_up)
    world.run_generation(job_id=job.id)

    assert "page" not in [m.kind for m in world.messenger.to(5)]
    assert world.ledger.balance(UID) == Balance(free=10)


# -- the heartbeat ---------------------------------------------------------------------------------


def test_the_keeper_renews_on_every_beat_and_notices_when_the_lease_is_gone() -> None:
    clock = SystemClock()
    answers = iter([True, True, False])
    calls: list[object] = []

    def renew(until: object) -> bool:
        calls.append(until)
        return next(answers)

    length = timedelta(seconds=0.2)  # a beat every 0.05 s
    with LeaseKeeper(renew, clock=clock, length=length, until=clock.now() + length) as keeper:
        deadline = threading.Event()
        while len(calls) < 3 and not deadline.wait(0.01):
            pass

    assert len(calls) == 3  # it stopped beating once the lease was gone
    assert keeper.confirm() is False


def test_a_failing_store_does_not_stop_the_heartbeat() -> None:
    clock = SystemClock()
    calls: list[int] = []

    def flaky(until: object) -> bool:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("storage hiccup")
        return True

    length = timedelta(seconds=0.2)
    with LeaseKeeper(flaky, clock=clock, length=length, until=clock.now() + length) as keeper:
        waiting = threading.Event()
        while len(calls) < 3 and not waiting.wait(0.01):
            pass

    assert len(calls) >= 3
    assert keeper.confirm() is True


@pytest.mark.parametrize("length", [timedelta(0), timedelta(seconds=-1)])
def test_a_lease_must_last_some_time(length: timedelta) -> None:
    with pytest.raises(ValueError, match="last"):
        LeaseKeeper(
            lambda until: True, clock=SystemClock(), length=length, until=SystemClock().now()
        )
