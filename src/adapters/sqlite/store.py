"""SqliteStore: the embedded default storage, one SQLite file holding every storage port."""

from __future__ import annotations

from pathlib import Path

from adapters.closing import ClosedOnExit
from paintcore.orders import StepwiseOrders
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

from .broadcasts import SqliteBroadcasts
from .checkout_orders import SqliteCheckoutOrders
from .conversations import SqliteConversations
from .db import BUSY_TIMEOUT_SECONDS, Database
from .export import SqliteExport
from .jobs import SqliteJobs
from .ledger import SqliteLedger
from .payments import SqlitePayments
from .preferences import SqlitePreferences
from .upkeep import SqliteFlags, SqliteUpdateLog
from .users import SqliteUsers


class SqliteStore(ClosedOnExit):
    """Opens (creating and migrating) the database at `path`; StorageUnavailable if it cannot.

    Safe to share between threads. `":memory:"` gives a private in-memory database.
    `busy_timeout` is how long (seconds) to wait for another process's write lock before
    giving up with StorageUnavailable.
    """

    def __init__(
        self, path: str | Path, clock: Clock, *, busy_timeout: float = BUSY_TIMEOUT_SECONDS
    ) -> None:
        self._db = Database(path, busy_timeout=busy_timeout)
        # Typed as the ports so that mypy checks each adapter fits its port.
        self.users: Users = SqliteUsers(self._db)
        self.ledger: Ledger = SqliteLedger(self._db, clock)
        self.jobs: Jobs = SqliteJobs(self._db)
        self.conversations: Conversations = SqliteConversations(self._db)
        self.orders: PageOrders = StepwiseOrders(self.users, self.ledger, self.jobs)
        self.preferences: Preferences = SqlitePreferences(self._db)
        self.updates: UpdateLog = SqliteUpdateLog(self._db)
        self.flags: Flags = SqliteFlags(self._db)
        self.payments: Payments = SqlitePayments(self._db)
        self.broadcasts: Broadcasts = SqliteBroadcasts(self._db)
        self.checkout_orders: CheckoutOrders = SqliteCheckoutOrders(self._db)

    @property
    def path(self) -> str:
        return self._db.path

    def export(self) -> SqliteExport:
        """Every row of every table, for moving the deployment elsewhere."""
        return SqliteExport(self._db)

    def ping(self) -> None:
        """Return if the database answers; StorageUnavailable if not (closed, gone, corrupt)."""
        with self._db.read() as conn:
            # Reads the schema from the file, which `SELECT 1` would not touch.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()

    def reconcile(self) -> int:
        """Nothing to heal: every SQLite movement is one transaction (MongoStore's has work)."""
        return 0

    def close(self) -> None:
        """Close the connection; later calls raise StorageUnavailable. Closing twice is harmless."""
        self._db.close()
