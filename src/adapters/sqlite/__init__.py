"""Embedded SQLite storage (stdlib sqlite3, WAL): users, the credit ledger, jobs, conversations."""

from .checkout_orders import SqliteCheckoutOrders
from .conversations import SqliteConversations
from .jobs import SqliteJobs
from .ledger import SqliteLedger
from .payments import SqlitePayments
from .schema import MIGRATIONS, SCHEMA_VERSION
from .store import SqliteStore
from .users import SqliteUsers

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "SqliteCheckoutOrders",
    "SqliteConversations",
    "SqliteJobs",
    "SqliteLedger",
    "SqlitePayments",
    "SqliteStore",
    "SqliteUsers",
]
