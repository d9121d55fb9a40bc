"""Stateful property: a page is delivered only while its credit is held by its job.

Hypothesis interleaves, on one store (memory, SQLite, MongoDB on mongomock), what workers and
recovery do: pages opened, taken with a lease by one of two workers, drawn for a while (the clock
moves), renewed by a heartbeat that may stall, delivered when the worker's LeaseKeeper confirms
the lease, settled; recovery passes that take jobs from workers whose lease ran out or that are
known to be dead, or that a shutdown abandoned. After every step: no page was delivered for a job
whose credit was already given back, a delivered page's credit is not released by a recovery
pass running at the same moment, and every job's hold agrees with its state.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Protocol

import mongomock
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from adapters.memory import (
    InMemoryFlags,
    InMemoryJobQueue,
    InMemoryJobs,
    InMemoryLedger,
    InMemoryMessenger,
    InMemoryUsers,
    ManualClock,
)
from adapters.mongo import MongoStore
from adapters.sqlite import SqliteStore
from paintcore.dialog import DialogNotifier
from paintcore.domain.credits import Bucket, HoldState, TransactionKind, registration_key
from paintcore.domain.jobs import Job, JobState, Lease
from paintcore.domain.pages import PageOptions
from paintcore.domain.users import User, UserId
from paintcore.orders import StepwiseOrders
from paintcore.ports import Jobs, Ledger, PageOrders, Users
from paintcore.usecases import RecoverJobs
from paintcore.usecases.lease import LeaseKeeper, Revocations
from support.serialized_mongo import Serialized

LEASE = timedelta(minutes=10)
WORKERS = ("host/1/100", "host/2/200")
USER = UserId(7)


class OrdersStore(Protocol):
    users: Users
    ledger: Ledger
    jobs: Jobs
    orders: PageOrders


class MemoryStore:
    def __init__(self, clock: ManualClock) -> None:
        self.users, self.ledger, self.jobs = InMemoryUsers(), InMemoryLedger(clock), InMemoryJobs()
        self.orders = StepwiseOrders(self.users, self.ledger, self.jobs)


@dataclass
class Worker:
    """A worker's view of the one job it is drawing."""

    name: str
    job_id: str
    keeper: LeaseKeeper
    delivered: bool = False
    heartbeat: bool = True  # False: the process is frozen or dead, it renews nothing
    taken_away: bool = False  # recovery failed its job and gave the credit back


class LeaseMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.store = self.make_store()
        self.revoked = Revocations()  # the workers' process: what its own recovery took away
        self.dead: set[str] = set()
        # Recovery in the workers' own process (a shutdown abandoning pages) shares what it took
        # away with them; recovery in another process does not, and the lease alone must hold.
        self.local = self._recovery(self.revoked)
        self.remote = self._recovery(Revocations())
        self.store.users.add(User(USER, "Аня", "", "anya", "ru", self.clock.now()))
        self.store.ledger.grant(
            user_id=USER,
            amount=1000,
            key=registration_key(USER),
            kind=TransactionKind.REGISTRATION,
            bucket=Bucket.FREE,
        )
        self.workers: dict[str, Worker] = {}
        self.pages = 0
        self.delivered_while_held: list[str] = []

    def make_store(self) -> OrdersStore:
        return MemoryStore(self.clock)

    def _recovery(self, revoked: Revocations) -> RecoverJobs:
        return RecoverJobs(
            self.store.jobs,
            self.store.orders,
            InMemoryJobQueue(),
            DialogNotifier(InMemoryMessenger(), flags=InMemoryFlags(), clock=self.clock),
            self.clock,
            running_timeout=LEASE,
            owner="recovery",
            worker_gone=lambda owner: owner in self.dead,
            revoked=revoked,
        )

    def teardown(self) -> None:
        close = getattr(self.store, "close", None)
        if close is not None:
            close()

    def _job(self, job_id: str) -> Job:
        job = self.store.jobs.get(job_id)
        assert job is not None
        return job

    def _hold(self, job_id: str) -> HoldState:
        hold = self.store.ledger.hold(job_id)
        assert hold is not None
        return hold.state

    # -- workers ---------------------------------------------------------------------------------

    @rule(worker=st.sampled_from(WORKERS))
    def a_worker_takes_a_new_page(self, worker: str) -> None:
        if self.store.jobs.in_flight(USER) is not None:
            return  # one page in flight per user
        self.pages += 1
        job_id = f"job{self.pages}"
        now = self.clock.now()
        self.store.orders.open(
            Job(job_id, USER, 7, "кот", PageOptions(), JobState.QUEUED, created_at=now)
        )
        lease = Lease(worker, now + LEASE)
        assert self.store.orders.take(job_id, at=now, lease=lease) is not None
        self.workers[job_id] = Worker(
            worker,
            job_id,
            LeaseKeeper(
                lambda until, w=worker, j=job_id: self.store.orders.renew(j, owner=w, until=until),
                clock=self.clock,
                length=LEASE,
                until=lease.until,
                job_id=job_id,
                revoked=self.revoked,
            ),
        )

    @rule(minutes=st.integers(min_value=0, max_value=25))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes * 60)

    @rule(data=st.data())
    def a_heartbeat(self, data: st.DataObject) -> None:
        live = [w for w in self.workers.values() if w.heartbeat and not w.delivered]
        if live:
            worker = data.draw(st.sampled_from(live))
            renewed = worker.keeper._renew_now()
            assert renewed is not worker.taken_away

    @rule(data=st.data())
    def a_worker_freezes(self, data: st.DataObject) -> None:
        if self.workers:
            data.draw(st.sampled_from(list(self.workers.values()))).heartbeat = False

    @rule(worker=st.sampled_from(WORKERS))
    def a_worker_process_dies(self, worker: str) -> None:
        self.dead.add(worker)
        for w in self.workers.values():
            if w.name == worker:
                w.heartbeat = False

    @rule(data=st.data())
    def a_worker_delivers_when_its_lease_holds(self, data: st.DataObject) -> None:
        ready = [w for w in self.workers.values() if not w.delivered and w.name not in self.dead]
        if not ready:
            return
        worker = data.draw(st.sampled_from(ready))
        if not worker.keeper.confirm():
            event("a late page dropped")
            del self.workers[worker.job_id]  # dropped: its credit was given back
            return
        assert not worker.taken_away, "a page is delivered after its credit was given back"
        event("a page delivered")
        # The page goes out now: its credit must be held by its job, and stay held even if a
        # recovery pass runs at this very moment.
        assert self._hold(worker.job_id) is HoldState.HELD
        self.remote(requeue=False)
        assert self._hold(worker.job_id) is HoldState.HELD
        worker.delivered = True
        self.delivered_while_held.append(worker.job_id)
        closed = self.store.orders.close(
            worker.job_id, state=JobState.SUCCEEDED, at=self.clock.now()
        )
        assert closed is not None and closed.settled
        del self.workers[worker.job_id]

    # -- recovery ----------------------------------------------------------------------------------

    @rule(local=st.booleans())
    def a_recovery_pass(self, local: bool) -> None:
        report = (self.local if local else self.remote)(requeue=False)
        if report.failed:
            event("recovery took a page away")
        self._forget_finished()

    @rule(data=st.data())
    def a_shutdown_abandons_a_page(self, data: st.DataObject) -> None:
        if self.workers:
            worker = data.draw(st.sampled_from(list(self.workers.values())))
            self.local(requeue=False, abandoned=[worker.job_id])
            self._forget_finished()

    def _forget_finished(self) -> None:
        for job_id, worker in list(self.workers.items()):
            if not self._job(job_id).state.in_flight:
                worker.taken_away = True  # it finds out when it would deliver
                if worker.name in self.dead:
                    del self.workers[job_id]

    # -- invariants --------------------------------------------------------------------------------

    @invariant()
    def holds_agree_with_job_states(self) -> None:
        for number in range(1, self.pages + 1):
            job = self._job(f"job{number}")
            expected = {
                JobState.RUNNING: HoldState.HELD,
                JobState.SUCCEEDED: HoldState.CAPTURED,
                JobState.FAILED: HoldState.RELEASED,
            }[job.state]
            assert self._hold(job.id) is expected

    @invariant()
    def every_delivered_page_was_paid_for(self) -> None:
        for job_id in self.delivered_while_held:
            assert self._hold(job_id) is HoldState.CAPTURED


class SqliteLeaseMachine(LeaseMachine):
    def make_store(self) -> OrdersStore:
        self.directory = Path(tempfile.mkdtemp(prefix="paintbot-leases-"))
        return SqliteStore(self.directory / "leases.sqlite3", self.clock)

    def teardown(self) -> None:
        super().teardown()
        shutil.rmtree(self.directory, ignore_errors=True)


class MongoLeaseMachine(LeaseMachine):
    def make_store(self) -> OrdersStore:
        client = Serialized(mongomock.MongoClient())
        return MongoStore(client, "leases", self.clock)  # type: ignore[arg-type]


LEASE_SETTINGS = settings(max_examples=80, stateful_step_count=50, deadline=None)

TestInMemoryLeases = LeaseMachine.TestCase
TestInMemoryLeases.settings = LEASE_SETTINGS
TestSqliteLeases = SqliteLeaseMachine.TestCase
TestSqliteLeases.settings = LEASE_SETTINGS
TestMongoLeases = MongoLeaseMachine.TestCase
TestMongoLeases.settings = LEASE_SETTINGS
