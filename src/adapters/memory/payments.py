"""In-memory Payments: one record per charge id, under one lock."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime

from paintcore.domain.payments import Payment, PaymentState
from paintcore.domain.users import UserId


class InMemoryPayments:
    def __init__(self) -> None:
        self.by_charge: dict[str, Payment] = {}
        self._lock = threading.Lock()

    def add(self, payment: Payment) -> bool:
        with self._lock:
            if payment.charge_id in self.by_charge:
                return False
            self.by_charge[payment.charge_id] = payment
            return True

    def get(self, charge_id: str) -> Payment | None:
        with self._lock:
            return self.by_charge.get(charge_id)

    def of_user(self, user_id: UserId, *, limit: int = 10) -> list[Payment]:
        with self._lock:
            mine = [p for p in self.by_charge.values() if p.user_id == user_id]
        mine.sort(key=lambda p: (p.created_at, p.charge_id), reverse=True)
        return mine[: max(limit, 0)]

    def refunded(
        self, charge_id: str, *, at: datetime, pages: int, shortfall: int
    ) -> Payment | None:
        with self._lock:
            payment = self.by_charge.get(charge_id)
            if payment is None or payment.state is not PaymentState.PAID:
                return payment
            changed = replace(
                payment,
                state=PaymentState.REFUNDED,
                refunded_at=at,
                refunded_pages=pages,
                shortfall=shortfall,
            )
            self.by_charge[charge_id] = changed
            return changed

    def totals(self, *, since: datetime | None = None) -> dict[str, tuple[int, int]]:
        with self._lock:
            payments = list(self.by_charge.values())
        totals: dict[str, tuple[int, int]] = {}
        for p in payments:
            if since is not None and p.created_at < since:
                continue
            received, refunded = totals.get(p.currency, (0, 0))
            back = p.amount if p.state is PaymentState.REFUNDED else 0
            totals[p.currency] = (received + p.amount, refunded + back)
        return totals
