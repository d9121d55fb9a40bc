"""Every index the store relies on, created at start-up (creating an existing index is a no-op)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pymongo.database import Database

from .documents import Document


@dataclass(frozen=True, slots=True)
class Index:
    collection: str
    name: str
    keys: list[tuple[str, int]]
    options: dict[str, Any] = field(default_factory=dict)


INDEXES = (
    # reconcile() reads only the wallets with holds not yet settled (one per page in flight).
    Index("wallets", "holds_by_job", [("holds.job", 1)]),
    # reconcile() looks only at wallets with movements pending (normally none).
    Index(
        "wallets",
        "pending_movements",
        [("pending.op", 1)],
        {"partialFilterExpression": {"pending.op": {"$exists": True}}},
    ),
    # The idempotency key: a movement is logged once, whoever tries again.
    Index("transactions", "unique_key", [("key", 1)], {"unique": True}),
    Index("transactions", "log_order", [("created_at_us", 1), ("_id", 1)]),
    Index("transactions", "log_by_user", [("user_id", 1), ("created_at_us", 1), ("_id", 1)]),
    # One job in flight per user. `in_flight: true` rather than `state: {$in: [...]}`: servers
    # before 6.0 accept no `$in` in a partial filter.
    Index(
        "jobs",
        "one_in_flight_per_user",
        [("user_id", 1)],
        {"unique": True, "partialFilterExpression": {"in_flight": True}},
    ),
    Index("jobs", "by_state_oldest_first", [("state", 1), ("created_at_us", 1)]),
    Index("jobs", "running_by_start", [("state", 1), ("started_at_us", 1)]),
    # The sweep of expectations too old to act on (by the bot's clock, not a TTL index's: the
    # server's clock would disagree with a test's, and the core decides what is stale).
    Index("conversations", "by_age", [("updated_at_us", 1)]),
    # transactions(user) reads the records of the user's holds, which live in the jobs.
    Index("jobs", "holds_by_user", [("hold.user_id", 1)]),
    # The sweep of handled updates older than Telegram would deliver again.
    Index("updates", "by_age", [("handled_at_us", 1)]),
    # /stats (jobs.since), the admin's latest jobs (jobs.recent), a user's latest jobs.
    Index("jobs", "by_creation", [("created_at_us", 1)]),
    Index("jobs", "by_user_newest", [("user_id", 1), ("created_at_us", -1)]),
    # An admin finds a user by @username (any letter case); /stats counts the new users.
    Index("users", "by_username", [("username_lower", 1)]),
    Index("users", "by_registration", [("registered_at_us", 1)]),
    # A user's payments, newest first; the totals since a moment. The charge id is `_id`.
    Index("payments", "by_user_newest", [("user_id", 1), ("created_at_us", -1)]),
    Index("payments", "by_time", [("created_at_us", 1)]),
    # reconcile() looks at the purchases of the last week for one whose credit a crash stopped.
    Index("payments", "purchases_by_time", [("purchase.at_us", 1)]),
    # One broadcast at a time: only a running one has `running: true`, so a second collides.
    Index(
        "broadcasts",
        "one_running",
        [("running", 1)],
        {"unique": True, "partialFilterExpression": {"running": True}},
    ),
    Index("broadcasts", "by_start", [("started_at_us", -1)]),
    # The next page of pending recipients and the counts of a broadcast; a delivery's own
    # record goes by `_id`.
    Index("broadcast_deliveries", "by_state", [("b", 1), ("state", 1), ("u", 1)]),
    # A provider's payment belongs to one order. Orders not given one yet all have "", which
    # `$gt: ""` leaves out (a partial filter takes no `$ne`).
    Index(
        "checkout_orders",
        "unique_payment",
        [("provider", 1), ("payment_id", 1)],
        {"unique": True, "partialFilterExpression": {"payment_id": {"$gt": ""}}},
    ),
    # What the poller asks about: the few open orders, not every order ever placed.
    Index(
        "checkout_orders",
        "open_oldest_first",
        [("provider", 1), ("created_at_us", 1), ("_id", 1)],
        {"partialFilterExpression": {"open": True}},
    ),
    Index(
        "checkout_orders", "by_user_newest", [("user_id", 1), ("created_at_us", -1), ("_id", -1)]
    ),
)


def ensure_indexes(database: Database[Document]) -> None:
    """Create the indexes one call each: mongomock's create_indexes() drops partial filters."""
    for index in INDEXES:
        database.get_collection(index.collection).create_index(
            index.keys, name=index.name, **index.options
        )
