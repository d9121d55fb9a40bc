"""The Payments contract on every store: in memory, SQLite and MongoDB (mongomock, and a real
server when PAINTBOT_TEST_MONGODB_URI names one)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.memory import InMemoryPayments, InMemoryStore, ManualClock
from adapters.mongo import MongoStore
from adapters.sqlite import SqliteStore
from contract.payments_contract import PaymentsContract, a_payment
from contract.users_contract import a_user
from paintcore.domain.credits import Balance
from paintcore.domain.users import UserId
from paintcore.ports import Payments, Storage
from support.mongo_backends import Backend
from support.mongo_movements import backend_fixture, store_fixture  # noqa: F401 (fixtures)


class TestInMemoryPayments(PaymentsContract):
    @pytest.fixture
    def payments(self) -> Payments:
        return InMemoryPayments()


class TestSqlitePayments(PaymentsContract):
    @pytest.fixture
    def payments(self, tmp_path: Path, clock: ManualClock) -> Iterator[Payments]:
        with SqliteStore(tmp_path / "paintbot.sqlite3", clock) as store:
            yield store.payments


class TestMongoPayments(PaymentsContract):
    @pytest.fixture
    def payments(self, store: MongoStore) -> Payments:
        return store.payments


def test_a_mongo_payment_is_one_document_keyed_by_its_charge_id(
    backend: Backend, store: MongoStore
) -> None:
    store.ledger.purchase(a_payment("ch-1"))

    document = backend.db.payments.find_one({"_id": "ch-1"})

    assert document is not None
    assert document["user_id"] == 1 and document["state"] == "paid"
    assert isinstance(document["created_at_us"], int)


def test_mongo_finds_a_user_written_before_usernames_were_kept_lowercased(
    backend: Backend, store: MongoStore
) -> None:
    store.users.add(a_user(1, username="Anya_P"))
    backend.db.users.update_one({"_id": 1}, {"$unset": {"username_lower": ""}})
    store.users.add(a_user(2, username="boris"))

    found = store.users.find("@ANYA_p")

    assert found is not None and found.id == UserId(1)
    assert store.users.find("anya.p") is None  # the pattern is escaped, not taken as a regex
    assert backend.db.users.find_one({"_id": 2})["username_lower"] == "boris"


def _stores(tmp_path: Path, clock: ManualClock, store: MongoStore) -> Iterator[Storage]:
    yield InMemoryStore(clock)
    with SqliteStore(tmp_path / "paintbot.sqlite3", clock) as sqlite:
        yield sqlite
    yield store


def test_a_purchase_records_its_payment_on_every_store(
    tmp_path: Path, clock: ManualClock, store: MongoStore
) -> None:
    for storage in _stores(tmp_path, clock, store):
        payment = a_payment("ch-1")

        assert storage.ledger.purchase(payment) is True
        assert storage.payments.get("ch-1") == payment
        assert storage.payments.add(payment) is False  # known: recorded by its purchase
        assert storage.ledger.balance(payment.user_id) == Balance(paid=payment.pages)
        assert storage.ledger.purchase(payment) is False
        assert storage.ledger.balance(payment.user_id) == Balance(paid=payment.pages)


def test_a_payment_recorded_alone_is_not_credited_by_its_purchase(
    tmp_path: Path, clock: ManualClock, store: MongoStore
) -> None:
    """A payment `Payments.add` recorded is known: its purchase credits nothing (every store)."""
    for storage in _stores(tmp_path, clock, store):
        payment = a_payment("ch-2")
        storage.payments.add(payment)

        assert storage.ledger.purchase(payment) is False
        assert storage.ledger.balance(payment.user_id) == Balance()
