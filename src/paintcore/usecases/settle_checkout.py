"""SettleCheckout: the one code path that turns a checkout payment's status into pages (or not).

A notification, the poller and the buyer's «Проверить оплату» button all end here, and each
brings only a payment id: the payment is fetched from the provider's API and only its status
there counts (a notification's body is never believed). Then:

- succeeded, matching the order (amount, currency) and a buyer who is not banned: recorded and
  credited by `Ledger.purchase` under `checkout_charge_id(provider, payment_id)`, exactly once
  however many paths race, then the order is marked PAID. A payment that succeeds after its
  order expired is credited all the same: money taken is never kept.
- succeeded but not matching (or a banned buyer): its money goes back (the provider's refund,
  keyed by the order, so asking again refunds once), then the order is REJECTED. A refund that
  does not go through leaves the order open, so the next poll tries again.
- canceled: the order is CANCELED; nothing was taken.
- pending (or waiting for capture): nothing changes.

`Settling.announce` is True for the one call that should tell the buyer (the one that moved the
order, or for a late success the one that credited it), so a notification delivered again, or a
notification racing the poller, says nothing twice."""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, replace

from ..domain.checkout import (
    ORDER_ID,
    CheckoutOrder,
    CheckoutPayment,
    CheckoutStatus,
    OrderState,
    checkout_charge_id,
)
from ..domain.credits import Balance, purchase_key
from ..domain.errors import PaintError
from ..domain.metrics import Fact
from ..domain.payments import Payment
from ..metrics import NO_METRICS
from ..ports import CheckoutGateway, CheckoutOrders, Clock, Ledger, Metrics, Users

log = logging.getLogger(__name__)


class SettleOutcome(enum.StrEnum):
    PAID = "paid"  # credited (now, or before: see `announce`)
    PENDING = "pending"  # not paid yet
    CANCELED = "canceled"  # the provider canceled it: nothing taken
    REJECTED = "rejected"  # paid but not as ordered (or by a banned buyer): the money went back
    REFUND_FAILED = "refund_failed"  # as REJECTED, but the refund did not go through (yet)
    UNKNOWN = "unknown"  # the provider knows no such payment
    NOT_OURS = "not_ours"  # the provider knows it, but no order of ours has it
    UNAVAILABLE = "unavailable"  # the provider could not be asked: try again later


@dataclass(frozen=True, slots=True)
class Settling:
    outcome: SettleOutcome
    order: CheckoutOrder | None = None
    payment: CheckoutPayment | None = None
    balance: Balance | None = None  # the buyer's wallet afterwards (PAID)
    announce: bool = False  # this call is the one to tell the buyer
    reason: str = ""  # why rejected or canceled, or why the provider could not be asked


