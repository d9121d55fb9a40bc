"""MongoStore: every storage port on one MongoDB database."""

from __future__ import annotations

from datetime import timedelta

from pymongo import MongoClient

from adapters.closing import ClosedOnExit
from paintcore.ports import (
    Broadcasts,
    CheckoutOrders,
    Clock,
    Conversations,
    Flags,
    Jobs,
    Ledger,
    PageOrders,
    Payments,
    Preferences,
    UpdateLog,
    Users,
)

from .broadcasts import MongoBroadcasts
from .checkout_orders import MongoCheckoutOrders
from .conversations import MongoConversations
from .documents import Document
from .errors import storage_call
from .holds import RECONCILE_GRACE
from .indexes import ensure_indexes
from .jobs import MongoJobs
from .ledger import MongoLedger
from .orders import MongoOrders
from .payments import MongoPayments
from .preferences import MongoPreferences
from .upkeep import MongoFlags, MongoUpdateLog
from .users import MongoUsers


class MongoStore(ClosedOnExit):
    """The ports on database `database` of `client`, whose indexes it creates on construction
    (StorageUnavailable if it cannot). Safe to share between threads; `close()` closes the client.

    Run `reconcile()` at start-up and now and then: it completes credit movements a crash left
    half-done (each is one wallet update and one record elsewhere; see docs/MONGO.md).
    """

    def __init__(self, client: MongoClient[Document], database: str, clock: Clock) -> None:
        self._client = client
        self._db = client.get_database(database)
        collection = self._db.get_collection
        wallets, jobs = collection("wallets"), collection("jobs")
        payments = collection("payments")
        self._ledger = MongoLedger(wallets, collection("transactions"), jobs, payments, clock)
        # Typed as the ports so that mypy checks each adapter fits its port.
        self.users: Users = MongoUsers(collection("users"))
        self.ledger: Ledger = self._ledger
        self.jobs: Jobs = MongoJobs(jobs)
        self.conversations: Conversations = MongoConversations(collection("conversations"))
        self.orders: PageOrders = MongoOrders(
            collection("users"), wallets, jobs, self._ledger.holds, clock
        )
        self.preferences: Preferences = MongoPreferences(collection("preferences"))
        self.updates: UpdateLog = MongoUpdateLog(collection("updates"))
        self.flags: Flags = MongoFlags(collection("flags"))
        self.payments: Payments = MongoPayments(payments)
        self.broadcasts: Broadcasts = MongoBroadcasts(
            collection("broadcasts"), collection("broadcast_deliveries"), collection("users"), jobs
        )
        self.checkout_orders: CheckoutOrders = MongoCheckoutOrders(collection("checkout_orders"))
        self.ensure_indexes()

    @property
    def database(self) -> str:
        return self._db.name

    @storage_call("ensure_indexes")
    def ensure_indexes(self) -> None:
        """Create the indexes the store relies on (unique keys, one job in flight); idempotent."""
        ensure_indexes(self._db)

    @storage_call("ping")
    def ping(self) -> None:
        """Return if the server answers; StorageUnavailable if not."""
        self._client.admin.command("ping")

    def reconcile(self, grace: timedelta = RECONCILE_GRACE) -> int:
        """Complete credit movements a crash left between their two writes; how many there were
        (a hold younger than `grace` whose job has no record yet is left to its reserve)."""
        return self._ledger.reconcile(grace)

    def close(self) -> None:
        """Close the client; later calls raise StorageUnavailable. Closing twice is harmless."""
        self._client.close()
