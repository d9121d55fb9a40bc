"""The storage contracts run against MongoStore, plus what only MongoDB's document design can show.

Every test runs on mongomock and, when PAINTBOT_TEST_MONGODB_URI is set, on that real server too
(a fresh database per test, dropped after).

Where mongomock differs from a real server, and what the adapter or these tests do about it:

1. mongomock runs no command atomically: find_one_and_update finds the document with the filter,
   then updates it by `_id` alone (the guard is dropped), and a unique index is checked after the
   insert, rolled back on a clash, so two racing inserts can both fail. A server runs each
   single-document write atomically, and the money rules rely on exactly that. The racing tests
   therefore run mongomock through `Serialized`, which runs one command at a time, as a server
   does for one document; the multi-command steps of a movement still interleave freely.
2. A find_one_and_update(return_document=AFTER) whose projection leaves out `_id` returns None on
   mongomock once the update changed a field of the filter (it finds the result again with the
   original filter): the adapter never projects `_id` away (MongoJobs.start/finish).
3. mongomock's DuplicateKeyError has no `details`; a server's names the index (`keyPattern`).
   MongoJobs.add looks the job id up when the error does not say which rule refused it.
4. mongomock's create_indexes(IndexModel...) silently drops `partialFilterExpression` (its
   create_index keeps it, and enforces a unique partial index on insert and update): the adapter
   creates its indexes one create_index call each.
5. Servers before 6.0 refuse `$in` in a partial filter; mongomock accepts it. The one-job-in-flight
   index filters on `in_flight: true` instead, which every version takes.
6. Positional projection (`"holds.$": 1`) is not implemented in mongomock: the adapter projects
   a hold with `$elemMatch`, which both understand.
7. Both keep milliseconds in BSON dates; both return naive datetimes unless the client has
   tz_aware=True (mongomock then uses its own FixedOffset UTC). The adapter stores the exact
   instant beside each date (`<name>_us`) and reads timezone-aware UTC either way.
8. mongomock knows no users or roles (codes 13 and 18 never happen), has no network (no timeouts)
   and keeps working after close(); those paths are tested with a real pymongo client pointed at
   a closed port, and the translation of error codes on pymongo's own exception objects.
9. mongomock answers every query by scanning (it uses indexes only to enforce unique ones), so
   these tests prove the indexes exist, not that queries use them.
10. Creating an index that exists is a no-op on a server; mongomock checks a unique partial
   index again against every document, ignoring the filter, so a second MongoStore on a database
   with two finished jobs of one user fails with DuplicateKeyError. `Serialized` skips creating
   an index whose name exists, which is what a server does.
11. In an aggregation-pipeline update, mongomock stores the expressions inside an array literal
   unevaluated (`$concatArrays: ["$holds", [{bucket: {$cond: ...}}]]` pushes the `$cond` itself),
   and it has no `$unset` stage. A server evaluates them. So MongoOrders.open does not choose the
   free or paid bucket inside the update (which a server could do in one command): it reads the
   wallet in the aggregate it needs for the user anyway and takes from the chosen bucket with an
   ordinary guarded update, which both run the same way (3 commands; see docs/MONGO.md).
12. `$lookup` (localField/foreignField) in an aggregate works the same on both; MongoOrders.open
   relies on it to read the user and the wallet in one command.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import mongomock
import pymongo
import pytest
from bench.mongo_round_trips import CountingClient, CountingCollection, count_flows
from pymongo.errors import (
    AutoReconnect,
    DuplicateKeyError,
    OperationFailure,
    ServerSelectionTimeoutError,
)

from adapters.memory import ManualClock
from adapters.mongo import MongoJobs, MongoLedger, MongoStore, MongoUsers, connect, redact
from adapters.mongo.errors import describe
from adapters.mongo.orders import MongoOrders
from contract.conversations_contract import ConversationsContract
from contract.jobs_contract import JobsContract, a_job, at
from contract.ledger_contract import LedgerContract, account_totals, give_free, give_paid
from contract.preferences_contract import PreferencesContract
from contract.racing import race
from contract.users_contract import REGISTERED, UsersContract, a_user
from paintcore.domain.credits import (
    Balance,
    Bucket,
    Hold,
    HoldState,
    TransactionKind,
    capture_key,
    purchase_key,
    registration_key,
    release_key,
    reserve_key,
)
from paintcore.domain.errors import (
    JobInFlight,
    QuotaExceeded,
    StorageUnavailable,
)
from paintcore.domain.jobs import Job, JobState
from paintcore.domain.pages import AgeLevel, PageOptions, Paper, Style
from paintcore.domain.users import UserId
from paintcore.ports import Conversations, Jobs, Ledger, PageOrders, Preferences, Users
from support.interrupting import Interrupting, SimulatedCrash, crash
from support.mongo_backends import BACKENDS, SERVER_URI, SERVER_URI_VARIABLE, Backend
from support.serialized_mongo import Serialized

ANNA = UserId(1)
CLOSED_PORT_URI = "mongodb://paintbot:s3cret-Pa55@127.0.0.1:9/paint?serverSelectionTimeoutMS=300"


@pytest.mark.skipif(
    not SERVER_URI,
    reason=f"{SERVER_URI_VARIABLE} not set: the contract suites ran on mongomock only",
)
def test_the_real_server_half_runs_when_a_server_is_named() -> None:
    assert "server" in BACKENDS


@pytest.fixture
def backend(mongo_backend: Backend) -> Backend:
    return mongo_backend


@pytest.fixture
def store(mongo_store: MongoStore) -> MongoStore:
    return mongo_store


class TestMongoUsers(UsersContract):
    @pytest.fixture
    def users(self, store: MongoStore) -> Users:
        return store.users


class TestMongoLedger(LedgerContract):
    @pytest.fixture
    def ledger(self, store: MongoStore) -> Ledger:
        return store.ledger


class TestMongoJobs(JobsContract):
    @pytest.fixture
    def jobs(self, store: MongoStore) -> Jobs:
        return store.jobs


class TestMongoConversations(ConversationsContract):
    @pytest.fixture
    def conversations(self, store: MongoStore) -> Conversations:
        return store.conversations


class TestMongoPreferences(PreferencesContract):
    @pytest.fixture
    def preferences(self, store: MongoStore) -> Preferences:
        return store.preferences


# -- crashes between the steps of a movement ------------------------------------------------------


def interrupted_ledger(
    backend: Backend,
    clock: ManualClock,
    *,
    wallets: tuple[str, int] | None = None,
    log: tuple[str, int] | None = None,
    jobs: tuple[str, int] | None = None,
    action: Callable[[], object] = crash,
) -> MongoLedger:
    """The store's ledger on collections where `action` (a crash, by default) happens just
    before the given call, e.g. `log=("insert_one", 1)`."""
    db = backend.db

    def maybe(name: str, where: tuple[str, int] | None) -> Any:
        collection = db.get_collection(name)
        return Interrupting(collection, *where, action) if where else collection

    return MongoLedger(
        maybe("wallets", wallets), maybe("transactions", log), maybe("jobs", jobs), clock
    )


def interrupted_orders(
    backend: Backend,
    clock: ManualClock,
    *,
    wallets: tuple[str, int] | None = None,
    jobs: tuple[str, int] | None = None,
    action: Callable[[], object] = crash,
) -> PageOrders:
    """The store's PageOrders on collections interrupted as in `interrupted_ledger`."""
    ledger = interrupted_ledger(backend, clock, wallets=wallets, jobs=jobs, action=action)
    db = backend.db
    wallet_docs = Interrupting(db.wallets, *wallets, action) if wallets else db.wallets
    job_docs = Interrupting(db.jobs, *jobs, action) if jobs else db.jobs
    return MongoOrders(db.users, wallet_docs, job_docs, ledger.holds, clock)


