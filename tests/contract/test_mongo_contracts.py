"""The storage contracts run against MongoStore.

Every Mongo test (tests/contract/test_mongo_*.py) runs on mongomock and, when
PAINTBOT_TEST_MONGODB_URI is set, on that real server too (a fresh database per test, dropped
after). Where mongomock differs from a real server, and what the adapter and the tests do about
it: docs/MONGO.md, "mongomock vs a real server".
"""

from __future__ import annotations

import pytest

from adapters.mongo import MongoStore
from contract.conversations_contract import ConversationsContract
from contract.jobs_contract import JobsContract
from contract.ledger_contract import LedgerContract
from contract.preferences_contract import PreferencesContract
from contract.users_contract import UsersContract
from paintcore.ports import Conversations, Jobs, Ledger, Preferences, Users
from support.mongo_backends import BACKENDS, SERVER_URI, SERVER_URI_VARIABLE
from support.mongo_movements import backend_fixture, store_fixture  # noqa: F401 (fixtures)


@pytest.mark.skipif(
    not SERVER_URI,
    reason=f"{SERVER_URI_VARIABLE} not set: the contract suites ran on mongomock only",
)
def test_the_real_server_half_runs_when_a_server_is_named() -> None:
    assert "server" in BACKENDS


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
