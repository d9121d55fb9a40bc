"""Stopping the worker pool: pages still drawn when the grace ends are refunded, nothing else."""

from __future__ import annotations

import threading
import time
from collections.abc import Collection

from adapters.queue import InProcessJobQueue
from entrypoints.lifecycle import stop_workers
from paintcore.domain.credits import Balance
from paintcore.domain.jobs import JobState
from paintcore.domain.pages import PageOptions
from paintcore.domain.tasks import PAGE, Payload, Task, page_handler, page_task
from paintcore.domain.users import Profile, UserId
from paintcore.usecases import RecoveryReport
from support.world import World

UID = UserId(3)


class RecordingRecovery:
    """The world's RecoverJobs, remembering which jobs each call was told were abandoned."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.abandoned: list[list[str]] = []

    def __call__(self, *, requeue: bool = True, abandoned: Collection[str] = ()) -> RecoveryReport:
        self.abandoned.append(list(abandoned))
        return self.world.recover(requeue=requeue, abandoned=abandoned)


def _requested(world: World) -> str:
    world.register(profile=Profile(UID, first_name="Оля"), language="ru")
    job = world.request_page(user_id=UID, chat_id=3, description="кот", options=PageOptions())
    world.queue.waiting.clear()  # this test hands it to a real pool instead
    return job.id


def test_pages_still_drawn_when_the_grace_ends_are_refunded_and_not_delivered(
    world: World,
) -> None:
    job_id = _requested(world)
    world.generator.delay = 1.0  # outlasts the grace
    step_started, step_release = threading.Event(), threading.Event()

    def broadcast_step(payload: Payload) -> None:
        step_started.set()
        step_release.wait(10)

    pool = InProcessJobQueue(
        {PAGE: page_handler(world.run_generation), "broadcast-step": broadcast_step}, workers=3
    )
    pool.enqueue(page_task(job_id))
    pool.enqueue(Task("broadcast-step", {"broadcast": "b1"}, id="broadcast:b1:0"))
    assert step_started.wait(10)
    while world.jobs.get(job_id).state is not JobState.RUNNING:  # type: ignore[union-attr]
        time.sleep(0.01)
    recover = RecordingRecovery(world)

    refunded = stop_workers(pool, recover, grace=0.05)

    assert refunded == 1
    assert recover.abandoned == [[job_id]]  # only the page: a broadcast step has no credit
    assert world.jobs.get(job_id).state is JobState.FAILED  # type: ignore[union-attr]
    assert world.ledger.balance(UID) == Balance(free=10)
    assert "прервалась" in world.last_text(3)
    step_release.set()
    assert pool.join(timeout=10)
    assert not [m for m in world.messenger.to(3) if m.kind == "page"]  # dropped, not delivered


def test_a_pool_that_stops_within_the_grace_refunds_nothing(world: World) -> None:
    job_id = _requested(world)
    pool = InProcessJobQueue({PAGE: page_handler(world.run_generation)}, workers=1)
    pool.enqueue(page_task(job_id))
    assert pool.join(timeout=10)
    recover = RecordingRecovery(world)

    assert stop_workers(pool, recover, grace=5) == 0
    assert recover.abandoned == []
    assert world.jobs.get(job_id).state is JobState.SUCCEEDED  # type: ignore[union-attr]
