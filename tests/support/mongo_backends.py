"""Where the Mongo tests run: mongomock always, a real server when PAINTBOT_TEST_MONGODB_URI names
one (each test then gets a fresh database, dropped afterwards). Fixtures `mongo_backend` and
`mongo_store`, loaded for every test as a plugin of tests/conftest.py."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import mongomock
import pymongo
import pytest

from adapters.memory import ManualClock
from adapters.mongo import MongoStore
from support.serialized_mongo import Serialized

SERVER_URI_VARIABLE = "PAINTBOT_TEST_MONGODB_URI"
SERVER_URI = os.environ.get(SERVER_URI_VARIABLE, "")
# The real-server half exists only when a server is named: one skip in the contract suite says
# so, instead of one skip per test.
BACKENDS = ["mongomock", "server"] if SERVER_URI else ["mongomock"]


@dataclass
class Backend:
    """A client and a database name no other test uses."""

    client: Any
    name: str

    @property
    def db(self) -> Any:
        return self.client.get_database(self.name)

    def store(self, clock: Any) -> MongoStore:
        return MongoStore(self.client, self.name, clock)


@pytest.fixture(params=BACKENDS)
def mongo_backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    if request.param == "mongomock":
        yield Backend(Serialized(mongomock.MongoClient()), "paintbot_test")
        return
    client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
        SERVER_URI, serverSelectionTimeoutMS=3000
    )
    name = f"paintbot_test_{uuid.uuid4().hex[:12]}"
    try:
        yield Backend(client, name)
    finally:
        client.drop_database(name)
        client.close()


@pytest.fixture
def mongo_store(mongo_backend: Backend, clock: ManualClock) -> MongoStore:
    return mongo_backend.store(clock)
