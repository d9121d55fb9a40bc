"""The application wired on RQ (REDIS_URL set) with a real redis-server: pages and broadcast steps
enqueued by the use cases run in an RQ worker (burst mode, this process) through the container's
handlers; a page whose credit recovery gave back is not drawn when its job runs after all."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from dependency_injector import providers

from adapters.memory import (
    CountingPacer,
    FakeImageGenerator,
    FakePageFinisher,
    InMemoryMessenger,
)
from adapters.queue import InProcessJobQueue
from adapters.rq_queue import RedisPeriodLock, RqTaskQueue
from contract.users_contract import a_user
from entrypoints import rq_jobs
from entrypoints.container import Container
from entrypoints.lifecycle import stop_workers
from entrypoints.periodic import EveryProcess, in_turn
from entrypoints.settings import Settings
from paintcore.domain.broadcasts import Audience, BroadcastId, CopiedMessage
from paintcore.domain.errors import StorageUnavailable
from paintcore.domain.jobs import JobState, Lease
from paintcore.domain.pages import PageOptions
from paintcore.domain.tasks import page_task
from paintcore.domain.users import Profile, UserId
from support.redis_server import RedisServer

ADMIN = 900


@dataclass
class RqWorld:
    container: Container
    messenger: InMemoryMessenger
    generator: FakeImageGenerator

    def register(self, user_id: int) -> None:
        profile = Profile(
            UserId(user_id), first_name="Аня", username=f"u{user_id}", language_code="ru"
        )
        self.container.register_user()(profile=profile, language="ru")

    def request(self, user_id: int) -> str:
        job = self.container.request_page()(
            user_id=UserId(user_id), chat_id=user_id, description="кот", options=PageOptions()
        )
        return str(job.id)

    def work(self) -> None:
        self.container.rq_worker().work(burst=True, level="WARNING")

    def pages_to(self, user_id: int) -> int:
        return sum(1 for m in self.messenger.to(user_id) if m.kind == "page")


@pytest.fixture
def world(redis_server: RedisServer, tmp_path: Path) -> Iterator[RqWorld]:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        REDIS_URL=redis_server.url,
        PAINTBOT_DB_PATH=str(tmp_path / "bot.sqlite3"),
        ADMIN_IDS=str(ADMIN),
    )
    container = Container(settings=settings)
    messenger, generator = InMemoryMessenger(), FakeImageGenerator()
    for provider, fake in (
        (container.messenger, messenger),
        (container.generator, generator),
        (container.finisher, FakePageFinisher()),
        (container.moderator, container.word_list()),
        (container.pacer, CountingPacer()),
    ):
        provider.override(providers.Object(fake))
    rq_jobs.bind(container.task_handlers(), container.queue())
    yield RqWorld(container, messenger, generator)
    rq_jobs.unbind()
    container.store().close()


def test_with_redis_url_every_process_enqueues_on_rq_and_the_console_keeps_its_own(
    world: RqWorld,
) -> None:
    container = world.container
    assert isinstance(container.queue(), RqTaskQueue)
    assert isinstance(container.period_lock(), RedisPeriodLock)
    # The bot's shutdown with an RQ queue: nothing runs here, nothing to refund.
    assert stop_workers(container.queue(), container.recover_jobs(), grace=0.1) == 0
    container.queue_kind.override("in_process")  # what `paintbot console` does
    assert isinstance(container.queue(), InProcessJobQueue)


def test_pages_requested_anywhere_are_drawn_by_the_worker_once_each(world: RqWorld) -> None:
    users = [501, 502, 503]
    for user in users:
        world.register(user)
        world.request(user)
    assert world.container.queue().depth() == 3

    world.work()

    assert [world.pages_to(user) for user in users] == [1, 1, 1]
    ledger = world.container.ledger()
    assert {(ledger.balance(UserId(u)).free, ledger.balance(UserId(u)).held) for u in users} == {
        (9, 0)
    }
    # A page task run again (recovery handing it over once more) changes nothing.
    for job in world.container.jobs().recent(limit=10):
        world.container.queue().enqueue(page_task(job.id))
    world.work()
    assert [world.pages_to(user) for user in users] == [1, 1, 1]
    assert len(world.generator.prompts) == 3


def test_a_page_refunded_by_recovery_is_skipped_when_its_task_runs_after_all(
    world: RqWorld,
) -> None:
    """The worker died holding the page (its lease names a dead process on this host): recovery
    fails it and gives the credit back; the RQ job, retried or re-run, must not draw it."""
    world.register(601)
    job_id = world.request(601)
    now = world.container.clock().now()
    dead = f"{socket.gethostname()}/999999/1"
    taken = world.container.orders().take(
        job_id, at=now, lease=Lease(dead, now + timedelta(minutes=10))
    )
    assert taken is not None

    report = world.container.recover_jobs()(requeue=False)
    assert report.failed == 1
    world.work()  # the page task still waits in RQ

    assert world.pages_to(601) == 0 and world.generator.prompts == []
    job = world.container.jobs().get(job_id)
    assert job is not None and job.state is JobState.FAILED
    balance = world.container.ledger().balance(UserId(601))
    assert (balance.free, balance.held) == (10, 0), "the credit is back, once"


def test_a_broadcast_runs_as_rq_jobs_step_after_step_to_everyone(world: RqWorld) -> None:
    store = world.container.store()
    for user in range(700, 720):
        store.users.add(a_user(user))
    clock = world.container.clock()
    world.container.start_broadcast()(
        broadcast_id=BroadcastId("b-rq"),
        admin_id=UserId(ADMIN),
        message=CopiedMessage(from_chat_id=ADMIN, message_id=1),
        audience=Audience.everyone(),
        created_at=clock.now(),
    )

    world.work()

    copied = sorted(m.chat_id for m in world.messenger.copies())
    assert copied == list(range(700, 720))
    done = store.broadcasts.get(BroadcastId("b-rq"))
    assert done is not None and done.state.value == "done"


def test_a_periodic_task_runs_in_one_process_per_period_and_anyway_when_the_lock_is_down(
    world: RqWorld, redis_server: RedisServer
) -> None:
    ran: list[str] = []
    bot = in_turn(world.container.period_lock(), "recovery", 60, lambda: ran.append("bot"))
    other = RedisPeriodLock(redis_server.client(), owner="another/1/1")
    worker = in_turn(other, "recovery", 60, lambda: ran.append("worker"))

    bot()
    worker()
    bot()
    assert ran == ["bot"]
    in_turn(EveryProcess(), "recovery", 60, lambda: ran.append("alone"))()
    redis_server.stop()
    worker()  # the lock cannot be asked: a refund must not wait for Redis
    assert ran == ["bot", "alone", "worker"]
    with pytest.raises(StorageUnavailable):
        other.once("recovery", 60)


def test_redis_lost_while_running_fails_the_request_with_the_credit_back(
    world: RqWorld, redis_server: RedisServer
) -> None:
    world.register(801)
    redis_server.stop()

    with pytest.raises(StorageUnavailable):
        world.request(801)

    balance = world.container.ledger().balance(UserId(801))
    assert (balance.free, balance.held) == (10, 0)
    assert world.container.jobs().in_flight(UserId(801)) is None, "the job was closed as failed"
