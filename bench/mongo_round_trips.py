"""MongoDB commands per flow: the real use cases on MongoStore, every command they send counted.

With PAINTBOT_TEST_MONGODB_URI set, the store runs on that server and pymongo's command
monitoring counts what goes over the wire (a fresh database, dropped afterwards). Without it the
store runs on mongomock and each collection call that would be one command is counted instead:
the same number, since the adapter sends one command per collection call. The flows and the
counting live with the tests that pin the same numbers (tests/support/mongo_counting.py).
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path
from typing import Any

from pymongo import MongoClient, monitoring

# The counting lives with the tests; a `tests` package some wheels install into site-packages
# shadows the folder as a package, so it goes on the path like quality_gate's.
_TESTS = Path(__file__).resolve().parents[1] / "tests"
if str(_TESTS) not in sys.path:
    sys.path.insert(0, str(_TESTS))

from adapters.memory import ManualClock  # noqa: E402
from adapters.mongo import MongoStore  # noqa: E402
from support.mongo_counting import FLOWS, CountingClient, count_flows  # noqa: E402

USERS = 20
SERVER_VARIABLE = "PAINTBOT_TEST_MONGODB_URI"
_ISSUE_BUDGETS = {
    "registration (new user)": 2,
    "page request": 3,
    "page completion (take, draw, deliver, settle)": 3,
    "page request (paid credit)": 3,
    "page completion (paid credit)": 3,
    "page failed (take, refund)": 3,
    "purchase credited (ledger.purchase)": 2,
}
BUDGETS = {flow: _ISSUE_BUDGETS.get(flow) for flow in FLOWS}


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
            return count_flows(MongoStore(client, name, ManualClock()), sent, USERS), "server"
        finally:
            client.drop_database(name)
            client.close()
    import mongomock  # a test dependency: only needed without a server

    client_mock = CountingClient(mongomock.MongoClient(tz_aware=True), sent)
    store = MongoStore(client_mock, "bench", ManualClock())  # type: ignore[arg-type]
    return count_flows(store, sent, USERS), "mongomock"


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
