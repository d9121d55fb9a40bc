"""The fake's payments and refunds, kept and shaped like YooKassa's API v3 (no HTTP here).

Bodies follow https://yookassa.ru/developers/api: a field without a value is left out (as the
real API does; the SDK's models choke on nulls), amounts are decimal strings with two places.
"""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

CURRENCIES = frozenset({"RUB", "USD", "EUR", "BYN", "KZT", "UZS"})
CHECKOUT_URL = "https://yoomoney.ru/checkout/payments/v2/contract?orderId={id}"
DESCRIPTION_MAX = 128
KEY_MAX = 64  # the longest Idempotence-Key the API accepts
_CENT = Decimal("0.01")

JSON = dict[str, Any]


class Refusal(Exception):
    """An API error answer: HTTP status and YooKassa's error body."""

    def __init__(self, status: int, code: str, description: str, parameter: str = "") -> None:
        super().__init__(f"{status} {code}: {description}")
        self.status = status
        self.body: JSON = {"type": "error", "id": str(uuid.uuid4()), "code": code}
        self.body["description"] = description
        if parameter:
            self.body["parameter"] = parameter


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def amount_of(given: Any, parameter: str = "amount") -> JSON:
    """A request's amount, checked and normalised to {"value": "149.00", "currency": "RUB"}."""
    if not isinstance(given, dict):
        raise Refusal(400, "invalid_request", "Amount is missing", parameter)
    try:
        value = Decimal(str(given.get("value")))
    except InvalidOperation:
        raise Refusal(
            400, "invalid_request", "Invalid amount value", f"{parameter}.value"
        ) from None
    if not value.is_finite() or value <= 0 or value != value.quantize(_CENT):
        raise Refusal(400, "invalid_request", "Invalid amount value", f"{parameter}.value")
    currency = given.get("currency")
    if currency not in CURRENCIES:
        raise Refusal(400, "invalid_request", "Unsupported currency", f"{parameter}.currency")
    return {"value": str(value.quantize(_CENT)), "currency": currency}


def value_of(amount: JSON) -> Decimal:
    return Decimal(str(amount["value"]))


def check_payment_request(body: JSON) -> JSON:
    """The amount of a valid POST /payments body; Refusal for what YooKassa would refuse."""
    amount = amount_of(body.get("amount"))
    confirmation = body.get("confirmation")
    if confirmation is not None:
        if not isinstance(confirmation, dict) or confirmation.get("type") != "redirect":
            raise Refusal(400, "invalid_request", "Unsupported confirmation", "confirmation.type")
        if not confirmation.get("return_url"):
            raise Refusal(
                400, "invalid_request", "Return URL is missing", "confirmation.return_url"
            )
    if len(str(body.get("description") or "")) > DESCRIPTION_MAX:
        raise Refusal(400, "invalid_request", "Description is too long", "description")
    metadata = body.get("metadata") or {}
    if not isinstance(metadata, dict) or len(metadata) > 16:
        raise Refusal(400, "invalid_request", "Invalid metadata", "metadata")
    for name, value in metadata.items():
        if len(name) > 32 or not isinstance(value, str) or len(value) > 512:
            raise Refusal(400, "invalid_request", "Invalid metadata value", f"metadata.{name}")
    if body.get("receipt") is not None:
        check_receipt(body["receipt"], amount)
    return amount


def check_receipt(receipt: Any, amount: JSON) -> None:
    """A 54-FZ receipt: a contact, lines adding up to the payment's amount, a VAT code each."""
    customer = receipt.get("customer") if isinstance(receipt, dict) else None
    if not isinstance(customer, dict) or not (customer.get("email") or customer.get("phone")):
        raise Refusal(400, "invalid_request", "Receipt has no customer contact", "receipt.customer")
    items = receipt.get("items")
    if not isinstance(items, list) or not items:
        raise Refusal(400, "invalid_request", "Receipt has no items", "receipt.items")
    total = Decimal(0)
    for index, item in enumerate(items):
        where = f"receipt.items[{index}]"
        if not item.get("description") or len(item["description"]) > DESCRIPTION_MAX:
            raise Refusal(
                400, "invalid_request", "Invalid item description", f"{where}.description"
            )
        if item.get("vat_code") not in range(1, 13):
            raise Refusal(400, "invalid_request", "Invalid VAT code", f"{where}.vat_code")
        line = amount_of(item.get("amount"), f"{where}.amount")
        if line["currency"] != amount["currency"]:
            raise Refusal(400, "invalid_request", "Item currency differs", f"{where}.amount")
        total += value_of(line) * Decimal(str(item.get("quantity")))
    if total != value_of(amount):
        raise Refusal(400, "invalid_request", "Receipt total differs from the amount", "receipt")


