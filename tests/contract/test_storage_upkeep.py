"""UpdateLog and Flags on every store, and what the Storage type promises all three."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.memory import InMemoryMessenger, InMemoryStore, ManualClock
from adapters.mongo import MongoStore
from adapters.sqlite import SqliteStore
from paintcore.dialog import DialogNotifier
from paintcore.domain.errors import StorageUnavailable
from support.mongo_backends import Backend

from .upkeep_contract import FlagsContract, UpdateLogContract


class TestInMemoryUpkeep(UpdateLogContract, FlagsContract):
    @pytest.fixture
    def store(self, clock: ManualClock) -> InMemoryStore:
        return InMemoryStore(clock)


class TestSqliteUpkeep(UpdateLogContract, FlagsContract):
    @pytest.fixture
    def store(self, tmp_path: Path, clock: ManualClock) -> Iterator[SqliteStore]:
        with SqliteStore(tmp_path / "paintbot.sqlite3", clock) as store:
            yield store


class TestMongoUpkeep(UpdateLogContract, FlagsContract):
    @pytest.fixture
    def store(self, mongo_store: MongoStore) -> MongoStore:
        return mongo_store


def test_a_closed_in_memory_store_does_not_answer(clock: ManualClock) -> None:
    store = InMemoryStore(clock)
    store.ping()

    store.close()

    with pytest.raises(StorageUnavailable):
        store.ping()


def test_two_processes_on_one_sqlite_file_alert_admins_once_per_outage(
    tmp_path: Path, clock: ManualClock
) -> None:
    path = tmp_path / "paintbot.sqlite3"
    messenger = InMemoryMessenger()
    with SqliteStore(path, clock) as first, SqliteStore(path, clock) as second:
        bot, worker = (
            DialogNotifier(messenger, admin_ids=frozenset({900}), flags=s.flags, clock=clock)
            for s in (first, second)
        )
        bot.backend_down("401 invalid key")
        worker.backend_down("401 invalid key")
        assert len(messenger.texts(900)) == 1

        worker.backend_up()
        bot.backend_down("429 quota")
        worker.backend_down("429 quota")

    assert len(messenger.texts(900)) == 2
    assert "429 quota" in messenger.texts(900)[-1]


def test_two_mongo_clients_alert_admins_once_per_outage(
    mongo_backend: Backend, clock: ManualClock
) -> None:
    messenger = InMemoryMessenger()
    notifiers = [
        DialogNotifier(
            messenger,
            admin_ids=frozenset({900}),
            flags=mongo_backend.store(clock).flags,
            clock=clock,
        )
        for _ in range(2)
    ]
    for notifier in notifiers:
        notifier.backend_down("401 invalid key")

    assert len(messenger.texts(900)) == 1