def pending(backend: Backend, user_id: UserId = ANNA) -> list[dict[str, Any]]:
    wallet = backend.db.get_collection("wallets").find_one({"_id": user_id})
    return [] if wallet is None else list(wallet.get("pending", []))


def unsettled(backend: Backend, user_id: UserId = ANNA) -> list[str]:
    """The jobs whose holds the wallet has not settled yet."""
    wallet = backend.db.get_collection("wallets").find_one({"_id": user_id})
    return [] if wallet is None else [entry["job"] for entry in wallet.get("holds", [])]


ADMIN_KEY = "admin:7:1"
PAST_GRACE = 61  # seconds: reconcile() heals a hold whose job has no record after a minute


def admin_grant(ledger: Ledger, user_id: UserId = ANNA, amount: int = 10) -> bool:
    """A grant that goes through the outbox (a registration is one upsert: nothing to heal)."""
    return ledger.grant(
        user_id=user_id,
        amount=amount,
        key=ADMIN_KEY,
        kind=TransactionKind.ADMIN_GRANT,
        bucket=Bucket.FREE,
    )


def assert_log_explains_wallets(ledger: Ledger, *users: UserId) -> None:
    totals = account_totals(ledger.transactions())
    assert sum(totals.values()) == 0
    for user in users:
        assert ledger.balance(user) == Balance(
            free=totals[f"user:{user}:free"],
            paid=totals[f"user:{user}:paid"],
            held=totals[f"user:{user}:held"],
        )


def registered(store: MongoStore, user_id: UserId = ANNA, free: int = 3) -> None:
    store.users.add(a_user(user_id))
    give_free(store.ledger, user_id, free)


def a_page(clock: ManualClock, job_id: str = "p1", user_id: UserId = ANNA) -> Job:
    return replace(a_job(job_id, user_id), created_at=clock.now())


