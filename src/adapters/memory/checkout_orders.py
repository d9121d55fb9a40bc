"""In-memory CheckoutOrders: one record per order id, every move under one lock."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime

from paintcore.domain.checkout import CheckoutOrder, OrderState
from paintcore.domain.users import UserId


class InMemoryCheckoutOrders:
    def __init__(self) -> None:
        self.by_id: dict[str, CheckoutOrder] = {}
        self._lock = threading.Lock()

    def add(self, order: CheckoutOrder) -> bool:
        with self._lock:
            if order.order_id in self.by_id:
                return False
            self.by_id[order.order_id] = order
            return True

    def get(self, order_id: str) -> CheckoutOrder | None:
        with self._lock:
            return self.by_id.get(order_id)

    def by_payment(self, provider: str, payment_id: str) -> CheckoutOrder | None:
        if not payment_id:
            return None  # orders without a payment yet have "": that names none
        with self._lock:
            return self._paying(provider, payment_id)

    def attach(
        self, order_id: str, *, payment_id: str, confirmation_url: str, at: datetime
    ) -> CheckoutOrder | None:
        with self._lock:
            order = self.by_id.get(order_id)
            if order is None:
                return None
            if order.state is OrderState.PENDING and order.payment_id == payment_id:
                return order
            owner = self._paying(order.provider, payment_id) if payment_id else None
            if order.state is not OrderState.NEW or owner is not None:
                return None
            attached = replace(
                order,
                state=OrderState.PENDING,
                payment_id=payment_id,
                confirmation_url=confirmation_url,
                updated_at=at,
            )
            self.by_id[order_id] = attached
            return attached

    def settle(
        self, order_id: str, *, state: OrderState, at: datetime, reason: str = ""
    ) -> CheckoutOrder | None:
        if state.open:
            raise ValueError(f"an order settles to a final state, not {state.value}")
        with self._lock:
            order = self.by_id.get(order_id)
            if order is None or not order.state.open:
                return None
            settled = replace(order, state=state, updated_at=at, reason=reason)
            self.by_id[order_id] = settled
            return settled

    def open_orders(self, *, provider: str, limit: int = 100) -> list[CheckoutOrder]:
        with self._lock:
            found = [o for o in self.by_id.values() if o.provider == provider and o.state.open]
        found.sort(key=lambda o: (o.created_at, o.order_id))
        return found[: max(limit, 0)]

    def of_user(self, user_id: UserId, *, limit: int = 10) -> list[CheckoutOrder]:
        with self._lock:
            mine = [o for o in self.by_id.values() if o.user_id == user_id]
        mine.sort(key=lambda o: (o.created_at, o.order_id), reverse=True)
        return mine[: max(limit, 0)]

    def _paying(self, provider: str, payment_id: str) -> CheckoutOrder | None:
        """The order holding this payment (the caller holds the lock)."""
        for order in self.by_id.values():
            if order.provider == provider and order.payment_id == payment_id:
                return order
        return None
