"""RequestColoringPage: validates, reserves one credit, enqueues; refusals cost nothing."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paintcore.domain.credits import Balance, Bucket, HoldState, TransactionKind
from paintcore.domain.errors import (
    InvalidPrompt,
    JobInFlight,
    QuotaExceeded,
    StorageUnavailable,
    UserBanned,
    UserNotFound,
)
from paintcore.domain.jobs import JobState
from paintcore.domain.pages import PageOptions
from paintcore.domain.payments import Payment
from paintcore.domain.users import Profile, UserId
from support.world import World, build_world

UID = UserId(7)


def _registered(world: World, credits: int = 10) -> World:
    world.register(profile=Profile(UID, first_name="Ира"), language="ru")
    if credits != 10:
        # Spend down to the wanted balance through the real flow.
        for _ in range(10 - credits):
            job = world.request_page(
                user_id=UID, chat_id=7, description="кот в шляпе", options=PageOptions()
            )
            world.queue.run_pending()
            assert world.jobs.get(job.id).state is JobState.SUCCEEDED  # type: ignore[union-attr]
    return world


def test_request_reserves_one_credit_and_enqueues_the_job(world: World) -> None:
    _registered(world)
    job = world.request_page(
        user_id=UID, chat_id=7, description="  кот   в шляпе ", options=PageOptions()
    )

    assert job.description == "кот в шляпе"
    assert job.state is JobState.QUEUED
    assert world.queue.pending == [job.id]
    assert world.ledger.balance(UID) == Balance(free=9, held=1)
    hold = world.ledger.hold(job.id)
    assert hold is not None and hold.bucket is Bucket.FREE and hold.state is HoldState.HELD


@pytest.mark.parametrize(
    ("description", "reason"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        (None, "empty"),
        ("ab", "too_short"),
        ("x" * 1001, "too_long"),
        ("я" * 5000, "too_long"),
    ],
)
def test_bad_descriptions_are_refused_and_cost_nothing(
    world: World, description: str | None, reason: str
) -> None:
    _registered(world)
    with pytest.raises(InvalidPrompt) as refused:
        world.request_page(user_id=UID, chat_id=7, description=description, options=PageOptions())

    assert refused.value.reason == reason
    assert world.ledger.balance(UID) == Balance(free=10)
    assert world.queue.pending == []


def test_limits_are_inclusive(world: World) -> None:
    _registered(world)
    world.request_page(user_id=UID, chat_id=7, description="кот", options=PageOptions())
    world.queue.run_pending()
    job = world.request_page(user_id=UID, chat_id=7, description="y" * 1000, options=PageOptions())
    assert len(job.description) == 1000


def test_second_request_while_one_is_in_flight_is_refused_for_free(world: World) -> None:
    _registered(world)
    world.request_page(user_id=UID, chat_id=7, description="кот в шляпе", options=PageOptions())
    with pytest.raises(JobInFlight):
        world.request_page(user_id=UID, chat_id=7, description="собака", options=PageOptions())

    assert world.ledger.balance(UID) == Balance(free=9, held=1)
    assert len(world.queue.pending) == 1


def test_no_credits_left_raises_quota_exceeded_and_creates_no_job(world: World) -> None:
    _registered(world, credits=0)
    with pytest.raises(QuotaExceeded):
        world.request_page(user_id=UID, chat_id=7, description="кот в шляпе", options=PageOptions())
    assert world.jobs.in_flight(UID) is None
    assert world.ledger.balance(UID) == Balance()


def test_unknown_and_banned_users_are_refused(world: World) -> None:
    with pytest.raises(UserNotFound):
        world.request_page(user_id=UID, chat_id=7, description="кот в шляпе", options=PageOptions())
    _registered(world)
    world.users.set_banned(UID, True)
    with pytest.raises(UserBanned):
        world.request_page(user_id=UID, chat_id=7, description="кот в шляпе", options=PageOptions())
    assert world.ledger.balance(UID) == Balance(free=10)


def test_queue_down_gives_the_credit_back_and_frees_the_slot(world: World) -> None:
    _registered(world)
    world.queue.unavailable = True
    with pytest.raises(StorageUnavailable):
        world.request_page(user_id=UID, chat_id=7, description="кот в шляпе", options=PageOptions())

    assert world.ledger.balance(UID) == Balance(free=10)
    assert world.jobs.in_flight(UID) is None
    kinds = [t.kind for t in world.ledger.transactions(UID)]
    assert kinds == [TransactionKind.REGISTRATION, TransactionKind.RESERVE, TransactionKind.RELEASE]


def test_paid_credits_are_spent_only_after_free_ones(world: World) -> None:
    _registered(world, credits=1)
    world.ledger.purchase(Payment("c1", "stars", UID, 5, 25, "XTR", world.clock.now()))
    first = world.request_page(
        user_id=UID, chat_id=7, description="кот в шляпе", options=PageOptions()
    )
    world.queue.run_pending()
    second = world.request_page(
        user_id=UID, chat_id=7, description="кот в шляпе", options=PageOptions()
    )

    assert world.ledger.hold(first.id).bucket is Bucket.FREE  # type: ignore[union-attr]
    assert world.ledger.hold(second.id).bucket is Bucket.PAID  # type: ignore[union-attr]
    assert world.ledger.balance(UID) == Balance(free=0, paid=4, held=1)


@settings(max_examples=25, deadline=None)
@given(
    credits=st.integers(min_value=0, max_value=3), threads=st.integers(min_value=2, max_value=12)
)
def test_many_threads_for_one_user_make_at_most_one_job(credits: int, threads: int) -> None:
    world = build_world(free_credits=credits)
    world.register(profile=Profile(UID), language="ru")
    barrier = threading.Barrier(threads)
    made, refused = [], []

    def request() -> None:
        barrier.wait()
        try:
            made.append(
                world.request_page(
                    user_id=UID, chat_id=7, description="кот в шляпе", options=PageOptions()
                )
            )
        except (JobInFlight, QuotaExceeded) as exc:
            refused.append(exc)

    workers = [threading.Thread(target=request) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()

    expected = 1 if credits >= 1 else 0
    assert len(made) == expected
    assert len(refused) == threads - expected
    assert world.ledger.balance(UID) == Balance(free=credits - expected, held=expected)
    assert len(world.queue.pending) == expected
