"""The PageOrders contract run against the orders of every store: memory, SQLite and MongoDB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.memory import InMemoryJobs, InMemoryLedger, InMemoryUsers, ManualClock
from adapters.mongo import MongoStore
from adapters.sqlite import SqliteStore
from contract.orders_contract import OrdersWorld, PageOrdersContract
from paintcore.orders import StepwiseOrders


class TestInMemoryPageOrders(PageOrdersContract):
    @pytest.fixture
    def world(self, clock: ManualClock) -> OrdersWorld:
        users, ledger, jobs = InMemoryUsers(), InMemoryLedger(clock), InMemoryJobs()
        return OrdersWorld(users, ledger, jobs, StepwiseOrders(users, ledger, jobs))


class TestSqlitePageOrders(PageOrdersContract):
    @pytest.fixture
    def world(self, tmp_path: Path, clock: ManualClock) -> Iterator[OrdersWorld]:
        with SqliteStore(tmp_path / "paint.db", clock) as store:
            yield OrdersWorld(store.users, store.ledger, store.jobs, store.orders)


class TestMongoPageOrders(PageOrdersContract):
    @pytest.fixture
    def world(self, mongo_store: MongoStore) -> OrdersWorld:
        store = mongo_store
        return OrdersWorld(store.users, store.ledger, store.jobs, store.orders)
