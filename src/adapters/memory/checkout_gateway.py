"""In-memory CheckoutGateway: a provider whose payments a test moves (`succeed`, `cancel`,
`tamper`), creating one payment per order id and one refund per idempotence key, as YooKassa
does; failures to inject (`failures`) are raised once each by the next calls, and
`refund_failures` by the next refunds only (the payment is still fetched)."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field, replace

from paintcore.domain.checkout import CheckoutOrder, CheckoutPayment, CheckoutStatus, Receipt
from paintcore.domain.errors import PaintError, PaymentRefused


@dataclass
class InMemoryCheckoutGateway:
    provider: str = "yookassa"
    payments: dict[str, CheckoutPayment] = field(default_factory=dict)
    created: dict[str, str] = field(default_factory=dict)  # order id (idempotence key) -> payment
    refunds: dict[str, tuple[str, int]] = field(default_factory=dict)  # key -> (payment, minor)
    receipts: list[Receipt] = field(default_factory=list)
    failures: list[PaintError] = field(default_factory=list)  # raised by the next calls, once
    refund_failures: list[PaintError] = field(default_factory=list)  # by the next refunds, once
    calls: int = 0
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def create_payment(
        self,
        order: CheckoutOrder,
        *,
        description: str,
        return_url: str,
        receipt: Receipt | None = None,
    ) -> CheckoutPayment:
        with self._lock:
            self._call()
            known = self.created.get(order.order_id)
            if known is not None:
                return self.payments[known]
            payment_id = str(uuid.uuid4())
            self.payments[payment_id] = CheckoutPayment(
                payment_id=payment_id,
                status=CheckoutStatus.PENDING,
                amount_minor=order.amount_minor,
                currency=order.pack.currency,
                order_id=order.order_id,
                confirmation_url=f"https://pay.example/{payment_id}",
                test=True,
            )
            self.created[order.order_id] = payment_id
            if receipt is not None:
                self.receipts.append(receipt)
            return self.payments[payment_id]

    def payment(self, payment_id: str) -> CheckoutPayment | None:
        with self._lock:
            self._call()
            return self.payments.get(payment_id)

    def refund(self, payment_id: str, *, amount_minor: int, currency: str, key: str) -> None:
        with self._lock:
            self._call()
            if self.refund_failures:
                raise self.refund_failures.pop(0)
            if key in self.refunds:
                return  # the same request again: the same refund
            payment = self.payments.get(payment_id)
            if payment is None or payment.status is not CheckoutStatus.SUCCEEDED:
                raise PaymentRefused(f"payment {payment_id} cannot be refunded")
            if currency != payment.currency or amount_minor > (
                payment.amount_minor - payment.refunded_minor
            ):
                raise PaymentRefused("refund amount exceeds what is left")
            self.refunds[key] = (payment_id, amount_minor)
            refunded = payment.refunded_minor + amount_minor
            self.payments[payment_id] = replace(payment, refunded_minor=refunded)

    # What the buyer and the provider do, in tests.

    def succeed(self, payment_id: str) -> None:
        self._move(payment_id, status=CheckoutStatus.SUCCEEDED, paid=True)

    def cancel(self, payment_id: str, reason: str = "expired_on_confirmation") -> None:
        self._move(payment_id, status=CheckoutStatus.CANCELED, cancellation_reason=reason)

    def tamper(self, payment_id: str, **changes: object) -> None:
        self._move(payment_id, **changes)

    def refunded_minor(self, payment_id: str) -> int:
        with self._lock:
            return self.payments[payment_id].refunded_minor

    def _move(self, payment_id: str, **changes: object) -> None:
        with self._lock:
            self.payments[payment_id] = replace(self.payments[payment_id], **changes)  # type: ignore[arg-type]

    def _call(self) -> None:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
