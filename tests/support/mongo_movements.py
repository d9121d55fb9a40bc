"""Helpers of the MongoStore tests (tests/contract/test_mongo_*.py): the `backend` and `store`
fixtures, stores whose collections crash between the writes of a movement, and looks at the raw
wallet and log documents."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from adapters.memory import ManualClock
from adapters.mongo import MongoLedger, MongoOrders, MongoStore
from contract.jobs_contract import a_job
from contract.ledger_contract import account_totals, give_free
from contract.users_contract import a_user
from paintcore.domain.credits import Balance, Bucket, TransactionKind, registration_key
from paintcore.domain.jobs import Job
from paintcore.domain.users import UserId
from paintcore.ports import Ledger, PageOrders
from support.interrupting import Interrupting, crash
from support.mongo_backends import Backend

ANNA = UserId(1)
ADMIN_KEY = "admin:7:1"
PAST_GRACE = 61  # seconds: reconcile() heals a hold whose job has no record after a minute


# A test module that imports these has fixtures `backend` and `store`: a database on each of
# mongo_backends' backends (mongomock; a real server when one is named), and a store on it.
@pytest.fixture(name="backend")
def backend_fixture(mongo_backend: Backend) -> Backend:
    return mongo_backend


@pytest.fixture(name="store")
def store_fixture(mongo_store: MongoStore) -> MongoStore:
    return mongo_store


def interrupted_ledger(
    backend: Backend,
    clock: ManualClock,
    *,
    wallets: tuple[str, int] | None = None,
    log: tuple[str, int] | None = None,
    jobs: tuple[str, int] | None = None,
    payments: tuple[str, int] | None = None,
    action: Callable[[], object] = crash,
) -> MongoLedger:
    """The store's ledger on collections where `action` (a crash, by default) happens just
    before the given call, e.g. `log=("insert_one", 1)`."""
    db = backend.db

    def maybe(name: str, where: tuple[str, int] | None) -> Any:
        collection = db.get_collection(name)
        return Interrupting(collection, *where, action) if where else collection

    return MongoLedger(
        maybe("wallets", wallets),
        maybe("transactions", log),
        maybe("jobs", jobs),
        maybe("payments", payments),
        clock,
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


def admin_grant(ledger: Ledger, user_id: UserId = ANNA, amount: int = 10) -> bool:
    """A grant that goes through the outbox (a registration is one upsert: nothing to heal)."""
    return ledger.grant(
        user_id=user_id,
        amount=amount,
        key=ADMIN_KEY,
        kind=TransactionKind.ADMIN_GRANT,
        bucket=Bucket.FREE,
    )


def replay_registration(ledger: Ledger) -> bool:
    return ledger.grant(
        user_id=ANNA,
        amount=10,
        key=registration_key(ANNA),
        kind=TransactionKind.REGISTRATION,
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
