"""How a recorded payment's money goes back, by its provider: Stars through the PaymentGateway,
checkout payments (YooKassa) through the CheckoutGateway. `RefundPayment` picks the route."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..domain.payments import Payment, refund_key
from ..ports import CheckoutGateway, PaymentGateway
from .payment_rules import refunded_at_provider


class RefundRoute(Protocol):
    def refund(self, payment: Payment) -> None:
        """Give the payment's money back; PaymentRefused or DeliveryFailed as the gateway."""
        ...

    def refunded_already(self, payment: Payment) -> bool:
        """After a refusal: whether the provider shows the money given back already (by an
        earlier run that stopped half-way, a racer, or by hand)."""
        ...


@dataclass(frozen=True, slots=True)
class StarsRefunds:
    gateway: PaymentGateway

    def refund(self, payment: Payment) -> None:
        self.gateway.refund(user_id=payment.user_id, charge_id=payment.charge_id)

    def refunded_already(self, payment: Payment) -> bool:
        return refunded_at_provider(self.gateway, payment.charge_id, since=payment.created_at)


@dataclass(frozen=True, slots=True)
class CheckoutRefunds:
    """The whole amount, under an idempotence key of the charge: a second run's refund is the
    same refund (the provider answers it again), not a second one."""

    gateway: CheckoutGateway

    def refund(self, payment: Payment) -> None:
        self.gateway.refund(
            payment.provider_charge_id,
            amount_minor=payment.amount * 100,
            currency=payment.currency,
            key=refund_key(payment.charge_id),
        )

    def refunded_already(self, payment: Payment) -> bool:
        now = self.gateway.payment(payment.provider_charge_id)
        return now is not None and now.refunded_minor >= payment.amount * 100
