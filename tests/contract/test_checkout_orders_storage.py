"""The CheckoutOrders contract on every store: in memory, SQLite and MongoDB (mongomock, and a
real server when PAINTBOT_TEST_MONGODB_URI names one); what the SQLite rows and Mongo documents
look like, and the SQLite migration that brought the table."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo.errors import DuplicateKeyError

from adapters.memory import InMemoryCheckoutOrders, InMemoryStore, ManualClock
from adapters.mongo import MongoCheckoutOrders, MongoStore
from adapters.sqlite import MIGRATIONS, SCHEMA_VERSION, SqliteStore
from adapters.sqlite.schema import migrate, schema_version
from contract.checkout_order_moves_contract import CheckoutOrderMovesContract
from contract.checkout_orders_contract import (
    URL,
    CheckoutOrdersContract,
    an_order,
    later,
    order_id,
    pending,
)
from contract.payments_contract import a_payment
from paintcore.domain.checkout import OrderState
from paintcore.ports import CheckoutOrders, Storage
from support.mongo_backends import Backend
from support.mongo_counting import CountingCollection
from support.mongo_movements import backend_fixture, store_fixture  # noqa: F401 (fixtures)


class TestInMemoryCheckoutOrders(CheckoutOrdersContract, CheckoutOrderMovesContract):
    @pytest.fixture
    def checkout_orders(self) -> CheckoutOrders:
        return InMemoryCheckoutOrders()


class TestSqliteCheckoutOrders(CheckoutOrdersContract, CheckoutOrderMovesContract):
    @pytest.fixture
    def checkout_orders(self, tmp_path: Path, clock: ManualClock) -> Iterator[CheckoutOrders]:
        with SqliteStore(tmp_path / "paintbot.sqlite3", clock) as store:
            yield store.checkout_orders


class TestMongoCheckoutOrders(CheckoutOrdersContract, CheckoutOrderMovesContract):
    @pytest.fixture
    def checkout_orders(self, store: MongoStore) -> CheckoutOrders:
        return store.checkout_orders


def test_every_store_has_checkout_orders(
    tmp_path: Path, clock: ManualClock, store: MongoStore
) -> None:
    with SqliteStore(tmp_path / "paintbot.sqlite3", clock) as sqlite:
        stores: tuple[Storage, ...] = (InMemoryStore(clock), sqlite, store)
        for storage in stores:
            assert storage.checkout_orders.add(an_order()) is True
            assert storage.checkout_orders.get(order_id(1)) == an_order()


# -- SQLite --------------------------------------------------------------------------------------


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def test_a_file_of_the_previous_version_gains_the_checkout_orders_table(
    tmp_path: Path, clock: ManualClock
) -> None:
    path = tmp_path / "paintbot.sqlite3"
    conn = raw(path)
    assert migrate(conn, MIGRATIONS[:-1]) == SCHEMA_VERSION - 1 == 8
    conn.execute(
        "INSERT INTO payments (charge_id, provider, user_id, pages, amount, currency, created_at,"
        " state) VALUES ('ch-1', 'stars', 1, 10, 50, 'XTR', ?, 'paid')",
        (a_payment().created_at.isoformat(timespec="microseconds"),),
    )
    conn.close()

    with SqliteStore(path, clock) as store:
        assert store.payments.get("ch-1") == a_payment(provider_charge_id="")
        assert store.checkout_orders.add(an_order()) is True
        assert store.checkout_orders.get(order_id(1)) == an_order()

    assert schema_version(raw(path)) == SCHEMA_VERSION


def test_the_sqlite_schema_keeps_one_order_per_payment(tmp_path: Path, clock: ManualClock) -> None:
    path = tmp_path / "paintbot.sqlite3"
    with SqliteStore(path, clock) as store:
        pending(store.checkout_orders, 1, "p-1")
        store.checkout_orders.add(an_order(2))
        store.checkout_orders.add(an_order(3))  # two orders without a payment ('') are fine

    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        raw(path).execute(
            f"UPDATE checkout_orders SET payment_id = 'p-1' WHERE order_id = '{order_id(2)}'"
        )
    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        raw(path).execute("UPDATE checkout_orders SET state = 'lost'")


def test_the_sqlite_open_orders_query_uses_the_partial_index(
    tmp_path: Path, clock: ManualClock
) -> None:
    path = tmp_path / "paintbot.sqlite3"
    SqliteStore(path, clock).close()

    plan = (
        raw(path)
        .execute(
            "EXPLAIN QUERY PLAN SELECT * FROM checkout_orders"
            " WHERE provider = ? AND state IN ('new', 'pending') ORDER BY created_at, order_id LIMIT ?",
            ("yookassa", 100),
        )
        .fetchall()
    )

    assert any("checkout_orders_open" in row[-1] for row in plan), plan
    assert not any("TEMP B-TREE" in row[-1] for row in plan), plan


# -- MongoDB -------------------------------------------------------------------------------------


def test_a_mongo_order_is_one_document_keyed_by_its_id(backend: Backend, store: MongoStore) -> None:
    pending(store.checkout_orders, 1, "p-1")
    store.checkout_orders.add(an_order(2))
    store.checkout_orders.settle(order_id(2), state=OrderState.EXPIRED, at=later(60))

    first = backend.db.checkout_orders.find_one({"_id": order_id(1)})
    second = backend.db.checkout_orders.find_one({"_id": order_id(2)})

    assert first is not None and second is not None
    assert (first["state"], first["open"], first["payment_id"]) == ("pending", True, "p-1")
    assert (first["pages"], first["price"], first["currency"]) == (30, 149, "RUB")
    assert isinstance(first["created_at_us"], int) and isinstance(first["updated_at_us"], int)
    assert (second["state"], second["open"]) == ("expired", False)


def test_mongo_indexes_keep_one_order_per_payment(backend: Backend, store: MongoStore) -> None:
    info = backend.db.checkout_orders.index_information()
    assert info["unique_payment"]["unique"] is True
    assert info["unique_payment"]["partialFilterExpression"] == {"payment_id": {"$gt": ""}}
    assert info["open_oldest_first"]["partialFilterExpression"] == {"open": True}
    assert "by_user_newest" in info
    pending(store.checkout_orders, 1, "p-1")
    store.checkout_orders.add(an_order(2))
    store.checkout_orders.add(an_order(3))  # two orders without a payment ("") are fine

    with pytest.raises(DuplicateKeyError):
        backend.db.checkout_orders.update_one({"_id": order_id(2)}, {"$set": {"payment_id": "p-1"}})
    assert (
        store.checkout_orders.attach(
            order_id(3), payment_id="p-1", confirmation_url=URL, at=later(9)
        )
        is None
    )


def test_each_mongo_order_call_sends_the_commands_docs_mongo_md_counts(
    backend: Backend, store: MongoStore
) -> None:
    sent: list[str] = []
    counted: Any = CountingCollection(backend.db.checkout_orders, sent)
    orders = MongoCheckoutOrders(counted)

    def commands(call: Callable[[], object]) -> list[str]:
        sent.clear()
        call()
        return [name.split(".")[1] for name in sent]

    def attach() -> object:
        return orders.attach(order_id(1), payment_id="p-1", confirmation_url=URL, at=later(5))

    def settle() -> object:
        return orders.settle(order_id(1), state=OrderState.PAID, at=later(60))

    assert commands(lambda: orders.add(an_order(1))) == ["insert_one"]
    assert commands(lambda: orders.add(an_order(1))) == ["insert_one"]  # known
    assert commands(lambda: orders.get(order_id(1))) == ["find_one"]
    assert commands(attach) == ["find_one_and_update"]
    assert commands(attach) == ["find_one_and_update", "find_one"]  # again: reads it
    assert commands(lambda: orders.by_payment("yookassa", "p-1")) == ["find_one"]
    assert commands(lambda: orders.by_payment("yookassa", "")) == []
    assert commands(lambda: orders.open_orders(provider="yookassa")) == ["find"]
    assert commands(lambda: orders.of_user(an_order().user_id)) == ["find"]
    assert commands(settle) == ["find_one_and_update"]
    assert commands(settle) == ["find_one_and_update"]  # final already: None, nothing read
