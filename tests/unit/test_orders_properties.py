"""Stateful properties of PageOrders, run against the orders of the memory, SQLite and Mongo stores.

Hypothesis drives random interleavings of registrations, purchases, bans, and pages opened, taken
and closed (replays and closes that cannot happen included) through one store's PageOrders, and
after every step checks the store, through its Users, Ledger and Jobs ports, against a model kept
here and against the ledger's own log.

Each backend is a subclass that overrides `make_store()` (and `teardown()` when it leaves
something behind). The Mongo machine adds crash rules: a step runs on a store that dies between
its two writes (an open after the wallet took the credit, before the job was stored; a close after
the job was settled, before the wallet), reconcile() heals, and the model changes as the step
promises (`closed`), or not at all for an open that never stored its job.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

import mongomock
import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)

from adapters.memory import InMemoryJobs, InMemoryLedger, InMemoryUsers, ManualClock
from adapters.mongo import MongoOrders, MongoStore
from adapters.mongo.holds import Holds
from adapters.sqlite import SqliteStore
from paintcore.domain.credits import (
    Balance,
    Bucket,
    HoldState,
    SystemAccount,
    TransactionKind,
    capture_key,
    registration_key,
    release_key,
    reserve_key,
    system_account,
    user_account,
)
from paintcore.domain.errors import JobInFlight, QuotaExceeded, UserBanned, UserNotFound
from paintcore.domain.jobs import Job, JobState, can_move
from paintcore.domain.pages import PageOptions
from paintcore.domain.payments import Payment
from paintcore.domain.users import User, UserId
from paintcore.orders import StepwiseOrders
from paintcore.ports import Jobs, Ledger, PageOrders, Users
from support.interrupting import Interrupting, SimulatedCrash
from support.serialized_mongo import Serialized

USERS = (UserId(1), UserId(2))  # two, so that one of them runs out of credits now and then
FREE_ON_REGISTRATION = 3
BUCKETS = (Bucket.FREE, Bucket.PAID, Bucket.HELD)
REGISTERED = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)

users = st.sampled_from(USERS)


class OrdersStore(Protocol):
    """What the machine drives and looks through: one store's ports."""

    users: Users
    ledger: Ledger
    jobs: Jobs
    orders: PageOrders


@dataclass
class MemoryStore:
    clock: ManualClock
    users: Users = field(init=False)
    ledger: Ledger = field(init=False)
    jobs: Jobs = field(init=False)
    orders: PageOrders = field(init=False)

    def __post_init__(self) -> None:
        self.users = InMemoryUsers()
        self.ledger = InMemoryLedger(self.clock)
        self.jobs = InMemoryJobs()
        self.orders = StepwiseOrders(self.users, self.ledger, self.jobs)


@dataclass
class ModelJob:
    """What a job and its hold must be: its user, state, and the bucket its credit came from."""

    user: UserId
    state: JobState
    bucket: Bucket
    hold: HoldState = HoldState.HELD
    credits_left_at_open: int = 0


