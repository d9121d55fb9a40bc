"""Checkout payments: packs paid on a provider's own page (YooKassa: bank cards, SBP).

Unlike Stars, where Telegram collects the money inside the chat, the buyer follows a link, pays
there, and the provider tells us later (a notification) or we ask it (polling). So the bot keeps
an `CheckoutOrder` of its own, stored *before* the provider is asked to create the payment: a
crash in between leaves an order without a payment, never a payment nobody knows of.

Nothing a notification says is believed: `CheckoutPayment` is the payment as the provider's API
reports it when asked by id, and only its status there counts. Amounts are in minor units
(kopecks), so "149.00" RUB is 14900 and no float ever touches money.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime

from .payments import Pack
from .users import UserId

ORDER_ID = re.compile(r"[0-9a-f]{32}")  # uuid4().hex: what metadata and idempotence keys carry


class CheckoutStatus(enum.StrEnum):
    """A payment's status at the provider (YooKassa's names)."""

    PENDING = "pending"  # created; the buyer has not paid (yet)
    WAITING_FOR_CAPTURE = "waiting_for_capture"  # paid, held; we capture automatically
    SUCCEEDED = "succeeded"  # paid and ours
    CANCELED = "canceled"  # declined, abandoned, expired or cancelled: no money taken

    @property
    def final(self) -> bool:
        return self in (CheckoutStatus.SUCCEEDED, CheckoutStatus.CANCELED)


class OrderState(enum.StrEnum):
    NEW = "new"  # stored; the provider not asked yet (or the asking failed)
    PENDING = "pending"  # the provider created the payment; waiting for the buyer
    PAID = "paid"  # the provider says succeeded and the pages were credited
    CANCELED = "canceled"  # the provider says canceled: nothing taken, nothing credited
    EXPIRED = "expired"  # nobody paid in time (or the payment was never created)
    REJECTED = "rejected"  # paid, but it did not match the order (amount, currency, buyer)

    @property
    def open(self) -> bool:
        return self in (OrderState.NEW, OrderState.PENDING)


@dataclass(frozen=True, slots=True)
class CheckoutOrder:
    """A pack a user chose to pay on the provider's page; `order_id` is ours (uuid4 hex) and is
    the payment's idempotence key and metadata, so asking twice creates one payment."""

    order_id: str
    provider: str  # "yookassa"
    user_id: UserId
    chat_id: int
    pack: Pack  # price in whole units of pack.currency ("RUB")
    created_at: datetime
    state: OrderState = OrderState.NEW
    payment_id: str = ""  # the provider's, once created
    confirmation_url: str = ""  # where the buyer pays
    updated_at: datetime | None = None
    reason: str = ""  # why it was canceled or rejected, as the provider or our check said

    @property
    def amount_minor(self) -> int:
        return self.pack.price * 100


@dataclass(frozen=True, slots=True)
class CheckoutPayment:
    """A payment as the provider's API reports it, asked by its id."""

    payment_id: str
    status: CheckoutStatus
    amount_minor: int
    currency: str
    order_id: str  # from the metadata we set ("" when absent: not ours)
    confirmation_url: str = ""
    paid: bool = False
    test: bool = False
    cancellation_reason: str = ""  # e.g. "expired_on_confirmation", "insufficient_funds"
    refunded_minor: int = 0


@dataclass(frozen=True, slots=True)
class Receipt:
    """A 54-FZ receipt's contact and line: sent with the payment when configured."""

    email: str = ""
    phone: str = ""
    description: str = ""
    vat_code: int = 1  # 1: no VAT (the usual for a self-employed or simplified-tax seller)
    extra: dict[str, str] = field(default_factory=dict)


def checkout_charge_id(provider: str, payment_id: str) -> str:
    """The charge id a checkout payment is recorded and credited under (`Ledger.purchase`): the
    provider's payment id, prefixed so it never meets a Telegram charge id."""
    return f"{provider}:{payment_id}"
