"""MongoDB storage (pymongo): users, the credit ledger, jobs, conversations and page options."""

from .broadcasts import MongoBroadcasts
from .checkout_orders import MongoCheckoutOrders
from .connection import DEFAULT_DATABASE, connect, redact
from .conversations import MongoConversations
from .indexes import INDEXES
from .jobs import MongoJobs
from .ledger import MongoLedger
from .orders import MongoOrders
from .payments import MongoPayments
from .preferences import MongoPreferences
from .store import MongoStore
from .users import MongoUsers

__all__ = [
    "DEFAULT_DATABASE",
    "INDEXES",
    "MongoBroadcasts",
    "MongoCheckoutOrders",
    "MongoConversations",
    "MongoJobs",
    "MongoLedger",
    "MongoOrders",
    "MongoPayments",
    "MongoPreferences",
    "MongoStore",
    "MongoUsers",
    "connect",
    "redact",
]