def new_payment(body: JSON, amount: JSON, shop_id: str) -> JSON:
    """A pending payment for a checked POST /payments body."""
    payment_id = str(uuid.uuid4())
    payment: JSON = {
        "id": payment_id,
        "status": "pending",
        "paid": False,
        "amount": amount,
        "created_at": now(),
        "metadata": dict(body.get("metadata") or {}),
        "recipient": {"account_id": shop_id, "gateway_id": "2000000"},
        "refundable": False,
        "test": True,
    }
    if body.get("description"):
        payment["description"] = body["description"]
    if body.get("confirmation"):
        payment["confirmation"] = {
            "type": "redirect",
            "confirmation_url": CHECKOUT_URL.format(id=payment_id),
            "return_url": body["confirmation"]["return_url"],
        }
    if body.get("receipt"):
        payment["receipt_registration"] = "pending"
    return payment


def paid(payment: JSON, *, capture: bool) -> None:
    """The buyer paid: succeeded (auto-capture) or waiting_for_capture."""
    if payment["status"] != "pending":
        raise ValueError(f"only a pending payment can be paid, not a {payment['status']} one")
    payment.pop("confirmation", None)
    payment.update(
        status="succeeded" if capture else "waiting_for_capture",
        paid=True,
        refundable=capture,
        payment_method={"type": "bank_card", "id": payment["id"], "saved": False},
    )
    if capture:
        payment["captured_at"] = now()
        income = (value_of(payment["amount"]) * Decimal("0.965")).quantize(_CENT)
        payment["income_amount"] = {"value": str(income), "currency": payment["amount"]["currency"]}
    else:
        payment["expires_at"] = now()
    if payment.get("receipt_registration"):
        payment["receipt_registration"] = "succeeded"


def canceled(payment: JSON, *, reason: str, party: str) -> None:
    """Declined, abandoned or expired: YooKassa never cancels a payment that succeeded."""
    if payment["status"] in ("succeeded", "canceled"):
        raise ValueError(f"a {payment['status']} payment cannot be canceled (tamper with it)")
    payment.pop("confirmation", None)
    payment.update(status="canceled", paid=False, refundable=False)
    payment["cancellation_details"] = {"party": party, "reason": reason}


def new_refund(payment: JSON, body: JSON) -> JSON:
    """Refund part or all of a succeeded payment (what is left of it at most)."""
    amount = amount_of(body.get("amount"))
    if payment["status"] != "succeeded":
        description = f"Payment in status {payment['status']} can't be refunded"
        raise Refusal(400, "invalid_request", description, "payment_id")
    if amount["currency"] != payment["amount"]["currency"]:
        raise Refusal(400, "invalid_request", "Refund currency differs", "amount.currency")
    refunded = value_of(payment.get("refunded_amount") or {"value": "0"})
    left = value_of(payment["amount"]) - refunded
    if value_of(amount) > left:
        raise Refusal(400, "invalid_request", "Refund amount exceeds what is left", "amount.value")
    total = refunded + value_of(amount)
    payment["refunded_amount"] = {"value": str(total), "currency": amount["currency"]}
    payment["refundable"] = total < value_of(payment["amount"])
    refund: JSON = {
        "id": str(uuid.uuid4()),
        "payment_id": payment["id"],
        "status": "succeeded",
        "created_at": now(),
        "amount": amount,
    }
    if body.get("description"):
        refund["description"] = body["description"]
    return refund


def notification(payment: JSON, event: str | None = None) -> JSON:
    """What YooKassa POSTs to the shop's URL about `payment` (event from its status)."""
    status = payment["status"]
    if event is None:
        if status == "pending":
            raise ValueError("YooKassa sends no notification for a pending payment")
        event = f"payment.{status}"
    return {"type": "notification", "event": event, "object": copy.deepcopy(payment)}
