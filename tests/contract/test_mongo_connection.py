"""Connecting to MongoDB and failing plainly: fast timeouts, passwords never shown, pymongo's
failures turned into StorageUnavailable, short retries of reads after a dropped connection."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pymongo
import pytest
from pymongo.errors import AutoReconnect, OperationFailure, ServerSelectionTimeoutError

from adapters.memory import ManualClock
from adapters.mongo import MongoLedger, MongoOrders, MongoStore, MongoUsers, connect, redact
from adapters.mongo.errors import describe
from contract.ledger_contract import give_free
from contract.users_contract import a_user
from paintcore.domain.errors import StorageUnavailable
from paintcore.domain.jobs import JobState
from support.mongo_backends import Backend
from support.mongo_movements import (
    ANNA,
    a_page,
    backend_fixture,  # noqa: F401 (a fixture)
    store_fixture,  # noqa: F401 (a fixture)
)

CLOSED_PORT_URI = "mongodb://paintbot:s3cret-Pa55@127.0.0.1:9/paint?serverSelectionTimeoutMS=300"


def test_connect_to_a_closed_port_fails_fast_with_the_password_hidden(clock: ManualClock) -> None:
    started = time.monotonic()

    with pytest.raises(StorageUnavailable) as raised:
        connect(CLOSED_PORT_URI, clock=clock)

    message = str(raised.value)
    assert time.monotonic() - started < 5
    assert "s3cret-Pa55" not in message
    assert message.startswith(
        "cannot use MongoDB at "
        "mongodb://paintbot:***@127.0.0.1:9/paint?serverSelectionTimeoutMS=300: "
        "no MongoDB server answered within the server selection timeout"
    )
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_connect_applies_its_own_short_timeout_when_the_uri_sets_none(clock: ManualClock) -> None:
    started = time.monotonic()

    with pytest.raises(StorageUnavailable):
        connect("mongodb://127.0.0.1:9/", clock=clock, server_selection_timeout_ms=200)

    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    "uri",
    [
        "postgres://paintbot:s3cret-Pa55@db/paint",
        "mongodb://paintbot:s3cret-Pa55@db:port/paint",
        "mongodb://paintbot:s3cret@Pa55@db/paint",
        "mongodb://paintbot:s3cret-Pa55@",
    ],
)
def test_an_invalid_uri_is_refused_with_the_password_hidden(clock: ManualClock, uri: str) -> None:
    with pytest.raises(StorageUnavailable) as raised:
        connect(uri, clock=clock)

    message = str(raised.value)
    assert message.startswith("invalid MongoDB URI ")
    assert "s3cret" not in message and "Pa55" not in message
    assert ":***@" in message


def test_redact_hides_passwords_and_secret_options_only() -> None:
    assert redact("mongodb+srv://bot:p%40ss@cluster0.example.net/paint?retryWrites=true") == (
        "mongodb+srv://bot:***@cluster0.example.net/paint?retryWrites=true"
    )
    assert redact("mongodb://db1,db2/paint?authMechanismProperties=AWS_SESSION_TOKEN:x") == (
        "mongodb://db1,db2/paint?authMechanismProperties=AWS_SESSION_TOKEN:x"
    )
    assert redact("mongodb://bot@db/?tlsCertificateKeyFilePassword=hush&w=1") == (
        "mongodb://bot@db/?tlsCertificateKeyFilePassword=***&w=1"
    )


def test_wrong_credentials_and_missing_rights_are_named_plainly() -> None:
    wrong = OperationFailure("Authentication failed.", 18, {"errmsg": "Authentication failed."})
    no_rights = OperationFailure(
        "not authorized on paint to execute command { insert: ... }",
        13,
        {"errmsg": "not authorized on paint to execute command { insert: ... }"},
    )

    assert describe(wrong).startswith("authentication failed: check the user name, password")
    assert describe(no_rights).startswith("not authorized: the MongoDB user lacks the rights")
    assert describe(ServerSelectionTimeoutError("db:27017: timed out, Timeout: 3s, ...")) == (
        "no MongoDB server answered within the server selection timeout (db:27017: timed out)"
    )


def unreachable_client() -> pymongo.MongoClient[dict[str, Any]]:
    return pymongo.MongoClient(
        "mongodb://127.0.0.1:9/", serverSelectionTimeoutMS=200, connect=False
    )


def test_every_port_reports_storage_unavailable_when_the_server_is_gone(clock: ManualClock) -> None:
    db = unreachable_client().get_database("paint")
    users = MongoUsers(db.get_collection("users"))
    ledger = MongoLedger(db.wallets, db.transactions, db.jobs, db.payments, clock)
    orders = MongoOrders(db.users, db.wallets, db.jobs, ledger.holds, clock)

    calls: list[Callable[[], object]] = [
        lambda: orders.open(a_page(clock)),
        lambda: orders.take("p1", at=clock.now()),
        lambda: orders.close("p1", state=JobState.FAILED, at=clock.now()),
        users.count,
        lambda: users.add(a_user(1)),
        lambda: ledger.balance(ANNA),
        lambda: give_free(ledger, ANNA, 1),
        lambda: ledger.capture(job_id="j1"),
    ]
    for call in calls:
        with pytest.raises(StorageUnavailable, match="no MongoDB server answered"):
            call()


def test_a_closed_store_reports_storage_unavailable(clock: ManualClock) -> None:
    client = unreachable_client()
    users = MongoUsers(client.get_database("paint").get_collection("users"))
    client.close()

    with pytest.raises(StorageUnavailable, match="cannot be used"):
        users.get(ANNA)


class FlakyOnce:
    """A collection whose next `failures` find_one calls lose the connection."""

    def __init__(self, collection: Any, failures: int) -> None:
        self._collection = collection
        self.failures = failures

    def find_one(self, *args: Any, **kwargs: Any) -> Any:
        if self.failures > 0:
            self.failures -= 1
            raise AutoReconnect("connection reset by peer")
        return self._collection.find_one(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)


def test_a_read_is_retried_after_a_dropped_connection(backend: Backend, store: MongoStore) -> None:
    store.users.add(a_user(1))
    flaky = FlakyOnce(backend.db.get_collection("users"), failures=2)

    assert MongoUsers(flaky).get(ANNA) == a_user(1)
    assert flaky.failures == 0


def test_a_connection_that_keeps_dropping_gives_storage_unavailable(backend: Backend) -> None:
    flaky = FlakyOnce(backend.db.get_collection("users"), failures=3)

    with pytest.raises(StorageUnavailable, match="connection to MongoDB failed"):
        MongoUsers(flaky).get(ANNA)


def test_ping_answers(store: MongoStore) -> None:
    store.ping()
    assert store.database.startswith("paintbot_test")
