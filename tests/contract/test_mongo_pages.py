"""MongoOrders: a page's credit held, taken and settled through its job document, and healed
when a step dies between its writes (the same holds as MongoLedger's, docs/MONGO.md)."""

from __future__ import annotations

import pytest

from adapters.memory import ManualClock
from adapters.mongo import MongoStore
from contract.users_contract import a_user
from paintcore.domain.credits import (
    Balance,
    Bucket,
    Hold,
    HoldState,
    capture_key,
    release_key,
    reserve_key,
)
from paintcore.domain.errors import JobInFlight, StorageUnavailable
from paintcore.domain.jobs import JobState
from support.interrupting import SimulatedCrash
from support.mongo_backends import Backend
from support.mongo_movements import (
    ANNA,
    PAST_GRACE,
    a_page,
    assert_log_explains_wallets,
    backend_fixture,  # noqa: F401 (a fixture)
    interrupted_orders,
    registered,
    store_fixture,  # noqa: F401 (a fixture)
    unsettled,
)


def test_a_page_is_opened_with_its_hold_and_a_snapshot_in_one_job_document(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    registered(store)

    store.orders.open(a_page(clock))

    document = backend.db.jobs.find_one({"_id": "p1"})
    assert document["hold"]["state"] == "held" and document["hold"]["bucket"] == "free"
    assert document["user"]["first_name"] == a_user(ANNA).first_name
    assert document["credits_left"] == 2
    assert unsettled(backend) == ["p1"]
    taken = store.orders.take("p1", at=clock.now())
    assert taken is not None and taken.held and taken.credits_left == 2
    closed = store.orders.close("p1", state=JobState.SUCCEEDED, at=clock.now())
    assert closed is not None and closed.settled
    assert unsettled(backend) == []  # a settled hold leaves the wallet; its record stays
    assert backend.db.transactions.count_documents({}) == 0
    assert [t.key for t in store.ledger.transactions(ANNA)][-2:] == [
        reserve_key("p1"),
        capture_key("p1"),
    ]


def test_a_page_whose_job_was_never_stored_gets_its_credit_back_from_reconcile(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    registered(store)
    crashing = interrupted_orders(backend, clock, jobs=("insert_one", 1))
    with pytest.raises(SimulatedCrash):
        crashing.open(a_page(clock))
    assert store.ledger.balance(ANNA) == Balance(free=2, held=1)
    assert store.reconcile() == 0
    clock.advance(PAST_GRACE)

    assert store.reconcile() == 1

    assert store.ledger.balance(ANNA) == Balance(free=3)
    assert store.jobs.get("p1") is None and store.jobs.in_flight(ANNA) is None
    assert [t.key for t in store.ledger.transactions(ANNA)][-2:] == [
        reserve_key("p1"),
        release_key("p1"),
    ]
    assert_log_explains_wallets(store.ledger, ANNA)
    assert store.reconcile() == 0
    store.orders.open(a_page(clock, "p2"))  # nothing is left in flight
    assert store.ledger.balance(ANNA) == Balance(free=2, held=1)


def test_a_reserve_that_finds_a_page_half_opened_undoes_it_as_reconcile_would(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    registered(store)
    crashing = interrupted_orders(backend, clock, jobs=("insert_one", 1))
    with pytest.raises(SimulatedCrash):
        crashing.open(a_page(clock))

    # The page's job can only come from its opener: finishing its reserve means undoing it.
    hold = store.ledger.reserve(user_id=ANNA, job_id="p1")

    assert hold == Hold("p1", ANNA, Bucket.FREE, 1, HoldState.RELEASED)
    assert store.ledger.balance(ANNA) == Balance(free=3)
    assert unsettled(backend) == [] and store.jobs.get("p1") is None
    assert_log_explains_wallets(store.ledger, ANNA)
    clock.advance(PAST_GRACE)
    assert store.reconcile() == 0


def test_a_page_that_stalled_past_reconcile_is_undone_and_not_stored(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    registered(store)

    def stall() -> None:
        clock.advance(PAST_GRACE)
        assert store.reconcile() == 1

    stalling = interrupted_orders(backend, clock, jobs=("insert_one", 1), action=stall)
    with pytest.raises(StorageUnavailable, match="too long"):
        stalling.open(a_page(clock))

    assert store.ledger.balance(ANNA) == Balance(free=3)
    assert store.jobs.get("p1") is None and store.jobs.in_flight(ANNA) is None
    assert_log_explains_wallets(store.ledger, ANNA)
    assert store.reconcile() == 0


@pytest.mark.parametrize("state", [JobState.SUCCEEDED, JobState.FAILED])
def test_a_close_that_died_before_its_wallet_update_is_applied_by_reconcile(
    backend: Backend, store: MongoStore, clock: ManualClock, state: JobState
) -> None:
    registered(store)
    store.orders.open(a_page(clock))
    store.orders.take("p1", at=clock.now())
    crashing = interrupted_orders(backend, clock, wallets=("update_one", 1))
    with pytest.raises(SimulatedCrash):
        crashing.close("p1", state=state, at=clock.now())
    assert store.jobs.get("p1").state is state  # type: ignore[union-attr]

    assert store.reconcile() == 1

    expected = Balance(free=2) if state is JobState.SUCCEEDED else Balance(free=3)
    assert store.ledger.balance(ANNA) == expected
    assert store.orders.close("p1", state=state, at=clock.now()) is None
    assert store.ledger.balance(ANNA) == expected
    assert_log_explains_wallets(store.ledger, ANNA)


def test_a_second_page_while_one_is_in_flight_takes_nothing(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    registered(store)
    store.orders.open(a_page(clock))

    # The wallet has the credit, so the guarded update takes it; the job insert is refused by
    # the one-in-flight index, and the credit goes straight back.
    with pytest.raises(JobInFlight):
        store.orders.open(a_page(clock, "p2"))

    assert store.ledger.balance(ANNA) == Balance(free=2, held=1)
    assert unsettled(backend) == ["p1"]
    assert store.jobs.get("p2") is None


def test_a_job_moved_from_sqlite_is_taken_and_closed_without_a_snapshot(
    store: MongoStore, clock: ManualClock
) -> None:
    registered(store)
    # What the migration writes: the ledger replayed, then the job (no snapshot, no counts).
    store.ledger.reserve(user_id=ANNA, job_id="m1")
    store.jobs.add(a_page(clock, "m1"))

    taken = store.orders.take("m1", at=clock.now())
    closed = store.orders.close("m1", state=JobState.SUCCEEDED, at=clock.now())

    assert taken is not None and taken.held and taken.credits_left == 2
    assert taken.user == store.users.get(ANNA)
    assert closed is not None and closed.settled and closed.user == store.users.get(ANNA)
    assert store.ledger.balance(ANNA) == Balance(free=2)
