"""CreditPayment: a successful payment becomes its pack's pages exactly once, or its money goes back.

Order, and why it is money-safe:

1. Judge the payment as its invoice was issued (`payment_rules`). One that cannot be honoured (a
   forged payload, a pack no longer on sale, another amount or currency, a payer who is not the
   buyer) is refunded through the gateway and credits nothing: money taken is never kept. It is
   not recorded (a payment record is pages sold); the provider's list of settled charges is its
   record: a redelivery's refund is refused as done already, which that list confirms, and a
   refund that did not go through leaves no refund on the list, so the next delivery or
   reconciliation tries again (the caller tells the admins meanwhile).
2. An honoured one is recorded and granted to the paid bucket in ONE call, `Ledger.purchase`,
   exactly once per charge id whoever delivers it (twice, after a restart, two processes at
   once). There is no order between the two to get wrong here: the store keeps them together (one
   transaction in SQLite; on MongoDB the payment document is the purchase's record and a crash
   before its credit is completed by the redelivery or `reconcile()`), so a payment the store
   knows is always credited.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, replace
from datetime import datetime

from ..domain.credits import Balance
from ..domain.errors import PaintError, PaymentRefused
from ..domain.metrics import Fact
from ..domain.payments import Pack, Payment, PaymentState
from ..domain.users import UserId
from ..metrics import NO_METRICS
from ..ports import Clock, Ledger, Metrics, PaymentGateway, Payments
from .payment_rules import PaymentProblem, payment_problem, refunded_at_provider

log = logging.getLogger(__name__)


class CreditOutcome(enum.StrEnum):
    CREDITED = "credited"  # the pages were granted now
    ALREADY = "already"  # credited before: a redelivery, nothing changed
    REFUNDED = "refunded"  # could not be honoured; the money went back now
    REFUNDED_BEFORE = "refunded_before"  # could not be honoured and was refunded before
    REFUND_FAILED = "refund_failed"  # could not be honoured, and the refund did not go through


@dataclass(frozen=True, slots=True)
class Crediting:
    outcome: CreditOutcome
    payment: Payment
    balance: Balance  # the payer's wallet afterwards
    problem: PaymentProblem | None = None  # why it could not be honoured
    error: str = ""  # why its refund did not go through


@dataclass(frozen=True, slots=True)
class CreditPayment:
    gateway: PaymentGateway
    payments: Payments
    ledger: Ledger
    clock: Clock
    packs: tuple[Pack, ...]
    metrics: Metrics = NO_METRICS

    def __call__(
        self,
        *,
        charge_id: str,
        payer: UserId,
        currency: str,
        total_amount: int,
        payload: str,
        provider_charge_id: str = "",
        at: datetime | None = None,
    ) -> Crediting:
        invoice, problem = payment_problem(
            self.packs, payload=payload, payer=payer, currency=currency, total_amount=total_amount
        )
        pages = invoice.pack.pages if invoice is not None and problem is None else 0
        record = Payment(
            charge_id=charge_id,
            provider=self.gateway.provider,
            user_id=payer,
            pages=pages,
            amount=total_amount,
            currency=currency,
            created_at=at or self.clock.now(),
            provider_charge_id=provider_charge_id,
        )
        if problem is not None:
            return self._give_back(record, problem)
        granted = self.ledger.purchase(record)
        if granted:
            self.metrics.count(Fact.PAYMENTS_CREDITED, currency=currency)
        log.info(
            "payment credited" if granted else "payment credited before",
            extra={"user_id": payer, "charge_id": charge_id, "pages": pages},
        )
        return Crediting(
            CreditOutcome.CREDITED if granted else CreditOutcome.ALREADY,
            self.payments.get(charge_id) or record,
            self.ledger.balance(payer),
        )

    def _give_back(self, record: Payment, problem: PaymentProblem) -> Crediting:
        known = self.payments.get(record.charge_id)
        if known is not None:  # credited while its pack was on sale: a refund now is /refund's
            return Crediting(CreditOutcome.ALREADY, known, self.ledger.balance(known.user_id))
        log.warning(
            "payment cannot be honoured, refunding",
            extra={"user_id": record.user_id, "charge_id": record.charge_id, "reason": problem},
        )
        outcome = CreditOutcome.REFUNDED
        try:
            self.gateway.refund(user_id=record.user_id, charge_id=record.charge_id)
        except PaymentRefused as exc:
            if not refunded_at_provider(self.gateway, record.charge_id, since=record.created_at):
                return self._failed(record, problem, str(exc))
            outcome = CreditOutcome.REFUNDED_BEFORE  # a redelivery, a racer, or by hand
        except PaintError as exc:
            return self._failed(record, problem, str(exc))
        if outcome is CreditOutcome.REFUNDED:
            self.metrics.count(Fact.PAYMENTS_REFUNDED, currency=record.currency)
        refunded = replace(record, state=PaymentState.REFUNDED, refunded_at=self.clock.now())
        return Crediting(outcome, refunded, self.ledger.balance(record.user_id), problem)

    def _failed(self, record: Payment, problem: PaymentProblem, error: str) -> Crediting:
        log.error(
            "refund of a payment that cannot be honoured failed",
            extra={"user_id": record.user_id, "charge_id": record.charge_id, "error": error},
        )
        return Crediting(
            CreditOutcome.REFUND_FAILED, record, self.ledger.balance(record.user_id), problem, error
        )
