"""In-memory PaymentGateway: records invoices, pre-checkout answers and refunds; holds the
provider's list of settled charges, which a test fills (`charge`) and a refund extends, as
Telegram's getStarTransactions does."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from paintcore.domain.errors import PaintError, PaymentRefused
from paintcore.domain.payments import Pack, SettledCharge
from paintcore.domain.users import UserId


@dataclass(frozen=True, slots=True)
class SentInvoice:
    chat_id: int
    pack: Pack
    payload: str
    title: str
    description: str


@dataclass
class InMemoryPaymentGateway:
    provider: str = "stars"
    invoices: list[SentInvoice] = field(default_factory=list)
    answers: list[tuple[str, str | None]] = field(default_factory=list)  # (query id, error)
    refunds: list[tuple[UserId, str]] = field(default_factory=list)  # (user, charge id)
    settled_charges: list[SettledCharge] = field(default_factory=list)
    # Raised (once each, in order) by the next refunds, e.g. DeliveryFailed or PaymentRefused.
    refund_failures: list[PaintError] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def send_invoice(
        self, chat_id: int, *, pack: Pack, payload: str, title: str, description: str
    ) -> None:
        with self._lock:
            self.invoices.append(SentInvoice(chat_id, pack, payload, title, description))

    def answer_pre_checkout(self, query_id: str, *, error: str | None = None) -> None:
        with self._lock:
            self.answers.append((query_id, error))

    def refund(self, *, user_id: UserId, charge_id: str) -> None:
        with self._lock:
            if self.refund_failures:
                raise self.refund_failures.pop(0)
            paid = [c for c in self.settled_charges if c.charge_id == charge_id]
            if not any(not c.refund and c.user_id == user_id for c in paid):
                raise PaymentRefused(f"CHARGE_NOT_FOUND: {charge_id}")
            if any(c.refund for c in paid):
                raise PaymentRefused(f"CHARGE_ALREADY_REFUNDED: {charge_id}")
            charge = paid[0]
            self.refunds.append((user_id, charge_id))
            self.settled_charges.append(
                SettledCharge(
                    charge_id,
                    user_id,
                    charge.amount,
                    charge.currency,
                    "",
                    _latest(self.settled_charges),
                    refund=True,
                )
            )

    def settled(self, *, since: datetime) -> Iterator[SettledCharge]:
        with self._lock:
            listed = [c for c in self.settled_charges if c.at >= since]
        return iter(listed)

    def charge(
        self,
        charge_id: str,
        *,
        user_id: UserId,
        amount: int,
        payload: str,
        at: datetime,
        currency: str = "XTR",
    ) -> SettledCharge:
        """The provider takes a payment (a test then delivers, or loses, its update)."""
        settled = SettledCharge(charge_id, user_id, amount, currency, payload, at)
        with self._lock:
            self.settled_charges.append(settled)
        return settled

    def refunded(self, charge_id: str) -> bool:
        """Whether the charge's money went back."""
        with self._lock:
            return any(c.refund and c.charge_id == charge_id for c in self.settled_charges)


def _latest(charges: list[SettledCharge]) -> datetime:
    # A refund is listed no earlier than what came before it (the fake has no clock of its own).
    return max((c.at for c in charges), default=datetime.now(UTC))
