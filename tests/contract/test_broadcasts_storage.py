"""The Broadcasts contract on every store: in memory, SQLite and MongoDB (mongomock, and a real
server when PAINTBOT_TEST_MONGODB_URI names one); the MongoDB commands a delivery,
a claim, a release and the preview's count cost."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.memory import InMemoryStore, ManualClock
from adapters.mongo import MongoBroadcasts, MongoStore
from adapters.sqlite import SqliteStore
from contract.broadcast_leases_contract import BroadcastLeasesContract
from contract.broadcasts_contract import (
    B1,
    CONFIRMED,
    BroadcastsContract,
    a_broadcast,
    a_page_request,
    at,
    users,
)
from paintcore.domain.broadcasts import Audience, Delivery
from paintcore.domain.users import UserId
from paintcore.ports import Storage
from support.mongo_backends import Backend
from support.mongo_counting import CountingCollection
from support.mongo_movements import backend_fixture, store_fixture  # noqa: F401 (fixtures)


class TestInMemoryBroadcasts(BroadcastsContract, BroadcastLeasesContract):
    @pytest.fixture
    def storage(self, clock: ManualClock) -> Storage:
        return InMemoryStore(clock)


class TestSqliteBroadcasts(BroadcastsContract, BroadcastLeasesContract):
    @pytest.fixture
    def storage(self, tmp_path: Path, clock: ManualClock) -> Iterator[Storage]:
        with SqliteStore(tmp_path / "paintbot.sqlite3", clock) as store:
            yield store


class TestMongoBroadcasts(BroadcastsContract, BroadcastLeasesContract):
    @pytest.fixture
    def storage(self, store: MongoStore) -> Storage:
        return store


def test_a_mongo_delivery_is_recorded_in_one_command(backend: Backend, store: MongoStore) -> None:
    sent: list[str] = []
    broadcasts = counting(backend, sent)
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


def test_a_mongo_lease_is_claimed_and_released_in_one_command_each(
    backend: Backend, store: MongoStore
) -> None:
    sent: list[str] = []
    broadcasts = counting(backend, sent)
    users(store, *range(1, 11))
    broadcasts.start(a_broadcast())
    store.jobs.add(a_page_request("p", 3, CONFIRMED - timedelta(days=1)))
    sent.clear()

    assert broadcasts.claim(B1, "w1", until=at(30), now=at(0)) is True
    assert sent == ["broadcasts.update_one"]
    sent.clear()
    assert broadcasts.claim(B1, "w2", until=at(30), now=at(1), replacing="w3") is False
    assert sent == ["broadcasts.update_one"]
    sent.clear()
    assert broadcasts.claim(B1, "w1", until=at(60), now=at(20)) is True  # renewal
    assert sent == ["broadcasts.update_one"]
    sent.clear()
    assert broadcasts.release(B1, "w1") is True
    assert sent == ["broadcasts.update_one"]
    sent.clear()
    assert broadcasts.release(B1, "w1") is False
    assert sent == ["broadcasts.update_one"]
    sent.clear()

    # The preview's count: one command for everyone or a language; for the active users, the
    # aggregate over the jobs and one count per chunk of their ids.
    assert broadcasts.audience_size(Audience.speaking("ru")) == 10
    assert sent == ["users.count_documents"]
    sent.clear()
    assert broadcasts.audience_size(Audience.active(CONFIRMED)) == 1
    assert sent == ["jobs.aggregate", "users.count_documents"]


def counting(backend: Backend, sent: list[str]) -> MongoBroadcasts:
    """MongoBroadcasts over the backend's collections, noting each command in `sent`."""
    db = backend.db
    return MongoBroadcasts(
        *(
            CountingCollection(db.get_collection(name), sent)
            for name in ("broadcasts", "broadcast_deliveries", "users", "jobs")
        )
    )