class OrdersMachine(RuleBasedStateMachine):
    """One store's PageOrders under random use, next to a model of every wallet and job."""

    registered_users = Bundle("registered_users")
    known_jobs = Bundle("known_jobs")

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.store = self.make_store()
        self.registered: dict[UserId, bool] = {}  # each registered user -> whether banned
        self.wallets = {user: dict.fromkeys(BUCKETS, 0) for user in USERS}
        self.model_jobs: dict[str, ModelJob] = {}
        self.refused: set[str] = set()
        self.spent = 0
        self.next_job = 0
        self.next_charge = 0

    def make_store(self) -> OrdersStore:
        raise NotImplementedError

    def teardown(self) -> None:
        close = getattr(self.store, "close", None)
        if close is not None:
            close()

    # -- the model's steps (the hook for crash rules of a subclass) ---------------------------

    def in_flight(self, user: UserId) -> str | None:
        """The model's queued or running job of the user."""
        return next(
            (
                job_id
                for job_id, job in self.model_jobs.items()
                if job.user == user and job.state.in_flight
            ),
            None,
        )

    def refusal(self, user: UserId) -> type[Exception] | None:
        """The error open must raise for the user now, in the documented order, or None."""
        if user not in self.registered:
            return UserNotFound
        if self.registered[user]:
            return UserBanned
        if self.in_flight(user) is not None:
            return JobInFlight
        wallet = self.wallets[user]
        if wallet[Bucket.FREE] + wallet[Bucket.PAID] < 1:
            return QuotaExceeded
        return None

    def available(self, user: UserId) -> int:
        return self.wallets[user][Bucket.FREE] + self.wallets[user][Bucket.PAID]

    def opened(self, job_id: str, user: UserId) -> Bucket:
        """The model after `open` of a job for the user: one credit held, free bucket first."""
        wallet = self.wallets[user]
        bucket = Bucket.FREE if wallet[Bucket.FREE] >= 1 else Bucket.PAID
        wallet[bucket] -= 1
        wallet[Bucket.HELD] += 1
        self.model_jobs[job_id] = ModelJob(
            user, JobState.QUEUED, bucket, credits_left_at_open=self.available(user)
        )
        return bucket

    def taken(self, job_id: str) -> None:
        """The model after a job was taken."""
        self.model_jobs[job_id].state = JobState.RUNNING

    def closed(self, job_id: str, state: JobState) -> bool:
        """The model after a job was closed as `state`; whether that settled its hold."""
        job = self.model_jobs[job_id]
        job.state = state
        if job.hold is not HoldState.HELD:
            return False
        wallet = self.wallets[job.user]
        wallet[Bucket.HELD] -= 1
        if state is JobState.SUCCEEDED:
            job.hold = HoldState.CAPTURED
            self.spent += 1
        else:
            job.hold = HoldState.RELEASED
            wallet[job.bucket] += 1
        return True

    # -- users and credits ---------------------------------------------------------------------

    @initialize(target=registered_users, user=users)
    def first_user(self, user: UserId) -> object:
        """Someone is registered from the start, so that most runs get to pages at all."""
        return self.register(user)

    @rule(target=registered_users, user=users)
    def register(self, user: UserId) -> object:
        new = user not in self.registered
        added = self.store.users.add(
            User(user, f"User {user}", "", f"user{user}", "en", REGISTERED)
        )
        granted = self.store.ledger.grant(
            user_id=user,
            amount=FREE_ON_REGISTRATION,
            key=registration_key(user),
            kind=TransactionKind.REGISTRATION,
            bucket=Bucket.FREE,
        )

        assert added is new
        assert granted is new
        if not new:
            return multiple()
        self.registered[user] = False
        self.wallets[user][Bucket.FREE] += FREE_ON_REGISTRATION
        return user

    @rule(user=users, amount=st.integers(1, 3))
    def buy(self, user: UserId, amount: int) -> None:
        charge = f"charge-{self.next_charge}"
        self.next_charge += 1

        assert self.store.ledger.purchase(
            Payment(charge, "stars", user, amount, amount * 5, "XTR", self.clock.now())
        )

        self.wallets[user][Bucket.PAID] += amount

    @rule(user=users, banned=st.booleans())
    def ban(self, user: UserId, banned: bool) -> None:
        if user not in self.registered:
            with pytest.raises(UserNotFound):
                self.store.users.set_banned(user, banned)
            return
        self.store.users.set_banned(user, banned)
        self.registered[user] = banned

    @rule(seconds=st.integers(0, 120))
    def time_passes(self, seconds: int) -> None:
        self.clock.advance(seconds)

    # -- pages ---------------------------------------------------------------------------------

    @rule(target=known_jobs, user=registered_users)
    def open(self, user: UserId) -> object:
        return self.check_open(user)

    @rule(target=known_jobs, user=users)
    def open_for_anyone(self, user: UserId) -> object:
        """Registered or not (UserNotFound until they register)."""
        return self.check_open(user)

    @rule(job_id=known_jobs)
    def take(self, job_id: str) -> None:
        """Take any page opened so far: most were taken or closed already."""
        self.check_take(job_id)

    @rule(user=registered_users)
    def take_the_page_in_flight(self, user: UserId) -> None:
        """What a worker does: take the user's queued page (no-op when there is none)."""
        job_id = self.in_flight(user)
        if job_id is not None:
            self.check_take(job_id)

    @rule(job_id=known_jobs, succeeded=st.booleans())
    def close(self, job_id: str, succeeded: bool) -> None:
        """Close any page opened so far: replays, and succeeded-while-queued, included."""
        self.check_close(job_id, succeeded)

    @rule(user=registered_users, succeeded=st.booleans())
    def close_the_page_in_flight(self, user: UserId, succeeded: bool) -> None:
        """What a worker (or recovery) does: close the user's queued or running page."""
        job_id = self.in_flight(user)
        if job_id is not None:
            self.check_close(job_id, succeeded)

    @rule(target=known_jobs, user=registered_users, succeeded=st.booleans())
    def a_whole_page(self, user: UserId, succeeded: bool) -> object:
        """The usual life of a page in one step: opened, taken and closed (if it could open)."""
        job_id = self.check_open(user)
        if isinstance(job_id, str):
            self.check_take(job_id)
            self.check_close(job_id, succeeded)
        return job_id

    @rule(job_id=known_jobs, state=st.sampled_from([JobState.QUEUED, JobState.RUNNING]))
    def close_as_not_final(self, job_id: str, state: JobState) -> None:
        before = self.store.jobs.get(job_id)

        with pytest.raises(ValueError):
            self.store.orders.close(job_id, state=state, at=self.clock.now())

        assert self.store.jobs.get(job_id) == before

    @rule(job=st.integers(1000, 1002), succeeded=st.booleans())
    def unknown_job(self, job: int, succeeded: bool) -> None:
        job_id = f"job-{job}"
        state = JobState.SUCCEEDED if succeeded else JobState.FAILED

        assert self.store.orders.take(job_id, at=self.clock.now()) is None
        assert self.store.orders.close(job_id, state=state, at=self.clock.now()) is None

    def check_open(self, user: UserId) -> object:
        job = Job(
            id=f"job-{self.next_job}",
            user_id=user,
            chat_id=1000 + user,
            description="a cat in a hat",
            options=PageOptions(),
            state=JobState.QUEUED,
            created_at=self.clock.now(),
        )
        self.next_job += 1
        refusal = self.refusal(user)
        if refusal is not None:
            with pytest.raises(refusal):
                self.store.orders.open(job)
            assert self.store.jobs.get(job.id) is None
            assert self.store.ledger.hold(job.id) is None
            self.refused.add(job.id)
            return multiple()

        assert self.store.orders.open(job) == job

        self.opened(job.id, user)
        return job.id

    def check_take(self, job_id: str) -> None:
        known = self.model_jobs[job_id]
        at = self.clock.now()
        before = self.store.jobs.get(job_id)

        taken = self.store.orders.take(job_id, at=at)

        if known.state is not JobState.QUEUED:
            assert taken is None
            assert self.store.jobs.get(job_id) == before
            return
        assert taken is not None
        assert (taken.job.id, taken.job.state, taken.job.started_at) == (
            job_id,
            JobState.RUNNING,
            at,
        )
        assert taken.job == self.store.jobs.get(job_id)
        assert taken.user is not None and taken.user.id == known.user
        assert taken.held is (known.hold is HoldState.HELD)
        # "What the user may still spend besides this page": now, or as of the request (a store
        # may copy it into the job at open, see docs/MONGO.md); both are right by the port.
        assert taken.credits_left in {self.available(known.user), known.credits_left_at_open}
        self.taken(job_id)

    def check_close(self, job_id: str, succeeded: bool) -> None:
        state = JobState.SUCCEEDED if succeeded else JobState.FAILED
        error = "" if succeeded else f"backend down ({job_id})"
        known = self.model_jobs[job_id]
        at = self.clock.now()
        before = self.store.jobs.get(job_id)

        closed = self.store.orders.close(job_id, state=state, at=at, error=error)

        if not can_move(known.state, state):
            assert closed is None
            assert self.store.jobs.get(job_id) == before
            return
        assert closed is not None
        assert (closed.job.id, closed.job.state, closed.job.finished_at, closed.job.error) == (
            job_id,
            state,
            at,
            error,
        )
        assert closed.job == self.store.jobs.get(job_id)
        assert closed.user is not None and closed.user.id == known.user
        assert closed.settled is self.closed(job_id, state)

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def wallets_match_the_model_and_are_never_negative(self) -> None:
        for user in USERS:
            balance = self.store.ledger.balance(user)
            expected = self.wallets[user]
            assert balance == Balance(
                expected[Bucket.FREE], expected[Bucket.PAID], expected[Bucket.HELD]
            )
            assert min(balance.free, balance.paid, balance.held) >= 0

    @invariant()
    def jobs_match_the_model_with_one_in_flight_per_user_at_most(self) -> None:
        stored = {job_id: self.store.jobs.get(job_id) for job_id in self.model_jobs}
        for job_id, known in self.model_jobs.items():
            job = stored[job_id]
            assert job is not None and (job.user_id, job.state) == (known.user, known.state)
        for job_id in self.refused:
            assert self.store.jobs.get(job_id) is None
        for user in USERS:
            flying = [
                j
                for j in stored.values()
                if j is not None and j.user_id == user and j.state.in_flight
            ]
            assert len(flying) <= 1
            in_flight = self.store.jobs.in_flight(user)
            assert (in_flight.id if in_flight else None) == self.in_flight(user)
            assert [j.id for j in flying] == ([in_flight.id] if in_flight else [])

    @invariant()
    def holds_match_the_model_and_settle_at_most_once(self) -> None:
        counted = Counter(t.key for t in self.store.ledger.transactions())
        for job_id, known in self.model_jobs.items():
            hold = self.store.ledger.hold(job_id)
            assert hold is not None
            assert (hold.user_id, hold.bucket, hold.amount, hold.state) == (
                known.user,
                known.bucket,
                1,
                known.hold,
            )
            captures, releases = counted[capture_key(job_id)], counted[release_key(job_id)]
            assert counted[reserve_key(job_id)] == 1
            assert captures + releases <= 1
            assert (captures, releases) == (
                int(known.hold is HoldState.CAPTURED),
                int(known.hold is HoldState.RELEASED),
            )
        for job_id in self.refused:
            assert self.store.ledger.hold(job_id) is None
            assert counted[reserve_key(job_id)] == 0

    @invariant()
    def the_log_sums_to_zero_and_explains_every_wallet(self) -> None:
        log = self.store.ledger.transactions()
        totals: Counter[str] = Counter()
        for t in log:
            assert t.amount > 0 and t.source != t.target
            totals[t.source] -= t.amount
            totals[t.target] += t.amount

        assert sum(totals.values()) == 0
        assert len({t.key for t in log}) == len(log)
        assert totals[system_account(SystemAccount.SPENT)] == self.spent
        for user in USERS:
            assert self.store.ledger.balance(user) == Balance(
                *(totals[user_account(user, bucket)] for bucket in BUCKETS)
            )
            assert self.store.ledger.transactions(user) == [t for t in log if t.user_id == user]


