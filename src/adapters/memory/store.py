"""InMemoryStore: every storage port in process memory, for tests, benchmarks and demos.

Nothing survives the process; PAINTBOT_STORAGE=memory picks it (a bot that forgets everyone on
restart is only good for trying things out)."""

from __future__ import annotations

from adapters.closing import ClosedOnExit
from paintcore.domain.errors import StorageUnavailable
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

from .broadcasts import InMemoryBroadcasts
from .checkout_orders import InMemoryCheckoutOrders
from .conversations import InMemoryConversations
from .jobs import InMemoryJobs
from .ledger import InMemoryLedger
from .payments import InMemoryPayments
from .preferences import InMemoryPreferences
from .upkeep import InMemoryFlags, InMemoryUpdateLog
from .users import InMemoryUsers


class InMemoryStore(ClosedOnExit):
    """The in-memory fakes behind one object; their concrete types stay reachable for tests
    (`store.ledger` is an InMemoryLedger with inspectable state)."""

    def __init__(self, clock: Clock) -> None:
        self.users: Users = InMemoryUsers()
        payments = InMemoryPayments()  # a purchase is recorded with its credit, under one lock
        self.ledger: Ledger = InMemoryLedger(clock, payments)
        self.jobs: Jobs = InMemoryJobs()
        self.conversations: Conversations = InMemoryConversations()
        self.orders: PageOrders = StepwiseOrders(self.users, self.ledger, self.jobs)
        self.preferences: Preferences = InMemoryPreferences()
        self.updates: UpdateLog = InMemoryUpdateLog()
        self.flags: Flags = InMemoryFlags()
        self.payments: Payments = payments
        self.broadcasts: Broadcasts = InMemoryBroadcasts(self.users, self.jobs)
        self.checkout_orders: CheckoutOrders = InMemoryCheckoutOrders()
        self.closed = False

    def ping(self) -> None:
        if self.closed:
            raise StorageUnavailable("the in-memory store is closed")

    def reconcile(self) -> int:
        """Nothing to heal: every in-memory movement happens under one lock."""
        return 0

    def close(self) -> None:
        self.closed = True
