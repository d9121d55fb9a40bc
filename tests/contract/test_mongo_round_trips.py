"""The MongoDB commands each port call and each flow of the core sends: the counts docs/MONGO.md
("Round trips") gives and `nox -s bench` prints (tests/support/mongo_counting.py counts both)."""

from __future__ import annotations

from collections.abc import Callable

import mongomock

from adapters.memory import ManualClock
from adapters.mongo import MongoJobs, MongoLedger, MongoOrders, MongoStore, MongoUsers
from contract.jobs_contract import a_job, at
from contract.ledger_contract import a_purchase, give_free, give_paid, take_back
from contract.users_contract import a_user
from paintcore.domain.jobs import JobState
from support.mongo_backends import Backend
from support.mongo_counting import CountingClient, CountingCollection, count_flows
from support.mongo_movements import (
    ANNA,
    a_page,
    admin_grant,
    backend_fixture,  # noqa: F401 (a fixture)
    replay_registration,
    store_fixture,  # noqa: F401 (a fixture)
)
from support.serialized_mongo import Serialized


def test_each_port_call_sends_the_commands_docs_mongo_md_counts(
    backend: Backend, store: MongoStore, clock: ManualClock
) -> None:
    sent: list[str] = []
    db = backend.db
    users_docs, wallets, log, job_docs, payment_docs = (
        CountingCollection(db.get_collection(name), sent)
        for name in ("users", "wallets", "transactions", "jobs", "payments")
    )
    users = MongoUsers(users_docs)
    ledger = MongoLedger(wallets, log, job_docs, payment_docs, clock)
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
    # A purchase: its payment document (the record), then the guarded credit of the wallet.
    purchase = ["payments.insert_one", "wallets.update_one"]
    assert commands(lambda: give_paid(ledger, ANNA, 5, charge="c1")) == purchase
    # Delivered again: the insert meets the charge id, one read of the payment with its wallet.
    redelivered = ["payments.insert_one", "payments.aggregate"]
    assert commands(lambda: ledger.purchase(a_purchase(ANNA, 5, "c1"))) == redelivered
    # A refund's debit: taken and queued in the wallet, logged, pulled.
    queued = ["wallets.update_one", "transactions.insert_one", "wallets.update_one"]
    assert commands(lambda: take_back(ledger, ANNA, 2, "c1")) == queued
    refused = ["wallets.update_one", "wallets.find_one", "transactions.find_one"]
    assert commands(lambda: take_back(ledger, ANNA, 9, "c2", partial=True)) == refused + queued
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
        # payments.insert_one (the payment document is the purchase's record), then the credit:
        # wallets.update_one guarded by the charge id not in the wallet's `purchases` (upsert).
        "purchase credited (ledger.purchase)": [2, 2, 2],
        # The insert meets the charge id; one aggregate reads the payment with its buyer's wallet,
        # which holds the charge: nothing more.
        "purchase delivered again": [2, 2, 2],
        # Taken and queued, logged, pulled; payments.find_one_and_update.
        "refund, pages unspent (debit, mark)": [4, 4, 4],
        # The whole pack is tried first (refused), the wallet and the log read, then what is left
        # is taken, logged and pulled; the mark.
        "refund, pages partly spent (partial debit, mark)": [7, 7, 7],
    }