class InMemoryOrdersMachine(OrdersMachine):
    def make_store(self) -> OrdersStore:
        return MemoryStore(self.clock)


class SqliteOrdersMachine(OrdersMachine):
    def make_store(self) -> OrdersStore:
        # A fresh file per run: Hypothesis builds many machines in one test.
        self.directory = Path(tempfile.mkdtemp(prefix="paintbot-orders-"))
        return SqliteStore(self.directory / "orders.sqlite3", self.clock)

    def teardown(self) -> None:
        super().teardown()
        shutil.rmtree(self.directory, ignore_errors=True)


class MongoOrdersMachine(OrdersMachine):
    """On mongomock, with crashes between the two writes of a step, healed by reconcile()."""

    store: MongoStore

    def make_store(self) -> MongoStore:
        self.client = Serialized(mongomock.MongoClient())
        self.undone: set[str] = set()
        return MongoStore(self.client, "orders_props", self.clock)  # type: ignore[arg-type]

    def crashing(self, collection: str, method: str) -> MongoOrders:
        """The store's orders on a connection that dies before its next `collection.method`."""
        db = self.client.get_database("orders_props")
        users, wallets, jobs = (
            Interrupting(db.get_collection(name), method)
            if name == collection
            else db.get_collection(name)
            for name in ("users", "wallets", "jobs")
        )
        return MongoOrders(users, wallets, jobs, Holds(wallets, jobs, self.clock), self.clock)

    def reconcile(self) -> int:
        """Heal at once: no step is on its way here, so no grace period is needed."""
        return self.store.reconcile(timedelta(0))

    @rule(user=OrdersMachine.registered_users)
    def open_dies_before_its_job_is_stored(self, user: UserId) -> None:
        if self.refusal(user) is not None:
            return
        job_id = f"job-{self.next_job}"
        self.next_job += 1
        job = Job(
            job_id, user, 1000 + user, "a cat", PageOptions(), JobState.QUEUED, self.clock.now()
        )
        with pytest.raises(SimulatedCrash):
            self.crashing("jobs", "insert_one").open(job)

        assert self.reconcile() == 1

        # The credit is back, and the job id is spent: a late insert of it would be refused.
        self.undone.add(job_id)
        event("an open died before its job was stored")

    @rule(job_id=OrdersMachine.known_jobs, succeeded=st.booleans())
    def close_dies_before_its_wallet_update(self, job_id: str, succeeded: bool) -> None:
        known = self.model_jobs[job_id]
        state = JobState.SUCCEEDED if succeeded else JobState.FAILED
        if known.hold is not HoldState.HELD or not can_move(known.state, state):
            return  # nothing would reach the wallet
        with pytest.raises(SimulatedCrash):
            self.crashing("wallets", "update_one").close(job_id, state=state, at=self.clock.now())

        assert self.reconcile() == 1

        self.closed(job_id, state)
        event("a close died before its wallet update")

    @invariant()
    def an_undone_page_left_no_job_and_gave_its_credit_back(self) -> None:
        counted = Counter(t.key for t in self.store.ledger.transactions())
        for job_id in self.undone:
            assert self.store.jobs.get(job_id) is None
            hold = self.store.ledger.hold(job_id)
            assert hold is not None and hold.state is HoldState.RELEASED
            assert counted[reserve_key(job_id)] == counted[release_key(job_id)] == 1

    @invariant()
    def nothing_is_left_half_done(self) -> None:
        assert self.reconcile() == 0


PROPERTY_SETTINGS = settings(max_examples=100, stateful_step_count=60, deadline=None)

TestInMemoryOrdersProperties = InMemoryOrdersMachine.TestCase
TestInMemoryOrdersProperties.settings = PROPERTY_SETTINGS
TestSqliteOrdersProperties = SqliteOrdersMachine.TestCase
TestSqliteOrdersProperties.settings = PROPERTY_SETTINGS
TestMongoOrdersProperties = MongoOrdersMachine.TestCase
TestMongoOrdersProperties.settings = PROPERTY_SETTINGS
