"""PollCheckouts: ask the provider about every open checkout order (no public URL needed).

In the one-box polling mode nobody can send us notifications, so a periodic task asks instead;
with a webhook it is the fallback for a notification that never came. Each order goes through
`SettleCheckout.order`, the path notifications take too. Besides:

- a NEW order older than NEW_ORDER_GRACE never got its payment (a crash, or the provider was
  down when the buyer chose): its link was never shown, so nobody can pay it; it EXPIRES.
- a PENDING order older than PENDING_GIVE_UP stops being asked about (EXPIRED). The provider
  cancels an unpaid payment long before that; if it is paid even later, its notification is
  still credited (`SettleCheckout` credits a succeeded payment whatever its order's state)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from ..domain.checkout import OrderState
from ..ports import CheckoutOrders, Clock
from .settle_checkout import SettleCheckout, SettleOutcome, Settling

log = logging.getLogger(__name__)

NEW_ORDER_GRACE = timedelta(minutes=10)
PENDING_GIVE_UP = timedelta(days=2)
POLLED_AT_ONCE = 200


@dataclass(frozen=True, slots=True)
class PollCheckouts:
    settle: SettleCheckout
    orders: CheckoutOrders
    clock: Clock
    provider: str

    def __call__(self) -> list[Settling]:
        """The settlings to announce (those with `announce`), in the order they happened."""
        now = self.clock.now()
        told: list[Settling] = []
        for order in self.orders.open_orders(provider=self.provider, limit=POLLED_AT_ONCE):
            age = now - order.created_at
            if order.state is OrderState.NEW:
                if age >= NEW_ORDER_GRACE:
                    self.orders.settle(
                        order.order_id, state=OrderState.EXPIRED, at=now, reason="not_created"
                    )
                continue
            settling = self.settle.order(order)
            if settling.outcome is SettleOutcome.UNAVAILABLE:
                log.warning("checkout provider unavailable; polling later", extra={})
                break  # the rest would fail the same way
            if settling.outcome is SettleOutcome.PENDING and age >= PENDING_GIVE_UP:
                self.orders.settle(
                    order.order_id, state=OrderState.EXPIRED, at=now, reason="not_paid"
                )
            if settling.announce:
                told.append(settling)
        return told
