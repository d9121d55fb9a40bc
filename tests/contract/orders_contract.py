"""The PageOrders contract, run against every store's orders (subclasses provide `world`).

`world` gives the orders of one store together with that store's users, ledger and jobs, through
which the tests look at what open, take and close did. Its ledger must use the `clock` fixture.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest

from adapters.memory import ManualClock
from contract import ledger_contract
from contract.ledger_contract import account_totals, give_paid
from contract.racing import race
from paintcore.domain.credits import (
    Balance,
    Bucket,
    Hold,
    HoldState,
    SystemAccount,
    Transaction,
    TransactionKind,
    capture_key,
    release_key,
    reserve_key,
    system_account,
    user_account,
)
from paintcore.domain.errors import JobInFlight, QuotaExceeded, UserBanned, UserNotFound
from paintcore.domain.jobs import ClosedJob, Job, JobState
from paintcore.domain.pages import PageOptions
from paintcore.domain.users import User, UserId
from paintcore.ports import Jobs, Ledger, PageOrders, Users

ANNA = UserId(1)
BORIS = UserId(2)
VERA = UserId(3)
FINAL_STATES = (JobState.SUCCEEDED, JobState.FAILED)


@dataclass(frozen=True)
class OrdersWorld:
    """The ports of one store: the orders under test and the ports that show their effects."""

    users: Users
    ledger: Ledger
    jobs: Jobs
    orders: PageOrders


def a_user(user_id: UserId, *, banned: bool = False) -> User:
    return User(
        id=user_id,
        first_name=f"User {user_id}",
        last_name="",
        username=f"user{user_id}",
        language="en",
        registered_at=datetime(2025, 12, 1, 9, 0, tzinfo=UTC),
        banned=banned,
    )


def register(
    world: OrdersWorld, user_id: UserId, *, free: int = 0, paid: int = 0, banned: bool = False
) -> User:
    """Add the user with `free` registration credits and `paid` bought ones."""
    user = a_user(user_id, banned=banned)
    assert world.users.add(user)
    if free:
        give_free(world, user_id, free)
    if paid:
        buy(world, user_id, paid, charge=f"first-{user_id}")
    return user


def give_free(world: OrdersWorld, user_id: UserId, amount: int) -> None:
    ledger_contract.give_free(world.ledger, user_id, amount)


def buy(world: OrdersWorld, user_id: UserId, amount: int, *, charge: str) -> None:
    give_paid(world.ledger, user_id, amount, charge)


def register_with(world: OrdersWorld, user_id: UserId, bucket: Bucket, amount: int) -> User:
    """Add the user with `amount` credits in `bucket` (free or paid) only."""
    if bucket is Bucket.FREE:
        return register(world, user_id, free=amount)
    return register(world, user_id, paid=amount)


def only(bucket: Bucket, amount: int) -> Balance:
    """A wallet with `amount` credits in `bucket` and nothing elsewhere."""
    return Balance(**{bucket.value: amount})


def a_page(job_id: str, user_id: UserId, clock: ManualClock) -> Job:
    """A new queued job of the user, created now."""
    return Job(
        id=job_id,
        user_id=user_id,
        chat_id=1000 + user_id,
        description="a cat in a hat",
        options=PageOptions(),
        state=JobState.QUEUED,
        created_at=clock.now(),
    )


def later(clock: ManualClock, seconds: float = 10) -> datetime:
    clock.advance(seconds)
    return clock.now()


def running(world: OrdersWorld, job_id: str, user_id: UserId, clock: ManualClock) -> None:
    """Open a page of the user and take it: it is running, its credit held."""
    world.orders.open(a_page(job_id, user_id, clock))
    assert world.orders.take(job_id, at=later(clock)) is not None


def keys(transactions: list[Transaction]) -> list[str]:
    return [t.key for t in transactions]


class PageOrdersContract:
    # -- open ----------------------------------------------------------------------------------

    def test_open_stores_the_job_queued_and_returns_it(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, free=3)
        job = a_page("j1", ANNA, clock)

        opened = world.orders.open(job)

        assert opened == job
        assert world.jobs.get("j1") == job
        assert world.jobs.in_flight(ANNA) == job

    def test_open_holds_one_free_credit_first(self, world: OrdersWorld, clock: ManualClock) -> None:
        register(world, ANNA, free=2, paid=5)

        world.orders.open(a_page("j1", ANNA, clock))

        assert world.ledger.balance(ANNA) == Balance(free=1, paid=5, held=1)
        assert world.ledger.hold("j1") == Hold("j1", ANNA, Bucket.FREE, 1, HoldState.HELD)

    def test_open_holds_a_paid_credit_when_the_free_bucket_is_empty(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, paid=2)

        world.orders.open(a_page("j1", ANNA, clock))

        assert world.ledger.balance(ANNA) == Balance(free=0, paid=1, held=1)
        assert world.ledger.hold("j1") == Hold("j1", ANNA, Bucket.PAID, 1, HoldState.HELD)

    def test_open_logs_one_move_from_the_bucket_to_held(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, paid=2)
        before = world.ledger.transactions(ANNA)

        world.orders.open(a_page("j1", ANNA, clock))

        added = world.ledger.transactions(ANNA)[len(before) :]
        assert [(t.key, t.kind, t.source, t.target, t.amount) for t in added] == [
            (
                reserve_key("j1"),
                TransactionKind.RESERVE,
                user_account(ANNA, Bucket.PAID),
                user_account(ANNA, Bucket.HELD),
                1,
            )
        ]

    # -- refusals: nothing stored, nothing held ----------------------------------------------

    def assert_refused(
        self,
        world: OrdersWorld,
        job: Job,
        error: type[Exception],
        *,
        in_flight: Job | None = None,
    ) -> None:
        """`open(job)` raises `error` and leaves the store as it was."""
        balance = world.ledger.balance(job.user_id)
        log = world.ledger.transactions()

        with pytest.raises(error):
            world.orders.open(job)

        assert world.jobs.get(job.id) is None
        assert world.jobs.in_flight(job.user_id) == in_flight
        assert world.ledger.hold(job.id) is None
        assert world.ledger.balance(job.user_id) == balance
        assert world.ledger.transactions() == log

    def test_open_for_an_unknown_user_raises_user_not_found_even_with_credits(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        give_free(world, ANNA, 3)  # credited, but never added to the users

        self.assert_refused(world, a_page("j1", ANNA, clock), UserNotFound)

        assert world.ledger.balance(ANNA) == Balance(free=3)

    def test_open_for_a_banned_user_raises_user_banned_even_with_credits(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, free=3, paid=2, banned=True)

        self.assert_refused(world, a_page("j1", ANNA, clock), UserBanned)

        assert world.ledger.balance(ANNA) == Balance(free=3, paid=2)

    def test_open_for_a_user_banned_after_registering_raises_user_banned(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, free=3)
        world.users.set_banned(ANNA, True)

        self.assert_refused(world, a_page("j1", ANNA, clock), UserBanned)

    @pytest.mark.parametrize("taken", [False, True], ids=["queued", "running"])
    def test_open_with_a_job_in_flight_raises_job_in_flight(
        self, world: OrdersWorld, clock: ManualClock, taken: bool
    ) -> None:
        register(world, ANNA, free=3, paid=3)
        first = world.orders.open(a_page("j1", ANNA, clock))
        if taken:
            took = world.orders.take("j1", at=later(clock))
            assert took is not None
            first = took.job

        self.assert_refused(world, a_page("j2", ANNA, clock), JobInFlight, in_flight=first)

        assert world.ledger.balance(ANNA) == Balance(free=2, paid=3, held=1)

    def test_open_without_credits_raises_quota_exceeded(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA)

        self.assert_refused(world, a_page("j1", ANNA, clock), QuotaExceeded)

        assert world.ledger.balance(ANNA) == Balance()

    def test_open_after_the_last_credit_was_spent_raises_quota_exceeded(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, free=1)
        running(world, "j1", ANNA, clock)
        assert world.orders.close("j1", state=JobState.SUCCEEDED, at=later(clock)) is not None

        self.assert_refused(world, a_page("j2", ANNA, clock), QuotaExceeded)

        assert world.ledger.balance(ANNA) == Balance()

    def test_a_banned_user_without_credits_is_refused_as_banned(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, banned=True)

        self.assert_refused(world, a_page("j1", ANNA, clock), UserBanned)

    def test_a_banned_user_with_a_job_in_flight_is_refused_as_banned(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, free=3)
        first = world.orders.open(a_page("j1", ANNA, clock))
        world.users.set_banned(ANNA, True)

        self.assert_refused(world, a_page("j2", ANNA, clock), UserBanned, in_flight=first)

    def test_a_job_in_flight_is_named_before_the_lack_of_credits(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, free=1)
        first = world.orders.open(a_page("j1", ANNA, clock))
        assert world.ledger.balance(ANNA).available == 0

        self.assert_refused(world, a_page("j2", ANNA, clock), JobInFlight, in_flight=first)

    @pytest.mark.parametrize("outcome", FINAL_STATES)
    def test_a_finished_earlier_job_does_not_block_a_new_open(
        self, world: OrdersWorld, clock: ManualClock, outcome: JobState
    ) -> None:
        register(world, ANNA, free=3)
        world.orders.open(a_page("j1", ANNA, clock))
        assert world.orders.take("j1", at=later(clock)) is not None
        assert world.orders.close("j1", state=outcome, at=later(clock), error="x") is not None
        second = a_page("j2", ANNA, clock)

        assert world.orders.open(second) == second

        assert world.jobs.in_flight(ANNA) == second
        assert world.ledger.hold("j2") == Hold("j2", ANNA, Bucket.FREE, 1, HoldState.HELD)

    def test_open_for_one_user_does_not_block_another(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, free=1)
        register(world, BORIS, paid=1)
        world.orders.open(a_page("a1", ANNA, clock))

        world.orders.open(a_page("b1", BORIS, clock))

        assert world.ledger.balance(ANNA) == Balance(held=1)
        assert world.ledger.balance(BORIS) == Balance(held=1)
        held_by_boris = world.jobs.in_flight(BORIS)
        assert held_by_boris is not None and held_by_boris.id == "b1"

    # -- take ----------------------------------------------------------------------------------

    def test_take_moves_the_job_to_running_and_tells_the_worker_what_it_needs(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        user = register(world, ANNA, free=10)
        job = world.orders.open(a_page("j1", ANNA, clock))
        started = later(clock)

        taken = world.orders.take("j1", at=started)

        assert taken is not None
        running = replace(job, state=JobState.RUNNING, started_at=started)
        assert taken.job == running
        assert world.jobs.get("j1") == running
        assert world.jobs.in_flight(ANNA) == running
        assert taken.user == user
        assert taken.held is True
        assert taken.credits_left == 9
        assert world.ledger.balance(ANNA) == Balance(free=9, held=1)

    def test_take_counts_free_and_paid_credits_as_left(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, free=1, paid=4)
        world.orders.open(a_page("j1", ANNA, clock))

        taken = world.orders.take("j1", at=later(clock))

        assert taken is not None
        assert taken.credits_left == 4

    def test_take_of_a_taken_job_is_none_and_keeps_its_start(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, free=3)
        world.orders.open(a_page("j1", ANNA, clock))
        first = world.orders.take("j1", at=later(clock))
        assert first is not None

        assert world.orders.take("j1", at=later(clock)) is None

        assert world.jobs.get("j1") == first.job
        assert world.ledger.balance(ANNA) == Balance(free=2, held=1)

    @pytest.mark.parametrize("outcome", FINAL_STATES)
    def test_take_of_a_finished_job_is_none(
        self, world: OrdersWorld, clock: ManualClock, outcome: JobState
    ) -> None:
        register(world, ANNA, free=3)
        world.orders.open(a_page("j1", ANNA, clock))
        assert world.orders.take("j1", at=later(clock)) is not None
        closed = world.orders.close("j1", state=outcome, at=later(clock))
        assert closed is not None

        assert world.orders.take("j1", at=later(clock)) is None

        assert world.jobs.get("j1") == closed.job

    def test_take_of_a_job_failed_while_queued_is_none(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, free=3)
        world.orders.open(a_page("j1", ANNA, clock))
        closed = world.orders.close("j1", state=JobState.FAILED, at=later(clock))
        assert closed is not None

        assert world.orders.take("j1", at=later(clock)) is None

        assert world.jobs.get("j1") == closed.job
        assert world.jobs.in_flight(ANNA) is None

    def test_take_of_an_unknown_job_is_none(self, world: OrdersWorld, clock: ManualClock) -> None:
        assert world.orders.take("nope", at=later(clock)) is None
        assert world.jobs.get("nope") is None

    # -- close as succeeded --------------------------------------------------------------------

    @pytest.mark.parametrize("bucket", [Bucket.FREE, Bucket.PAID])
    def test_close_succeeded_spends_the_held_credit(
        self, world: OrdersWorld, clock: ManualClock, bucket: Bucket
    ) -> None:
        user = register_with(world, ANNA, bucket, 3)
        world.orders.open(a_page("j1", ANNA, clock))
        taken = world.orders.take("j1", at=later(clock))
        assert taken is not None
        finished = later(clock)

        closed = world.orders.close("j1", state=JobState.SUCCEEDED, at=finished)

        assert closed is not None
        done = replace(taken.job, state=JobState.SUCCEEDED, finished_at=finished)
        assert closed.job == done
        assert world.jobs.get("j1") == done
        assert world.jobs.in_flight(ANNA) is None
        assert closed.settled is True
        assert closed.user == user
        assert world.ledger.balance(ANNA) == only(bucket, 2)
        assert world.ledger.hold("j1") == Hold("j1", ANNA, bucket, 1, HoldState.CAPTURED)

    def test_close_succeeded_logs_reserve_and_capture_and_the_accounts_add_up(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, free=2, paid=1)
        world.orders.open(a_page("j1", ANNA, clock))
        assert world.orders.take("j1", at=later(clock)) is not None

        assert world.orders.close("j1", state=JobState.SUCCEEDED, at=later(clock)) is not None

        log = world.ledger.transactions(ANNA)
        assert {reserve_key("j1"), capture_key("j1")} <= set(keys(log))
        assert release_key("j1") not in keys(log)
        [capture] = [t for t in log if t.key == capture_key("j1")]
        assert (capture.kind, capture.source, capture.target, capture.amount) == (
            TransactionKind.CAPTURE,
            user_account(ANNA, Bucket.HELD),
            system_account(SystemAccount.SPENT),
            1,
        )
        totals = account_totals(log)
        assert world.ledger.balance(ANNA) == Balance(free=1, paid=1)
        assert world.ledger.balance(ANNA) == Balance(
            free=totals[user_account(ANNA, Bucket.FREE)],
            paid=totals[user_account(ANNA, Bucket.PAID)],
            held=totals[user_account(ANNA, Bucket.HELD)],
        )

    def test_close_succeeded_of_a_queued_job_is_none_and_keeps_the_credit_held(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, free=3)
        job = world.orders.open(a_page("j1", ANNA, clock))
        log = world.ledger.transactions()

        assert world.orders.close("j1", state=JobState.SUCCEEDED, at=later(clock)) is None

        assert world.jobs.get("j1") == job
        assert world.jobs.in_flight(ANNA) == job
        assert world.ledger.hold("j1") == Hold("j1", ANNA, Bucket.FREE, 1, HoldState.HELD)
        assert world.ledger.balance(ANNA) == Balance(free=2, held=1)
        assert world.ledger.transactions() == log

    # -- close as failed -----------------------------------------------------------------------

    @pytest.mark.parametrize("bucket", [Bucket.FREE, Bucket.PAID])
    @pytest.mark.parametrize("taken", [False, True], ids=["queued", "running"])
    def test_close_failed_gives_the_credit_back_to_its_bucket(
        self, world: OrdersWorld, clock: ManualClock, taken: bool, bucket: Bucket
    ) -> None:
        user = register_with(world, ANNA, bucket, 3)
        job = world.orders.open(a_page("j1", ANNA, clock))
        if taken:
            took = world.orders.take("j1", at=later(clock))
            assert took is not None
            job = took.job
        finished = later(clock)

        closed = world.orders.close(
            "j1", state=JobState.FAILED, at=finished, error="the backend is down"
        )

        assert closed is not None
        done = replace(
            job, state=JobState.FAILED, finished_at=finished, error="the backend is down"
        )
        assert closed.job == done
        assert world.jobs.get("j1") == done
        assert world.jobs.in_flight(ANNA) is None
        assert closed.settled is True
        assert closed.user == user
        assert world.ledger.balance(ANNA) == only(bucket, 3)
        assert world.ledger.hold("j1") == Hold("j1", ANNA, bucket, 1, HoldState.RELEASED)

    def test_close_failed_logs_a_release_back_to_the_bucket(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, paid=1)
        world.orders.open(a_page("j1", ANNA, clock))

        assert world.orders.close("j1", state=JobState.FAILED, at=later(clock)) is not None

        log = world.ledger.transactions(ANNA)
        assert {reserve_key("j1"), release_key("j1")} <= set(keys(log))
        assert capture_key("j1") not in keys(log)
        [release] = [t for t in log if t.key == release_key("j1")]
        assert (release.kind, release.source, release.target, release.amount) == (
            TransactionKind.RELEASE,
            user_account(ANNA, Bucket.HELD),
            user_account(ANNA, Bucket.PAID),
            1,
        )
        assert account_totals(log)[user_account(ANNA, Bucket.PAID)] == 1

    # -- closing what cannot be closed ---------------------------------------------------------

    @pytest.mark.parametrize("second", FINAL_STATES)
    @pytest.mark.parametrize("first", FINAL_STATES)
    def test_a_second_close_is_none_and_changes_nothing(
        self, world: OrdersWorld, clock: ManualClock, first: JobState, second: JobState
    ) -> None:
        register(world, ANNA, free=2, paid=2)
        world.orders.open(a_page("j1", ANNA, clock))
        assert world.orders.take("j1", at=later(clock)) is not None
        closed = world.orders.close("j1", state=first, at=later(clock), error="first")
        assert closed is not None
        balance, hold, log = (
            world.ledger.balance(ANNA),
            world.ledger.hold("j1"),
            world.ledger.transactions(),
        )

        again = world.orders.close("j1", state=second, at=later(clock), error="second")

        assert again is None
        assert world.jobs.get("j1") == closed.job
        assert world.ledger.balance(ANNA) == balance
        assert world.ledger.hold("j1") == hold
        assert world.ledger.transactions() == log

    def test_close_failed_after_succeeded_gives_no_refund(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, free=3)
        world.orders.open(a_page("j1", ANNA, clock))
        assert world.orders.take("j1", at=later(clock)) is not None
        assert world.orders.close("j1", state=JobState.SUCCEEDED, at=later(clock)) is not None

        assert world.orders.close("j1", state=JobState.FAILED, at=later(clock)) is None

        assert world.ledger.balance(ANNA) == Balance(free=2)
        assert release_key("j1") not in keys(world.ledger.transactions())
        done = world.jobs.get("j1")
        assert done is not None and done.state is JobState.SUCCEEDED

    def test_close_of_an_unknown_job_is_none(self, world: OrdersWorld, clock: ManualClock) -> None:
        register(world, ANNA, free=3)
        log = world.ledger.transactions()

        for state in FINAL_STATES:
            assert world.orders.close("nope", state=state, at=later(clock)) is None

        assert world.jobs.get("nope") is None
        assert world.ledger.transactions() == log

    @pytest.mark.parametrize("state", [JobState.QUEUED, JobState.RUNNING])
    @pytest.mark.parametrize("taken", [False, True], ids=["queued", "running"])
    def test_close_as_queued_or_running_raises_value_error_and_changes_nothing(
        self, world: OrdersWorld, clock: ManualClock, state: JobState, taken: bool
    ) -> None:
        register(world, ANNA, free=3)
        job = world.orders.open(a_page("j1", ANNA, clock))
        if taken:
            took = world.orders.take("j1", at=later(clock))
            assert took is not None
            job = took.job
        log = world.ledger.transactions()

        with pytest.raises(ValueError):
            world.orders.close("j1", state=state, at=later(clock))

        assert world.jobs.get("j1") == job
        assert world.ledger.hold("j1") == Hold("j1", ANNA, Bucket.FREE, 1, HoldState.HELD)
        assert world.ledger.transactions() == log

    # -- after close ---------------------------------------------------------------------------

    @pytest.mark.parametrize("outcome", FINAL_STATES)
    def test_after_close_the_user_can_open_again(
        self, world: OrdersWorld, clock: ManualClock, outcome: JobState
    ) -> None:
        register(world, ANNA, paid=2)
        world.orders.open(a_page("j1", ANNA, clock))
        assert world.orders.take("j1", at=later(clock)) is not None
        assert world.orders.close("j1", state=outcome, at=later(clock)) is not None
        assert world.jobs.in_flight(ANNA) is None

        second = world.orders.open(a_page("j2", ANNA, clock))

        assert world.jobs.in_flight(ANNA) == second
        left = 1 if outcome is JobState.SUCCEEDED else 2
        assert world.ledger.balance(ANNA) == Balance(paid=left - 1, held=1)

    def test_the_whole_ledger_balances_after_many_orders(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, free=3, paid=1)
        register(world, BORIS, paid=2)
        register(world, VERA, free=1)

        def order(job_id: str, user_id: UserId, outcome: JobState, *, take: bool = True) -> None:
            world.orders.open(a_page(job_id, user_id, clock))
            if take:
                assert world.orders.take(job_id, at=later(clock)) is not None
            assert world.orders.close(job_id, state=outcome, at=later(clock)) is not None

        order("a1", ANNA, JobState.SUCCEEDED)
        order("b1", BORIS, JobState.FAILED)
        order("a2", ANNA, JobState.FAILED, take=False)
        order("v1", VERA, JobState.SUCCEEDED)
        order("b2", BORIS, JobState.SUCCEEDED)
        buy(world, VERA, 2, charge="vera-2")
        order("v2", VERA, JobState.FAILED)
        world.orders.open(a_page("a3", ANNA, clock))  # left in flight
        assert world.orders.take("a3", at=later(clock)) is not None

        log = world.ledger.transactions()
        totals = account_totals(log)

        assert sum(totals.values()) == 0
        assert all(t.amount > 0 and t.source != t.target for t in log)
        assert len(set(keys(log))) == len(log)
        assert totals[system_account(SystemAccount.SPENT)] == 3
        assert totals[system_account(SystemAccount.GRANTS)] == -4
        assert totals[system_account(SystemAccount.SALES)] == -5
        for user in (ANNA, BORIS, VERA):
            assert world.ledger.balance(user) == Balance(
                free=totals[user_account(user, Bucket.FREE)],
                paid=totals[user_account(user, Bucket.PAID)],
                held=totals[user_account(user, Bucket.HELD)],
            )
            assert world.ledger.transactions(user) == [t for t in log if t.user_id == user]
        assert world.ledger.balance(ANNA) == Balance(free=1, paid=1, held=1)
        assert world.ledger.balance(BORIS) == Balance(paid=1)
        assert world.ledger.balance(VERA) == Balance(paid=2)

    # -- races (two bot processes, or a worker and the recovery) ---------------------------------

    def test_racing_opens_of_one_user_store_one_job_and_hold_one_credit(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, free=3)

        outcomes = race(8, lambda i: world.orders.open(a_page(f"r{i}", ANNA, clock)))

        opened = [o for o in outcomes if isinstance(o, Job)]
        assert len(opened) == 1
        assert all(isinstance(o, JobInFlight) for o in outcomes if not isinstance(o, Job))
        assert world.ledger.balance(ANNA) == Balance(free=2, held=1)
        in_flight = world.jobs.in_flight(ANNA)
        assert in_flight is not None and in_flight.id == opened[0].id

    def test_racing_opens_for_the_last_credit_of_one_user_hold_it_once(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, free=1)

        outcomes = race(8, lambda i: world.orders.open(a_page(f"r{i}", ANNA, clock)))

        assert sum(isinstance(o, Job) for o in outcomes) == 1
        assert all(isinstance(o, (Job, JobInFlight, QuotaExceeded)) for o in outcomes)
        assert world.ledger.balance(ANNA) == Balance(held=1)

    def test_racing_closes_of_one_job_settle_its_credit_once(
        self, world: OrdersWorld, clock: ManualClock
    ) -> None:
        register(world, ANNA, free=3)
        running(world, "r1", ANNA, clock)

        outcomes = race(
            8, lambda i: world.orders.close("r1", state=FINAL_STATES[i % 2], at=later(clock))
        )

        assert sum(isinstance(o, ClosedJob) and o.settled for o in outcomes) <= 1
        assert all(o is None or isinstance(o, ClosedJob) for o in outcomes)
        settlements = [
            t.key
            for t in world.ledger.transactions(ANNA)
            if t.key in (capture_key("r1"), release_key("r1"))
        ]
        assert len(settlements) == 1
        captured = settlements == [capture_key("r1")]
        assert world.ledger.balance(ANNA) == (Balance(free=2) if captured else Balance(free=3))
        job = world.jobs.get("r1")
        assert job is not None and job.state in FINAL_STATES
