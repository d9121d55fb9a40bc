"""ReconcilePayments: what the provider settled that the bot never saw, credited the usual way.

Telegram keeps an undelivered update for 24 hours; the provider's own list of charges is the
truth. Every payment in that the store does not know goes through `CreditPayment` (so exactly
once by charge id, and an unhonourable one is refunded: one whose refund failed earlier is not
in the store either, so it is tried again). A refund out that the store shows as paid (made
outside the bot) is reported, never applied silently. A payment in whose money already went
back is left alone. Running it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from ..domain.payments import Payment, PaymentState, SettledCharge
from ..ports import Clock, PaymentGateway, Payments
from .credit_payment import Crediting, CreditOutcome, CreditPayment

# Twice Telegram's 24 hours: a payment whose update was lost is still on the list.
RECONCILE_WINDOW = timedelta(hours=48)


@dataclass(frozen=True, slots=True)
class ReconciliationReport:
    seen: int = 0  # payments in listed by the provider
    known: int = 0  # of those, recorded already
    credited: list[Crediting] = field(default_factory=list)
    refunded: list[Crediting] = field(default_factory=list)  # unhonourable: money sent back
    refund_failed: list[Crediting] = field(default_factory=list)  # admins must act
    refunded_outside: list[Payment] = field(default_factory=list)  # paid here, refunded there

    @property
    def needs_attention(self) -> bool:
        return bool(self.credited or self.refunded or self.refund_failed or self.refunded_outside)


@dataclass(frozen=True, slots=True)
class ReconcilePayments:
    gateway: PaymentGateway
    payments: Payments
    credit: CreditPayment
    clock: Clock
    window: timedelta = RECONCILE_WINDOW

    def __call__(self) -> ReconciliationReport:
        charges = list(self.gateway.settled(since=self.clock.now() - self.window))
        refunded = {c.charge_id for c in charges if c.refund}
        seen = known_count = 0
        done: list[Crediting] = []
        outside: list[Payment] = []
        for charge in charges:
            known = self.payments.get(charge.charge_id)
            if charge.refund:
                if known is not None and known.state is PaymentState.PAID:
                    outside.append(known)
                continue
            seen += 1
            known_count += known is not None
            if known is None and charge.charge_id in refunded:
                continue  # its money went back before the bot heard of it: nothing to credit
            if known is None:
                done.append(self._credit(charge))
        return ReconciliationReport(
            seen=seen,
            known=known_count,
            credited=[d for d in done if d.outcome is CreditOutcome.CREDITED],
            refunded=[d for d in done if d.outcome is CreditOutcome.REFUNDED],
            refund_failed=[d for d in done if d.outcome is CreditOutcome.REFUND_FAILED],
            refunded_outside=outside,
        )

    def _credit(self, charge: SettledCharge) -> Crediting:
        return self.credit(
            charge_id=charge.charge_id,
            payer=charge.user_id,
            currency=charge.currency,
            total_amount=charge.amount,
            payload=charge.payload,
            at=charge.at,
        )
