"""In-memory implementations of every port: the fakes the unit tests use, held to the contracts."""

from .attachments import InMemoryAttachments
from .broadcasts import InMemoryBroadcasts
from .checkout_gateway import InMemoryCheckoutGateway
from .checkout_orders import InMemoryCheckoutOrders
from .clock import ManualClock
from .conversations import InMemoryConversations
from .images import FakeImageGenerator, FakePageFinisher, FakePhotoTracer
from .jobs import InMemoryJobs
from .ledger import InMemoryLedger
from .messenger import InMemoryMessenger, SentMessage
from .metrics import RecordingMetrics
from .pacer import CountingPacer
from .payment_gateway import InMemoryPaymentGateway, SentInvoice
from .payments import InMemoryPayments
from .preferences import InMemoryPreferences
from .queue import InMemoryJobQueue
from .store import InMemoryStore
from .upkeep import InMemoryFlags, InMemoryUpdateLog
from .users import InMemoryUsers

__all__ = [
    "CountingPacer",
    "FakeImageGenerator",
    "FakePageFinisher",
    "FakePhotoTracer",
    "InMemoryAttachments",
    "InMemoryBroadcasts",
    "InMemoryCheckoutGateway",
    "InMemoryCheckoutOrders",
    "InMemoryConversations",
    "InMemoryFlags",
    "InMemoryJobQueue",
    "InMemoryJobs",
    "InMemoryLedger",
    "InMemoryMessenger",
    "InMemoryPaymentGateway",
    "InMemoryPayments",
    "InMemoryPreferences",
    "InMemoryStore",
    "InMemoryUpdateLog",
    "InMemoryUsers",
    "ManualClock",
    "RecordingMetrics",
    "SentInvoice",
    "SentMessage",
]
