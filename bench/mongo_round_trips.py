"""MongoDB commands per flow: the real use cases on MongoStore, every command they send counted.

With PAINTBOT_TEST_MONGODB_URI set, the store runs on that server and pymongo's command
monitoring counts what goes over the wire (a fresh database, dropped afterwards). Without it the
store runs on mongomock and each collection call that would be one command is counted instead:
the same number, since the adapter sends one command per collection call.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from typing import Any

from pymongo import MongoClient, monitoring

from adapters.memory import (
    FakeImageGenerator,
    FakePageFinisher,
    InMemoryJobQueue,
    InMemoryMessenger,
    ManualClock,
)
from adapters.mongo import MongoStore
from paintcore.dialog import DialogNotifier
from paintcore.domain.credits import Balance, Bucket, TransactionKind, purchase_key
from paintcore.domain.errors import GenerationFailed
from paintcore.domain.pages import PageOptions
from paintcore.domain.users import Profile, UserId
from paintcore.usecases import RegisterUser, RequestColoringPage, RunGeneration

USERS = 20
SERVER_VARIABLE = "PAINTBOT_TEST_MONGODB_URI"
BUDGETS = {
    "registration (new user)": 2,
    "/start again": None,
    "page request": 3,
    "page completion (take, draw, deliver, settle)": 3,
    "page request (paid credit)": 3,
    "page completion (paid credit)": 3,
    "page failed (take, refund)": 3,
}
# Collection methods that send exactly one command each (what the adapter uses).
ONE_COMMAND = {
    "aggregate",
    "count_documents",
    "delete_many",
    "delete_one",
    "find",
    "find_one",
    "find_one_and_update",
    "insert_one",
    "replace_one",
    "update_one",
}


class CountingCollection:
    """A collection that notes each command it is asked to send (for mongomock)."""

    def __init__(self, collection: Any, sent: list[str]) -> None:
        self._collection = collection
        self._sent = sent

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._collection, name)
        if name not in ONE_COMMAND:
            return real

        def counted(*args: Any, **kwargs: Any) -> Any:
            self._sent.append(f"{self._collection.name}.{name}")
            return real(*args, **kwargs)

        return counted


class CountingClient:
    """A client (or database) whose collections count their commands."""

    def __init__(self, target: Any, sent: list[str]) -> None:
        self._target, self._sent = target, sent

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)

    def get_database(self, name: str) -> CountingClient:
        return CountingClient(self._target.get_database(name), self._sent)

    def get_collection(self, name: str) -> CountingCollection:
        return CountingCollection(self._target.get_collection(name), self._sent)


class WireCounter(monitoring.CommandListener):
    """pymongo's command monitoring: every command sent on an application connection."""

    def __init__(self, sent: list[str]) -> None:
        self._sent = sent

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self._sent.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def count_flows(
    store: MongoStore, sent: list[str], users: int | None = None
) -> dict[str, list[int]]:
    """Commands each flow sent, per user."""
    clock = ManualClock()
    queue, messenger = InMemoryJobQueue(), InMemoryMessenger()
    register = RegisterUser(store.users, store.ledger, clock)
    buyer = RegisterUser(store.users, store.ledger, clock, free_credits=0)
    request = RequestColoringPage(store.orders, queue, clock)
    generator = FakeImageGenerator()
    run = RunGeneration(
        store.orders,
        store.users,
        generator,
        FakePageFinisher(),
        DialogNotifier(messenger),
        clock,
    )
    counts: dict[str, list[int]] = {flow: [] for flow in BUDGETS}

    def counted(flow: str, call: Callable[..., Any], **arguments: Any) -> Any:
        sent.clear()
        result = call(**arguments)
        counts[flow].append(len(sent))
        return result

    users = USERS if users is None else users
    for i in range(1, users + 1):
        profile = Profile(UserId(i), "bench")
        counted("registration (new user)", register, profile=profile, language="ru")
        counted("/start again", register, profile=profile, language="ru")
        job = counted(
            "page request",
            request,
            user_id=profile.id,
            chat_id=i,
            description="кот в шляпе",
            options=PageOptions(),
        )
        counted("page completion (take, draw, deliver, settle)", run, job_id=job.id)
        job = request(user_id=profile.id, chat_id=i, description="дом", options=PageOptions())
        generator.failures.append(GenerationFailed("the backend failed"))
        counted("page failed (take, refund)", run, job_id=job.id)
        # A user who bought credits and has no free ones left: the other bucket, same count.
        paying = Profile(UserId(users + i), "bench")
        buyer(profile=paying, language="ru")
        store.ledger.grant(
            user_id=paying.id,
            amount=5,
            key=purchase_key(f"bench-{i}"),
            kind=TransactionKind.PURCHASE,
            bucket=Bucket.PAID,
        )
        job = counted(
            "page request (paid credit)",
            request,
            user_id=paying.id,
            chat_id=users + i,
            description="кот в шляпе",
            options=PageOptions(),
        )
        counted("page completion (paid credit)", run, job_id=job.id)
    assert sum(m.kind == "page" for m in messenger.sent) == 2 * users, "every page was delivered"
    for i in range(1, users + 1):
        balances = store.ledger.balance(UserId(i)), store.ledger.balance(UserId(users + i))
        assert balances == (Balance(free=9), Balance(paid=4)), "one credit spent, one refunded"
    return counts


def measure() -> tuple[dict[str, list[int]], str]:
    """The counts, and where they were taken."""
    sent: list[str] = []
    uri = os.environ.get(SERVER_VARIABLE, "")
    if uri:
        client: MongoClient[dict[str, Any]] = MongoClient(
            uri, event_listeners=[WireCounter(sent)], serverSelectionTimeoutMS=3000
        )
        name = f"paintbot_bench_{uuid.uuid4().hex[:8]}"
        try:
            return count_flows(MongoStore(client, name, ManualClock()), sent), "server"
        finally:
            client.drop_database(name)
            client.close()
    import mongomock  # a test dependency: only needed without a server

    client_mock = CountingClient(mongomock.MongoClient(tz_aware=True), sent)
    return count_flows(MongoStore(client_mock, "bench", ManualClock()), sent), "mongomock"  # type: ignore[arg-type]


def run() -> list[dict[str, object]]:
    counts, where = measure()
    rows: list[dict[str, object]] = []
    for flow, numbers in counts.items():
        budget = BUDGETS[flow]
        shown = (
            f"{min(numbers)}" if min(numbers) == max(numbers) else f"{min(numbers)}-{max(numbers)}"
        )
        unit = f"MongoDB commands ({where})" + (f", issue budget <= {budget}" if budget else "")
        rows.append({"benchmark": f"commands per flow: {flow}", "value": shown, "unit": unit})
    return rows
