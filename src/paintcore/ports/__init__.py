"""The interfaces the core needs from the outside world, as typing.Protocols.

Adapters do not inherit from these; mypy checks that they fit. Every method takes and returns
domain types and names the core errors it may raise.
"""

from .checkout import CheckoutGateway
from .clock import Clock
from .images import ImageGenerator, Moderator, PageFinisher, PhotoTracer
from .jobs import JobNotifier, Jobs, PageOrders, TaskQueue
from .messaging import Attachments, BroadcastNotifier, MessageCopier, Messenger, Pacer
from .metrics import Metrics
from .payments import PaymentGateway
from .storage import (
    Broadcasts,
    CheckoutOrders,
    Conversations,
    Flags,
    Ledger,
    Payments,
    Preferences,
    Storage,
    UpdateLog,
    Users,
)

__all__ = [
    "Attachments",
    "BroadcastNotifier",
    "Broadcasts",
    "CheckoutGateway",
    "CheckoutOrders",
    "Clock",
    "Conversations",
    "Flags",
    "ImageGenerator",
    "JobNotifier",
    "Jobs",
    "Ledger",
    "MessageCopier",
    "Messenger",
    "Metrics",
    "Moderator",
    "Pacer",
    "PageFinisher",
    "PageOrders",
    "PaymentGateway",
    "Payments",
    "PhotoTracer",
    "Preferences",
    "Storage",
    "TaskQueue",
    "UpdateLog",
    "Users",
]
