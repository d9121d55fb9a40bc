"""RefundPayment: an admin gives a payment's money back and takes its pages back, once.

Order: the provider's refund FIRST, then the ledger's reversal, then the record. The other way
round, a refund the provider refuses (or a crash before asking) would leave pages taken and the
money kept. This way the worst case is the reverse, money back and pages not yet taken, which a
second run completes: the provider then says "refunded already", its list of settled charges
confirms it, and the reversal (keyed `refund_key(charge_id)`, so never taken twice) and the
record follow. The reversal takes what is left of the pack (`partial`: never below zero): the
check of what is left comes before the money goes back, and pages spent meanwhile become the
recorded shortfall, as a forced refund's do.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass

from ..domain.credits import TransactionKind
from ..domain.errors import PaintError, PaymentRefused
from ..domain.metrics import Fact
from ..domain.payments import Payment, PaymentState, refund_key
from ..metrics import NO_METRICS
from ..ports import CheckoutGateway, Clock, Ledger, Metrics, PaymentGateway, Payments
from .refund_routes import CheckoutRefunds, RefundRoute, StarsRefunds

log = logging.getLogger(__name__)


class RefundOutcome(enum.StrEnum):
    REFUNDED = "refunded"
    ALREADY_REFUNDED = "already_refunded"  # nothing changed
    UNKNOWN = "unknown"  # no payment with this charge id
    FOREIGN = "foreign"  # a provider this bot has no gateway for (now) cannot refund it
    TOO_FEW_LEFT = "too_few_left"  # part of the pack was spent; `left` says what remains
    PROVIDER_REFUSED = "provider_refused"  # nothing changed; `error` says why


@dataclass(frozen=True, slots=True)
class Refund:
    outcome: RefundOutcome
    payment: Payment | None = None
    taken: int = 0  # pages taken back
    shortfall: int = 0  # pages of the pack already spent, not taken back
    left: int = 0  # bought pages the buyer holds (TOO_FEW_LEFT)
    error: str = ""


@dataclass(frozen=True, slots=True)
class RefundPayment:
    gateway: PaymentGateway
    payments: Payments
    ledger: Ledger
    clock: Clock
    metrics: Metrics = NO_METRICS
    checkout: CheckoutGateway | None = None  # YooKassa's payments, when it is enabled

    def __call__(self, *, charge_id: str, force: bool = False) -> Refund:
        payment = self.payments.get(charge_id)
        if payment is None:
            return Refund(RefundOutcome.UNKNOWN)
        route = self._route(payment)
        if route is None:
            return Refund(RefundOutcome.FOREIGN, payment)
        if payment.state is PaymentState.REFUNDED:
            return Refund(
                RefundOutcome.ALREADY_REFUNDED,
                payment,
                taken=payment.refunded_pages,
                shortfall=payment.shortfall,
            )
        left = self.ledger.balance(payment.user_id).paid
        if left < payment.pages and not force:
            return Refund(RefundOutcome.TOO_FEW_LEFT, payment, left=left)
        try:
            route.refund(payment)
        except PaymentRefused as exc:
            if not route.refunded_already(payment):
                return Refund(RefundOutcome.PROVIDER_REFUSED, payment, error=str(exc))
            log.warning("payment was refunded already; finishing", extra={"charge_id": charge_id})
        except PaintError as exc:  # could not ask (DeliveryFailed, RateLimited): nothing changed
            return Refund(RefundOutcome.PROVIDER_REFUSED, payment, error=str(exc))
        else:  # the money went back now (not in an earlier run this one finishes)
            self.metrics.count(Fact.PAYMENTS_REFUNDED, currency=payment.currency)
        taken = self._take_back(payment)
        shortfall = payment.pages - taken
        marked = self.payments.refunded(
            charge_id, at=self.clock.now(), pages=taken, shortfall=shortfall
        )
        log.info(
            "payment refunded",
            extra={"charge_id": charge_id, "user_id": payment.user_id, "taken": taken},
        )
        return Refund(RefundOutcome.REFUNDED, marked or payment, taken=taken, shortfall=shortfall)

    def _route(self, payment: Payment) -> RefundRoute | None:
        if payment.provider == self.gateway.provider:
            return StarsRefunds(self.gateway)
        if self.checkout is not None and payment.provider == self.checkout.provider:
            return CheckoutRefunds(self.checkout)
        return None

    def _take_back(self, payment: Payment) -> int:
        if payment.pages == 0:  # an unhonoured payment gave no pages
            return 0
        key = refund_key(payment.charge_id)
        taken = self.ledger.debit(
            user_id=payment.user_id,
            amount=payment.pages,
            key=key,
            kind=TransactionKind.REFUND,
            partial=True,
        )
        if taken is None:  # taken by a run that stopped before the record: as much as then
            earlier = self.ledger.transactions(payment.user_id)
            taken = next((t.amount for t in earlier if t.key == key), 0)
        return taken