def test_a_registration_is_credited_and_recorded_in_one_update_of_the_wallet(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    assert admin_grant(store.ledger, ANNA, 2)  # a wallet that exists before the user registers
    clock.advance(1)

    give_free(store.ledger, ANNA, 10)

    wallet = backend.db.get_collection("wallets").find_one({"_id": ANNA})
    assert wallet["signup"]["key"] == registration_key(ANNA)
    assert wallet["free"] == 12 and pending(backend) == []
    assert backend.db.get_collection("transactions").count_documents({}) == 1  # the admin grant
    assert [t.key for t in store.ledger.transactions(ANNA)] == [ADMIN_KEY, registration_key(ANNA)]
    assert store.ledger.transactions()[-1].created_at == clock.now()
    assert replay_registration(store.ledger) is False
    assert store.ledger.balance(ANNA) == Balance(free=12)
    assert store.reconcile() == 0
    assert_log_explains_wallets(store.ledger, ANNA)


def test_a_grant_that_died_before_its_log_record_is_credited_by_reconcile(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    crashing = interrupted_ledger(backend, clock, log=("insert_one", 1))
    with pytest.raises(SimulatedCrash):
        admin_grant(crashing, ANNA, 10)

    # A grant counts once it is logged: until then the wallet only carries it as pending.
    assert store.ledger.balance(ANNA) == Balance()
    assert [entry["key"] for entry in pending(backend)] == [ADMIN_KEY]

    assert store.reconcile() == 1

    assert store.ledger.balance(ANNA) == Balance(free=10)
    assert [t.key for t in store.ledger.transactions()] == [ADMIN_KEY]
    assert pending(backend) == []
    assert store.reconcile() == 0
    assert_log_explains_wallets(store.ledger, ANNA)


def test_a_grant_that_died_after_its_log_record_is_credited_once_by_reconcile(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    # The wallet's first update pushes the grant, the second would credit it and pull it.
    crashing = interrupted_ledger(backend, clock, wallets=("update_one", 2))
    with pytest.raises(SimulatedCrash):
        admin_grant(crashing, ANNA, 10)

    assert store.reconcile() == 1
    assert store.reconcile() == 0

    assert store.ledger.balance(ANNA) == Balance(free=10)
    assert len(store.ledger.transactions()) == 1
    assert_log_explains_wallets(store.ledger, ANNA)


def test_retrying_a_grant_finishes_the_one_a_crash_left_pending(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    crashing = interrupted_ledger(backend, clock, log=("insert_one", 1))
    with pytest.raises(SimulatedCrash):
        admin_grant(crashing, ANNA, 10)

    # The admin's retry replays the grant: it completes the pending one and applies nothing more.
    assert admin_grant(store.ledger) is False

    assert store.ledger.balance(ANNA) == Balance(free=10)
    assert pending(backend) == []
    assert store.reconcile() == 0


def test_a_grant_that_reconcile_completed_while_it_stalled_is_credited_once(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    healed: list[int] = []
    # reconcile() runs (in another process, say) after the grant logged itself, before it
    # credited the wallet: both complete the same movement.
    stalling = interrupted_ledger(
        backend, clock, wallets=("update_one", 2), action=lambda: healed.append(store.reconcile())
    )

    assert admin_grant(stalling)

    assert healed == [1]
    assert store.ledger.balance(ANNA) == Balance(free=10)
    assert len(store.ledger.transactions()) == 1
    assert pending(backend) == []


def test_a_replay_racing_past_the_log_check_is_taken_back_before_it_credits(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    give_paid(store.ledger, ANNA, 5, "c-1")
    # A replay that checked the log before the first grant logged it: it finds the key taken
    # only at its own insert, and must leave the wallet as it was.
    log_docs = backend.db.get_collection("transactions")
    db = backend.db
    blind = MongoLedger(db.wallets, BlindOnce(log_docs), db.jobs, clock)

    assert (
        blind.grant(
            user_id=ANNA,
            amount=5,
            key=purchase_key("c-1"),
            kind=TransactionKind.PURCHASE,
            bucket=Bucket.PAID,
        )
        is False
    )

    assert store.ledger.balance(ANNA) == Balance(paid=5)
    assert pending(backend) == []
    assert len(store.ledger.transactions()) == 1


def test_a_reserve_that_died_before_its_job_record_is_recorded_by_reconcile(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    give_free(store.ledger, ANNA, 3)
    crashing = interrupted_ledger(backend, clock, jobs=("update_one", 1))
    with pytest.raises(SimulatedCrash):
        crashing.reserve(user_id=ANNA, job_id="j1")

    # The credit is held (the guarded update took it); the job has no record of it yet.
    assert store.ledger.balance(ANNA) == Balance(free=2, held=1)
    assert store.ledger.hold("j1") is None
    assert store.reconcile() == 0  # within the grace minute: a reserve may be on its way
    clock.advance(PAST_GRACE)

    assert store.reconcile() == 1

    assert store.ledger.hold("j1") == Hold("j1", ANNA, Bucket.FREE, 1, HoldState.HELD)
    assert [t.key for t in store.ledger.transactions()][-1] == reserve_key("j1")
    assert_log_explains_wallets(store.ledger, ANNA)
    assert store.ledger.reserve(user_id=ANNA, job_id="j1").state is HoldState.HELD
    assert store.ledger.balance(ANNA) == Balance(free=2, held=1)
    assert store.reconcile() == 0


def test_replaying_a_reserve_finishes_the_one_a_crash_left(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    give_free(store.ledger, ANNA, 3)
    crashing = interrupted_ledger(backend, clock, jobs=("update_one", 1))
    with pytest.raises(SimulatedCrash):
        crashing.reserve(user_id=ANNA, job_id="j1")

    again = store.ledger.reserve(user_id=ANNA, job_id="j1")

    assert again == Hold("j1", ANNA, Bucket.FREE, 1, HoldState.HELD)
    assert store.ledger.balance(ANNA) == Balance(free=2, held=1)
    clock.advance(PAST_GRACE)
    assert store.reconcile() == 0
    assert_log_explains_wallets(store.ledger, ANNA)


@pytest.mark.parametrize("outcome", [HoldState.CAPTURED, HoldState.RELEASED])
def test_a_settlement_that_died_before_its_wallet_update_is_applied_by_reconcile(
    backend: Backend, store: MongoStore, clock: ManualClock, outcome: HoldState
) -> None:
    give_free(store.ledger, ANNA, 3)
    store.ledger.reserve(user_id=ANNA, job_id="j1")
    crashing = interrupted_ledger(backend, clock, wallets=("update_one", 1))
    settle = crashing.capture if outcome is HoldState.CAPTURED else crashing.release
    with pytest.raises(SimulatedCrash):
        settle(job_id="j1")

    # The job's record decided; the wallet still holds the credit until reconcile().
    hold = store.ledger.hold("j1")
    assert hold is not None and hold.state is outcome
    assert store.ledger.balance(ANNA) == Balance(free=2, held=1)

    assert store.reconcile() == 1

    expected = Balance(free=2) if outcome is HoldState.CAPTURED else Balance(free=3)
    assert store.ledger.balance(ANNA) == expected
    assert store.ledger.capture(job_id="j1") is False
    assert store.ledger.release(job_id="j1") is False
    assert store.ledger.balance(ANNA) == expected
    assert len(store.ledger.transactions()) == 3
    assert_log_explains_wallets(store.ledger, ANNA)
    assert store.reconcile() == 0


def test_replaying_a_settlement_finishes_the_one_a_crash_left(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    give_free(store.ledger, ANNA, 3)
    store.ledger.reserve(user_id=ANNA, job_id="j1")
    crashing = interrupted_ledger(backend, clock, wallets=("update_one", 1))
    with pytest.raises(SimulatedCrash):
        crashing.capture(job_id="j1")

    assert store.ledger.capture(job_id="j1") is False  # settled already; the wallet catches up

    assert store.ledger.balance(ANNA) == Balance(free=2)
    assert unsettled(backend) == []
    assert store.reconcile() == 0


def test_reconcile_leaves_an_unreadable_entry_for_a_person_and_heals_the_rest(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    crashing = interrupted_ledger(backend, clock, log=("insert_one", 1))
    with pytest.raises(SimulatedCrash):
        admin_grant(crashing, ANNA, 10)
    garbage = {"op": "x", "key": "k", "kind": "no-such-kind", "amount": 1, "at": datetime.now(UTC)}
    old_hold = {"job": "j0", "bucket": "free", "amount": 1, "state": "held"}  # no op: unreadable
    backend.db.get_collection("wallets").update_one(
        {"_id": ANNA}, {"$push": {"pending": garbage, "holds": old_hold}}
    )
    clock.advance(PAST_GRACE)

    assert store.reconcile() == 1

    assert store.ledger.balance(ANNA) == Balance(free=10)
    assert [entry["op"] for entry in pending(backend)] == ["x"]
    assert unsettled(backend) == ["j0"]


def test_a_job_id_reserved_by_another_user_answers_with_that_hold_and_takes_nothing(
    backend: Backend, store: MongoStore
) -> None:
    boris = UserId(2)
    give_free(store.ledger, ANNA, 3)
    give_free(store.ledger, boris, 3)
    annas = store.ledger.reserve(user_id=ANNA, job_id="j1")

    assert store.ledger.reserve(user_id=boris, job_id="j1") == annas

    assert store.ledger.balance(boris) == Balance(free=3)
    assert unsettled(backend, boris) == []
    assert_log_explains_wallets(store.ledger, ANNA, boris)


def test_a_reserve_that_lost_its_job_to_another_attempt_is_given_back(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    boris = UserId(2)
    give_free(store.ledger, ANNA, 3)
    give_free(store.ledger, boris, 3)
    crashing = interrupted_ledger(backend, clock, jobs=("update_one", 1))
    with pytest.raises(SimulatedCrash):
        crashing.reserve(user_id=ANNA, job_id="j1")
    # Before Anna's record, Boris's reserve of the same job id records it as his.
    borises = store.ledger.reserve(user_id=boris, job_id="j1")
    clock.advance(PAST_GRACE)

    assert store.reconcile() == 1

    assert store.ledger.hold("j1") == borises
    assert store.ledger.balance(ANNA) == Balance(free=3)
    assert store.ledger.balance(boris) == Balance(free=2, held=1)
    assert_log_explains_wallets(store.ledger, ANNA, boris)


def test_a_wallet_that_lost_its_held_credits_is_reported_not_driven_negative(
    backend: Backend, store: MongoStore
) -> None:
    give_free(store.ledger, ANNA, 3)
    store.ledger.reserve(user_id=ANNA, job_id="j1")
    backend.db.get_collection("wallets").update_one({"_id": ANNA}, {"$set": {"held": 0}})

    with pytest.raises(RuntimeError, match="ledger corrupt"):
        store.ledger.capture(job_id="j1")

    assert store.ledger.balance(ANNA) == Balance(free=2, held=0)
    assert unsettled(backend) == ["j1"]  # left for a person; reconcile() logs it every time
    assert store.reconcile() == 0


# -- a page's credit: open, take, close ----------------------------------------------------------


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


def test_a_key_logged_for_another_user_is_not_applied_to_a_second_one(
    store: MongoStore,
) -> None:
    give_paid(store.ledger, ANNA, 5, "c-7")

    again = store.ledger.grant(
        user_id=UserId(2),
        amount=5,
        key=purchase_key("c-7"),
        kind=TransactionKind.PURCHASE,
        bucket=Bucket.PAID,
    )

    assert again is False
    assert store.ledger.balance(UserId(2)) == Balance()


class BlindOnce:
    """A log collection whose first find_one finds nothing: what a racing replay saw."""

    def __init__(self, collection: Any) -> None:
        self._collection = collection
        self._blind = True

    def find_one(self, *args: Any, **kwargs: Any) -> Any:
        if self._blind:
            self._blind = False
            return None
        return self._collection.find_one(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)


def test_two_stores_on_one_database_reserve_the_last_credit_once(
    backend: Backend, clock: ManualClock
) -> None:
    # Two stores, like two bot processes: only the database's guarded updates keep them apart.
    stores = (backend.store(clock), backend.store(clock))
    give_free(stores[0].ledger, ANNA, 1)

    outcomes = race(8, lambda i: stores[i % 2].ledger.reserve(user_id=ANNA, job_id=f"j{i}"))

    assert sum(isinstance(o, Hold) for o in outcomes) == 1
    assert sum(isinstance(o, QuotaExceeded) for o in outcomes) == 7
    assert stores[1].ledger.balance(ANNA) == Balance(free=0, held=1)


# -- the rules are in the database -----------------------------------------------------------------


def index_keys(backend: Backend, collection: str) -> dict[str, tuple[list[tuple[str, int]], bool]]:
    info = backend.db.get_collection(collection).index_information()
    return {
        name: ([(k, int(d)) for k, d in index["key"]], bool(index.get("unique")))
        for name, index in info.items()
    }


def test_the_indexes_exist_once_the_store_is_built(backend: Backend, store: MongoStore) -> None:
    transactions = index_keys(backend, "transactions")
    jobs = index_keys(backend, "jobs")
    wallets = index_keys(backend, "wallets")

    assert transactions["unique_key"] == ([("key", 1)], True)
    assert transactions["log_by_user"] == (
        [("user_id", 1), ("created_at_us", 1), ("_id", 1)],
        False,
    )
    assert jobs["one_in_flight_per_user"] == ([("user_id", 1)], True)
    jobs_info = backend.db.get_collection("jobs").index_information()
    assert jobs_info["one_in_flight_per_user"]["partialFilterExpression"] == {"in_flight": True}
    assert jobs["holds_by_user"] == ([("hold.user_id", 1)], False)
    assert index_keys(backend, "conversations")["by_age"] == ([("updated_at_us", 1)], False)
    assert wallets["holds_by_job"] == ([("holds.job", 1)], False)
    assert "pending_movements" in wallets
    # Users, wallets, conversations and preferences are keyed by the user id itself.
    store.users.add(a_user(1))
    with pytest.raises(DuplicateKeyError):
        backend.db.get_collection("users").insert_one({"_id": 1})


def test_building_a_second_store_on_the_same_database_keeps_data_and_indexes(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    store.users.add(a_user(1))
    give_free(store.ledger, ANNA, 10)

    again = backend.store(clock)

    assert again.users.get(ANNA) == a_user(1)
    assert again.ledger.balance(ANNA) == Balance(free=10)
    assert index_keys(backend, "transactions")["unique_key"] == ([("key", 1)], True)


def test_the_database_refuses_a_second_job_in_flight_whoever_writes(
    backend: Backend, store: MongoStore
) -> None:
    store.jobs.add(a_job("j1"))
    store.jobs.finish("j1", state=JobState.FAILED, at=at(1))
    store.jobs.add(a_job("j2"))

    with pytest.raises(DuplicateKeyError):
        backend.db.get_collection("jobs").update_one({"_id": "j1"}, {"$set": {"in_flight": True}})

    with pytest.raises(JobInFlight):
        store.jobs.add(a_job("j3"))


def test_a_guarded_reserve_never_takes_a_bucket_below_zero(
    backend: Backend, store: MongoStore
) -> None:
    give_free(store.ledger, ANNA, 2)
    # Someone spends behind the ledger's back: the guard reads the document as it is now.
    backend.db.get_collection("wallets").update_one({"_id": ANNA}, {"$set": {"free": 0}})

    with pytest.raises(QuotaExceeded):
        store.ledger.reserve(user_id=ANNA, job_id="j1")

    assert store.ledger.balance(ANNA) == Balance()


# -- time --------------------------------------------------------------------------------------------


def test_times_are_bson_dates_beside_their_exact_microseconds(
    backend: Backend, store: MongoStore
) -> None:
    store.users.add(a_user(1))

    raw = backend.db.get_collection("users").find_one({"_id": 1})

    assert raw is not None
    stored = raw["registered_at"]
    assert stored.replace(tzinfo=UTC) == REGISTERED.replace(microsecond=123000)
    assert raw["registered_at_us"] == (REGISTERED - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(
        microseconds=1
    )


def test_times_read_back_aware_from_a_tz_aware_client_too(clock: ManualClock) -> None:
    store = MongoStore(Serialized(mongomock.MongoClient(tz_aware=True)), "paintbot_test", clock)
    store.users.add(a_user(1))

    user = store.users.get(ANNA)

    assert user is not None and user.registered_at == REGISTERED
    assert user.registered_at.tzinfo is UTC


def test_a_date_edited_by_hand_wins_over_its_stale_exact_field(
    backend: Backend, store: MongoStore
) -> None:
    store.users.add(a_user(1))
    edited = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    backend.db.get_collection("users").update_one({"_id": 1}, {"$set": {"registered_at": edited}})

    user = store.users.get(ANNA)

    assert user is not None and user.registered_at == edited


def test_naive_times_are_refused_rather_than_guessed(store: MongoStore) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.users.add(a_user(1, registered_at=datetime(2026, 3, 1, 12, 0)))
    assert store.users.count() == 0


# -- documents written by an older version -----------------------------------------------------------


def test_old_documents_with_missing_fields_read_with_defaults(
    backend: Backend, store: MongoStore
) -> None:
    db = backend.db
    old_date = datetime(2025, 12, 1, 10, 0, 0, 123000)  # naive and millisecond-exact, like BSON
    db.get_collection("users").insert_one(
        {"_id": 7, "first_name": "Old", "registered_at": old_date}
    )
    db.get_collection("wallets").insert_one({"_id": 7, "free": 4})
    db.get_collection("transactions").insert_one(
        {
            "key": "register:7",
            "kind": "registration",
            "user_id": 7,
            "amount": 4,
            "source": "system:grants",
            "target": "user:7:free",
            "created_at": old_date,
        }
    )
    db.get_collection("jobs").insert_one(
        {"_id": "old-job", "user_id": 7, "state": "queued", "created_at": old_date}
    )
    db.get_collection("preferences").insert_one({"_id": 7, "style": "kawaii", "paper": "a5"})
    db.get_collection("conversations").insert_one({"_id": 7, "updated_at": old_date})
    old = UserId(7)
    aware = old_date.replace(tzinfo=UTC)

    user = store.users.get(old)
    assert user is not None
    assert (user.first_name, user.username, user.language) == ("Old", "", "")
    assert (user.registered_at, user.banned, user.blocked) == (aware, False, False)
    assert store.users.recipients() == [old]
    assert store.ledger.balance(old) == Balance(free=4)
    [logged] = store.ledger.transactions(old)
    assert (logged.key, logged.amount, logged.created_at) == ("register:7", 4, aware)
    job = store.jobs.get("old-job")
    assert job is not None
    assert (job.options, job.prompt, job.error, job.photo_file_id) == (PageOptions(), "", "", None)
    assert (job.state, job.created_at, job.started_at) == (JobState.QUEUED, aware, None)
    assert store.preferences.get(old) == PageOptions(AgeLevel.KIDS, Style.KAWAII, Paper.A4)
    conversation = store.conversations.current(old)
    assert conversation is not None and conversation.updated_at == aware


def test_an_old_wallet_without_holds_or_pending_still_reserves_and_settles(
    backend: Backend, store: MongoStore
) -> None:
    backend.db.get_collection("wallets").insert_one({"_id": 1, "free": 2})

    hold = store.ledger.reserve(user_id=ANNA, job_id="j1")

    assert hold == Hold("j1", ANNA, Bucket.FREE, 1, HoldState.HELD)
    assert store.ledger.capture(job_id="j1") is True
    assert store.ledger.balance(ANNA) == Balance(free=1)
    assert store.reconcile() == 0


# -- connecting and failing ----------------------------------------------------------------------------


def test_connect_to_a_closed_port_fails_fast_with_the_password_hidden(clock: ManualClock) -> None:
    started = time.monotonic()

    with pytest.raises(StorageUnavailable) as raised:
        connect(CLOSED_PORT_URI, clock=clock)

    message = str(raised.value)
    assert time.monotonic() - started < 5
    assert "s3cret-Pa55" not in message
    assert message.startswith(
        "cannot use MongoDB at "
        "mongodb://paintbot:***@127.0.0.1:9/paint?serverSelectionTimeoutMS=300: "
        "no MongoDB server answered within the server selection timeout"
    )
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_connect_applies_its_own_short_timeout_when_the_uri_sets_none(clock: ManualClock) -> None:
    started = time.monotonic()

    with pytest.raises(StorageUnavailable):
        connect("mongodb://127.0.0.1:9/", clock=clock, server_selection_timeout_ms=200)

    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    "uri",
    [
        "postgres://paintbot:s3cret-Pa55@db/paint",
        "mongodb://paintbot:s3cret-Pa55@db:port/paint",
        "mongodb://paintbot:s3cret@Pa55@db/paint",
        "mongodb://paintbot:s3cret-Pa55@",
    ],
)
def test_an_invalid_uri_is_refused_with_the_password_hidden(clock: ManualClock, uri: str) -> None:
    with pytest.raises(StorageUnavailable) as raised:
        connect(uri, clock=clock)

    message = str(raised.value)
    assert message.startswith("invalid MongoDB URI ")
    assert "s3cret" not in message and "Pa55" not in message
    assert ":***@" in message


def test_redact_hides_passwords_and_secret_options_only() -> None:
    assert redact("mongodb+srv://bot:p%40ss@cluster0.example.net/paint?retryWrites=true") == (
        "mongodb+srv://bot:***@cluster0.example.net/paint?retryWrites=true"
    )
    assert redact("mongodb://db1,db2/paint?authMechanismProperties=AWS_SESSION_TOKEN:x") == (
        "mongodb://db1,db2/paint?authMechanismProperties=AWS_SESSION_TOKEN:x"
    )
    assert redact("mongodb://bot@db/?tlsCertificateKeyFilePassword=hush&w=1") == (
        "mongodb://bot@db/?tlsCertificateKeyFilePassword=***&w=1"
    )


def test_wrong_credentials_and_missing_rights_are_named_plainly() -> None:
    wrong = OperationFailure("Authentication failed.", 18, {"errmsg": "Authentication failed."})
    no_rights = OperationFailure(
        "not authorized on paint to execute command { insert: ... }",
        13,
        {"errmsg": "not authorized on paint to execute command { insert: ... }"},
    )

    assert describe(wrong).startswith("authentication failed: check the user name, password")
    assert describe(no_rights).startswith("not authorized: the MongoDB user lacks the rights")
    assert describe(ServerSelectionTimeoutError("db:27017: timed out, Timeout: 3s, ...")) == (
        "no MongoDB server answered within the server selection timeout (db:27017: timed out)"
    )


def unreachable_client() -> pymongo.MongoClient[dict[str, Any]]:
    return pymongo.MongoClient(
        "mongodb://127.0.0.1:9/", serverSelectionTimeoutMS=200, connect=False
    )


def test_every_port_reports_storage_unavailable_when_the_server_is_gone(
    clock: ManualClock,
) -> None:
    db = unreachable_client().get_database("paint")
    users = MongoUsers(db.get_collection("users"))
    ledger = MongoLedger(db.wallets, db.transactions, db.jobs, clock)
    orders = MongoOrders(db.users, db.wallets, db.jobs, ledger.holds, clock)

    calls: list[Callable[[], object]] = [
        lambda: orders.open(a_page(clock)),
        lambda: orders.take("p1", at=clock.now()),
        lambda: orders.close("p1", state=JobState.FAILED, at=clock.now()),
        users.count,
        lambda: users.add(a_user(1)),
        lambda: ledger.balance(ANNA),
        lambda: give_free(ledger, ANNA, 1),
        lambda: ledger.capture(job_id="j1"),
    ]
    for call in calls:
        with pytest.raises(StorageUnavailable, match="no MongoDB server answered"):
            call()


def test_a_closed_store_reports_storage_unavailable(clock: ManualClock) -> None:
    client = unreachable_client()
    users = MongoUsers(client.get_database("paint").get_collection("users"))
    client.close()

    with pytest.raises(StorageUnavailable, match="cannot be used"):
        users.get(ANNA)


class FlakyOnce:
    """A collection whose next `failures` find_one calls lose the connection."""

    def __init__(self, collection: Any, failures: int) -> None:
        self._collection = collection
        self.failures = failures

    def find_one(self, *args: Any, **kwargs: Any) -> Any:
        if self.failures > 0:
            self.failures -= 1
            raise AutoReconnect("connection reset by peer")
        return self._collection.find_one(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)


def test_a_read_is_retried_after_a_dropped_connection(backend: Backend, store: MongoStore) -> None:
    store.users.add(a_user(1))
    flaky = FlakyOnce(backend.db.get_collection("users"), failures=2)

    assert MongoUsers(flaky).get(ANNA) == a_user(1)
    assert flaky.failures == 0


def test_a_connection_that_keeps_dropping_gives_storage_unavailable(backend: Backend) -> None:
    flaky = FlakyOnce(backend.db.get_collection("users"), failures=3)

    with pytest.raises(StorageUnavailable, match="connection to MongoDB failed"):
        MongoUsers(flaky).get(ANNA)


def test_ping_answers(store: MongoStore) -> None:
    store.ping()
    assert store.database.startswith("paintbot_test")


# -- round trips -----------------------------------------------------------------------------------


def replay_registration(ledger: Ledger) -> bool:
    return ledger.grant(
        user_id=ANNA,
        amount=10,
        key=registration_key(ANNA),
        kind=TransactionKind.REGISTRATION,
        bucket=Bucket.FREE,
    )


def test_each_port_call_sends_the_commands_docs_mongo_md_counts(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    sent: list[str] = []
    db = backend.db
    users_docs, wallets, log, job_docs = (
        CountingCollection(db.get_collection(name), sent)
        for name in ("users", "wallets", "transactions", "jobs")
    )
    users = MongoUsers(users_docs)
    ledger = MongoLedger(wallets, log, job_docs, clock)
    jobs = MongoJobs(job_docs)
    orders = MongoOrders(users_docs, wallets, job_docs, ledger.holds, clock)

    def commands(call: Callable[[], object]) -> list[str]:
        sent.clear()
        call()
        return list(sent)

    grant_steps = ["transactions.find_one", "wallets.update_one"]
    logged = ["transactions.insert_one", "wallets.update_one"]
    assert commands(lambda: users.add(a_user(1))) == ["users.insert_one"]
    assert commands(lambda: give_free(ledger, ANNA, 10)) == ["wallets.update_one"]  # registration
    assert commands(lambda: replay_registration(ledger)) == ["wallets.update_one"]
    assert commands(lambda: admin_grant(ledger, ANNA, 1)) == grant_steps + logged
    assert commands(lambda: admin_grant(ledger, ANNA, 1)) == ["transactions.find_one"]
    assert commands(lambda: users.get(ANNA)) == ["users.find_one"]
    # The page flows: three commands each way.
    page = ["users.aggregate", "wallets.find_one_and_update", "jobs.insert_one"]
    assert commands(lambda: orders.open(a_page(clock, "p1"))) == page
    assert commands(lambda: orders.take("p1", at=clock.now())) == ["jobs.find_one_and_update"]
    settle = ["jobs.find_one_and_update", "wallets.update_one"]
    assert commands(lambda: orders.close("p1", state=JobState.SUCCEEDED, at=clock.now())) == settle
    # The ports one by one (the migration, admin tools).
    assert commands(lambda: jobs.add(a_job("j1"))) == ["jobs.update_one"]
    reserve = ["jobs.find_one", "wallets.find_one_and_update", "jobs.update_one"]
    assert commands(lambda: ledger.reserve(user_id=ANNA, job_id="j1")) == reserve
    assert commands(lambda: ledger.reserve(user_id=ANNA, job_id="j1")) == ["jobs.find_one"]
    assert commands(lambda: jobs.start("j1", at=at(1))) == ["jobs.find_one_and_update"]
    assert commands(lambda: ledger.hold("j1")) == ["jobs.find_one"]
    assert commands(lambda: ledger.balance(ANNA)) == ["wallets.find_one"]
    assert commands(lambda: ledger.capture(job_id="j1")) == settle
    # A replay finds the record settled and makes sure the wallet is too.
    replayed = ["jobs.find_one_and_update", "jobs.find_one", "wallets.update_one"]
    assert commands(lambda: ledger.release(job_id="j1")) == replayed
    assert commands(lambda: jobs.finish("j1", state=JobState.SUCCEEDED, at=at(2))) == [
        "jobs.find_one_and_update"
    ]


def test_each_flow_of_the_core_sends_the_commands_docs_mongo_md_counts() -> None:
    """The same counting as `nox -s bench` (bench/mongo_round_trips.py), pinned."""
    sent: list[str] = []
    client = CountingClient(Serialized(mongomock.MongoClient(tz_aware=True)), sent)

    counts = count_flows(MongoStore(client, "flows", ManualClock()), sent, users=3)  # type: ignore[arg-type]

    assert counts == {
        "registration (new user)": [2, 2, 2],
        "/start again": [3, 3, 3],
        "page request": [3, 3, 3],
        "page completion (take, draw, deliver, settle)": [3, 3, 3],
        "page request (paid credit)": [3, 3, 3],
        "page completion (paid credit)": [3, 3, 3],
        "page failed (take, refund)": [3, 3, 3],
    }
