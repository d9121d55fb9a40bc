"""Between the domain and YooKassa: amounts as decimal strings ("149.00", never a float), the
payment and refund requests, and the SDK's PaymentResponse as a CheckoutPayment."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from paintcore.domain.checkout import CheckoutOrder, CheckoutPayment, CheckoutStatus, Receipt

DESCRIPTION_MAX = 128  # YooKassa's limit for a payment's and a receipt line's description
_CENT = Decimal("0.01")


def money(minor: int, currency: str) -> dict[str, str]:
    """An API amount: `minor` units (kopecks) as a decimal string with two places."""
    if minor <= 0:
        raise ValueError(f"an amount must be positive, not {minor}")
    return {"value": str((Decimal(minor) / 100).quantize(_CENT)), "currency": currency}


def minor_units(value: object) -> int:
    """A decimal amount from the API ("149.00", or the SDK's Decimal) in minor units."""
    try:
        cents = Decimal(str(value)) * 100
    except InvalidOperation:
        raise ValueError(f"not an amount: {value!r}") from None
    if not cents.is_finite() or cents != cents.to_integral_value():
        raise ValueError(f"not a whole number of minor units: {value!r}")
    return int(cents)


def payment_params(
    order: CheckoutOrder, *, description: str, return_url: str, receipt: Receipt | None
) -> dict[str, Any]:
    """The body of POST /payments for `order`: auto-captured, paid on YooKassa's page."""
    amount = money(order.amount_minor, order.pack.currency)
    params: dict[str, Any] = {
        "amount": amount,
        "capture": True,
        "confirmation": {"type": "redirect", "return_url": return_url},
        "description": description[:DESCRIPTION_MAX],
        "metadata": {"order_id": order.order_id, "user_id": str(order.user_id)},
    }
    if receipt is not None:
        params["receipt"] = receipt_params(receipt, amount, description)
    return params


def receipt_params(receipt: Receipt, amount: dict[str, str], description: str) -> dict[str, Any]:
    """A 54-FZ receipt of one line (the pack, a service paid in full); `receipt.extra` adds
    receipt-level fields as given (e.g. "tax_system_code")."""
    contact = {name: value for name, value in (("email", receipt.email), ("phone", receipt.phone))}
    item = {
        "description": (receipt.description or description)[:DESCRIPTION_MAX],
        "quantity": "1.00",
        "amount": amount,
        "vat_code": receipt.vat_code,
        "payment_subject": "service",
        "payment_mode": "full_payment",
    }
    customer = {name: value for name, value in contact.items() if value}
    return {**receipt.extra, "customer": customer, "items": [item]}


def refund_params(payment_id: str, amount_minor: int, currency: str) -> dict[str, Any]:
    """The body of POST /refunds."""
    return {"payment_id": payment_id, "amount": money(amount_minor, currency)}


def to_checkout_payment(response: Any) -> CheckoutPayment:
    """The SDK's PaymentResponse as the domain sees it; ValueError for what does not fit
    (a status or an amount we cannot read)."""
    amount = response.amount
    if amount is None or not response.id:
        raise ValueError("a payment without an id or an amount")
    metadata = response.metadata if isinstance(response.metadata, dict) else {}
    confirmation = response.confirmation
    cancellation = response.cancellation_details
    refunded = response.refunded_amount
    return CheckoutPayment(
        payment_id=str(response.id),
        status=CheckoutStatus(response.status),
        amount_minor=minor_units(amount.value),
        currency=str(amount.currency),
        order_id=str(metadata.get("order_id") or ""),
        confirmation_url=str(getattr(confirmation, "confirmation_url", None) or ""),
        paid=bool(response.paid),
        test=bool(response.test),
        cancellation_reason=str(cancellation.reason or "") if cancellation is not None else "",
        refunded_minor=minor_units(refunded.value) if refunded is not None else 0,
    )
