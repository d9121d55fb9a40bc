"""MongoLedger's movements interrupted between their two writes, and healed.

Every movement is one guarded update of a wallet plus its record elsewhere (docs/MONGO.md, "The
money"): here the connection dies (or another process's work lands) between the two, and
`reconcile()` or a replay of the same movement finishes it exactly once. Also the guards that
keep a replay, another user's job id or a wallet edited by hand from moving credits twice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.memory import ManualClock
from adapters.mongo import MongoLedger, MongoStore
from contract.ledger_contract import a_purchase, give_free, give_paid
from contract.racing import race
from paintcore.domain.credits import (
    Balance,
    Bucket,
    Hold,
    HoldState,
    purchase_key,
    registration_key,
    reserve_key,
)
from paintcore.domain.errors import QuotaExceeded
from paintcore.domain.users import UserId
from support.interrupting import SimulatedCrash
from support.mongo_backends import Backend
from support.mongo_movements import (
    ADMIN_KEY,
    ANNA,
    PAST_GRACE,
    admin_grant,
    assert_log_explains_wallets,
    backend_fixture,  # noqa: F401 (a fixture)
    interrupted_ledger,
    pending,
    replay_registration,
    store_fixture,  # noqa: F401 (a fixture)
    unsettled,
)


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


# -- grants ---------------------------------------------------------------------------------------


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
    assert admin_grant(store.ledger, ANNA, 5)
    # A replay that checked the log before the first grant logged it: it finds the key taken
    # only at its own insert, and must leave the wallet as it was.
    log_docs = backend.db.get_collection("transactions")
    db = backend.db
    blind = MongoLedger(db.wallets, BlindOnce(log_docs), db.jobs, db.payments, clock)

    assert admin_grant(blind, ANNA, 5) is False

    assert store.ledger.balance(ANNA) == Balance(free=5)
    assert pending(backend) == []
    assert len(store.ledger.transactions()) == 1


def test_a_key_logged_for_another_user_is_not_applied_to_a_second_one(store: MongoStore) -> None:
    assert admin_grant(store.ledger, ANNA, 5)

    assert admin_grant(store.ledger, UserId(2), 5) is False
    assert store.ledger.balance(UserId(2)) == Balance()


# -- purchases: the payment document, then the wallet ---------------------------------------------


def test_a_purchase_is_its_payment_document_and_a_charge_in_the_wallet(
    backend: Backend, store: MongoStore
) -> None:
    give_paid(store.ledger, ANNA, 5, "c-1")

    payment = backend.db.get_collection("payments").find_one({"_id": "c-1"})
    wallet = backend.db.get_collection("wallets").find_one({"_id": ANNA})
    assert payment["purchase"]["key"] == purchase_key("c-1") and payment["pages"] == 5
    assert wallet["paid"] == 5 and wallet["purchases"] == ["c-1"]
    assert backend.db.get_collection("transactions").count_documents({}) == 0
    assert store.payments.get("c-1") == a_purchase(ANNA, 5, "c-1")


def _died_before_the_wallet(backend: Backend, store: MongoStore, clock: ManualClock) -> None:
    """A purchase whose process died between its payment document and its credit."""
    give_free(store.ledger, ANNA, 1)
    crashing = interrupted_ledger(backend, clock, wallets=("update_one", 1))
    with pytest.raises(SimulatedCrash):
        crashing.purchase(a_purchase(ANNA, 5, "c-1"))
    assert store.payments.get("c-1") is not None
    assert store.ledger.balance(ANNA) == Balance(free=1)


def test_a_purchase_delivered_again_completes_one_that_died_before_the_wallet(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    _died_before_the_wallet(backend, store, clock)

    assert store.ledger.purchase(a_purchase(ANNA, 5, "c-1")) is True
    assert store.ledger.purchase(a_purchase(ANNA, 5, "c-1")) is False
    assert store.ledger.purchase(a_purchase(UserId(2), 5, "c-1")) is False

    assert store.ledger.balance(ANNA) == Balance(free=1, paid=5)
    assert store.ledger.balance(UserId(2)) == Balance()
    assert store.reconcile() == 0
    assert_log_explains_wallets(store.ledger, ANNA)


def test_reconcile_credits_a_purchase_that_died_before_the_wallet_after_the_grace(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    _died_before_the_wallet(backend, store, clock)

    assert store.reconcile() == 0  # younger than the grace minute: most likely on its way
    clock.advance(PAST_GRACE)
    assert store.reconcile() == 1
    assert store.reconcile() == 0

    assert store.ledger.balance(ANNA) == Balance(free=1, paid=5)
    assert store.ledger.purchase(a_purchase(ANNA, 5, "c-1")) is False
    assert store.ledger.balance(ANNA) == Balance(free=1, paid=5)
    assert_log_explains_wallets(store.ledger, ANNA)


def test_a_payment_document_inserted_by_hand_is_credited_by_its_purchase_once(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    """The crash between the two commands, simulated by inserting the first one's document."""
    give_paid(store.ledger, ANNA, 3, "c-0")
    document = backend.db.get_collection("payments").find_one({"_id": "c-0"})
    document.update(_id="c-1", pages=5)
    backend.db.get_collection("payments").insert_one(document)

    outcomes = race(8, lambda i: store.ledger.purchase(a_purchase(ANNA, 5, "c-1")))

    assert outcomes.count(True) == 1
    assert store.ledger.balance(ANNA) == Balance(paid=8)
    assert_log_explains_wallets(store.ledger, ANNA)


def test_a_payment_recorded_without_its_purchase_is_never_credited(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    """`Payments.add` alone (a record, or an older version's payment whose grant is in the log)."""
    store.payments.add(a_purchase(ANNA, 5, "c-1"))

    assert store.ledger.purchase(a_purchase(ANNA, 5, "c-1")) is False
    clock.advance(PAST_GRACE)
    assert store.reconcile() == 0
    assert store.ledger.balance(ANNA) == Balance()
    assert store.ledger.transactions() == []


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


# -- holds made through the Ledger port -----------------------------------------------------------


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