@dataclass(frozen=True, slots=True)
class SettleCheckout:
    gateway: CheckoutGateway
    orders: CheckoutOrders
    ledger: Ledger
    users: Users
    clock: Clock
    metrics: Metrics = NO_METRICS

    def by_payment(self, payment_id: str) -> Settling:
        """A notification named this payment: ask the provider, find our order, settle."""
        try:
            payment = self.gateway.payment(payment_id)
        except PaintError as exc:
            return Settling(SettleOutcome.UNAVAILABLE, reason=str(exc))
        if payment is None:
            log.warning("checkout notification of an unknown payment", extra={"id": payment_id})
            return Settling(SettleOutcome.UNKNOWN)
        order = self.orders.by_payment(self.gateway.provider, payment.payment_id)
        if order is None:
            order = self._attach_late(payment)
        if order is None:
            log.warning(
                "checkout payment of no order of ours", extra={"payment_id": payment.payment_id}
            )
            return Settling(SettleOutcome.NOT_OURS, payment=payment)
        return self.settle(order, payment)

    def order(self, order: CheckoutOrder) -> Settling:
        """The poller or the buyer's button: ask the provider about the order's payment."""
        if not order.payment_id:
            return Settling(SettleOutcome.PENDING, order)
        try:
            payment = self.gateway.payment(order.payment_id)
        except PaintError as exc:
            return Settling(SettleOutcome.UNAVAILABLE, order, reason=str(exc))
        if payment is None:
            return Settling(SettleOutcome.UNKNOWN, order)
        return self.settle(order, payment)

    def settle(self, order: CheckoutOrder, payment: CheckoutPayment) -> Settling:
        """Settle `order` by `payment` as the provider reported it just now."""
        if payment.order_id != order.order_id or payment.payment_id != order.payment_id:
            log.warning(
                "checkout payment does not name its order",
                extra={"order_id": order.order_id, "payment_id": payment.payment_id},
            )
            return Settling(SettleOutcome.NOT_OURS, order, payment)
        if payment.status is CheckoutStatus.CANCELED:
            return self._close(order, payment, OrderState.CANCELED, payment.cancellation_reason)
        if payment.status is not CheckoutStatus.SUCCEEDED:
            return Settling(SettleOutcome.PENDING, order, payment)
        problem = self._problem(order, payment)
        if problem:
            return self._give_back(order, payment, problem)
        return self._credit(order, payment)

    def _credit(self, order: CheckoutOrder, payment: CheckoutPayment) -> Settling:
        record = Payment(
            charge_id=checkout_charge_id(order.provider, payment.payment_id),
            provider=order.provider,
            user_id=order.user_id,
            pages=order.pack.pages,
            amount=order.pack.price,
            currency=order.pack.currency,
            created_at=self.clock.now(),
            provider_charge_id=payment.payment_id,
        )
        granted = self.ledger.purchase(record)
        moved = self.orders.settle(order.order_id, state=OrderState.PAID, at=self.clock.now())
        if granted:
            self.metrics.count(Fact.PAYMENTS_CREDITED, currency=order.pack.currency)
            log.info(
                "checkout payment credited",
                extra={"order_id": order.order_id, "user_id": order.user_id},
            )
        after = moved or self.orders.get(order.order_id) or order
        # The buyer is told by the one call that marked the order paid; when none can (the order
        # was closed before the money came: a late success), by the one that credited it.
        late = granted and moved is None and after.state is not OrderState.PAID
        return Settling(
            SettleOutcome.PAID,
            after,
            payment,
            self.ledger.balance(order.user_id),
            announce=moved is not None or late,
        )

    def _problem(self, order: CheckoutOrder, payment: CheckoutPayment) -> str:
        # Refunded (rejected before, or by hand at the provider): whatever else changed since
        # (the buyer unbanned), its money went back, so its pages are never credited.
        if order.state is OrderState.REJECTED:
            return order.reason or "rejected"
        if payment.refunded_minor > 0:
            return "refunded"
        if payment.currency != order.pack.currency or payment.amount_minor != order.amount_minor:
            return "wrong_amount"
        user = self.users.get(order.user_id)
        if user is None or user.banned:
            return "banned"
        return ""

    def _give_back(self, order: CheckoutOrder, payment: CheckoutPayment, problem: str) -> Settling:
        if order.state is OrderState.PAID or self._credited(order, payment):
            # Credited before it was found wanting (a late success, a buyer banned since): its
            # pages are the buyer's, so its money is not sent back here; /refund undoes both.
            return self._credit(order, payment)
        log.warning(
            "checkout payment cannot be honoured, refunding",
            extra={"order_id": order.order_id, "payment_id": payment.payment_id, "why": problem},
        )
        left = payment.amount_minor - payment.refunded_minor
        if left > 0:
            try:
                self.gateway.refund(
                    payment.payment_id,
                    amount_minor=left,
                    currency=payment.currency,
                    key=f"reject-{order.order_id}",
                )
            except PaintError as exc:
                log.error(
                    "refund of a checkout payment that cannot be honoured failed",
                    extra={"order_id": order.order_id, "error": str(exc)},
                )
                return Settling(SettleOutcome.REFUND_FAILED, order, payment, reason=problem)
            self.metrics.count(Fact.PAYMENTS_REFUNDED, currency=payment.currency)
        # A late payment's order is closed already (EXPIRED), so no call moves it: the one that
        # refunded it tells the buyer and the admins instead.
        late = left > 0 and not order.state.open
        return self._close(order, payment, OrderState.REJECTED, problem, told=late)

    def _credited(self, order: CheckoutOrder, payment: CheckoutPayment) -> bool:
        key = purchase_key(checkout_charge_id(order.provider, payment.payment_id))
        return any(t.key == key for t in self.ledger.transactions(order.user_id))

    def _close(
        self,
        order: CheckoutOrder,
        payment: CheckoutPayment,
        state: OrderState,
        reason: str,
        *,
        told: bool = False,
    ) -> Settling:
        moved = self.orders.settle(order.order_id, state=state, at=self.clock.now(), reason=reason)
        outcome = SettleOutcome.CANCELED if state is OrderState.CANCELED else SettleOutcome.REJECTED
        after = moved or self.orders.get(order.order_id) or order
        return Settling(outcome, after, payment, announce=moved is not None or told, reason=reason)

    def _attach_late(self, payment: CheckoutPayment) -> CheckoutOrder | None:
        """The payment names an order of ours that never got it attached (a crash between the
        provider creating it and our attach): attach it now. If that order was closed meanwhile
        (the poller expires one never attached), it is settled as it stands: a success is still
        credited (money taken is never kept), the order's state is left as it is."""
        if not ORDER_ID.fullmatch(payment.order_id):
            return None
        order = self.orders.get(payment.order_id)
        if order is None or order.provider != self.gateway.provider:
            return None
        attached = self.orders.attach(
            order.order_id,
            payment_id=payment.payment_id,
            confirmation_url=payment.confirmation_url,
            at=self.clock.now(),
        )
        if attached is not None:
            return attached
        if not order.payment_id and not order.state.open:
            return replace(order, payment_id=payment.payment_id)
        return None
