"""The Broadcasts contract on every store: in memory, SQLite and MongoDB (mongomock, and a real
server when PAINTBOT_TEST_MONGODB_URI names one); the MongoDB commands a delivery costs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.memory import InMemoryStore, ManualClock
from adapters.mongo import MongoBroadcasts, MongoStore
from adapters.sqlite import SqliteStore
from contract.broadcasts_contract import B1, BroadcastsContract, a_broadcast, at, users
from paintcore.domain.broadcasts import Delivery
from paintcore.domain.users import UserId
from paintcore.ports import Storage
from support.mongo_backends import Backend
from support.mongo_counting import CountingCollection
from support.mongo_movements import backend_fixture, store_fixture  # noqa: F401 (fixtures)


class TestInMemoryBroadcasts(BroadcastsContract):
    @pytest.fixture
    def storage(self, clock: ManualClock) -> Storage:
        return InMemoryStore(clock)


class TestSqliteBroadcasts(BroadcastsContract):
    @pytest.fixture
    def storage(self, tmp_path: Path, clock: ManualClock) -> Iterator[Storage]:
        with SqliteStore(tmp_path / "paintbot.sqlite3", clock) as store:
            yield store


class TestMongoBroadcasts(BroadcastsContract):
    @pytest.fixture
    def storage(self, store: MongoStore) -> Storage:
        return store


def test_a_mongo_delivery_is_recorded_in_one_command(backend: Backend, store: MongoStore) -> None:
    sent: list[str] = []
    db = backend.db
    broadcasts = MongoBroadcasts(
        *(
            CountingCollection(db.get_collection(name), sent)
            for name in ("broadcasts", "broadcast_deliveries", "users", "jobs")
        )
    )
    users(store, *range(1, 251))
    broadcasts.start(a_broadcast())
    sent.clear()

    page = broadcasts.pending(B1, limit=100)
    for user_id in page:
        broadcasts.record(B1, user_id, Delivery.SENT, at=at(1))
    assert sent == ["broadcast_deliveries.find"] + ["broadcast_deliveries.update_one"] * 100
    sent.clear()

    assert broadcasts.record(B1, UserId(1), Delivery.FAILED, at=at(2)) is False
    assert sent == ["broadcast_deliveries.update_one"]
    sent.clear()
    broadcasts.counts(B1)
    assert sent == ["broadcast_deliveries.aggregate"]
