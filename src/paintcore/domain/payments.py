"""Buying pages: packs, the invoice payload that names pack and buyer, and recorded payments.

A pack is pages for a price in one currency (Telegram Stars: "XTR", whole Stars). An invoice
carries `InvoicePayload.encode()`; whatever comes back (pre-checkout, successful payment) is
decoded strictly, so a forged or stale payload is recognised rather than trusted. A payment is
recorded and its pages credited together by `Ledger.purchase`, once per provider charge id
(under `purchase_key(charge_id)`), so a payment delivered twice (or by two processes) credits once.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from .users import UserId

STARS = "XTR"  # Telegram Stars' currency code
MAX_PACK_PAGES = 10_000
MAX_PACK_PRICE = 100_000  # a bound on mistyped settings, not a Telegram limit

_PAYLOAD = re.compile(r"pack:(\d{1,5}):(\d{1,6}):([A-Z]{3}):(\d{1,20})")


@dataclass(frozen=True, slots=True, order=True)
class Pack:
    """`pages` pages for `price` in `currency` (in whole units: Stars have no fractions)."""

    pages: int
    price: int
    currency: str = STARS

    def __post_init__(self) -> None:
        if not 1 <= self.pages <= MAX_PACK_PAGES:
            raise ValueError(f"a pack has 1 to {MAX_PACK_PAGES} pages, not {self.pages}")
        if not 1 <= self.price <= MAX_PACK_PRICE:
            raise ValueError(f"a pack costs 1 to {MAX_PACK_PRICE}, not {self.price}")


def parse_packs(text: str, *, currency: str = STARS) -> tuple[Pack, ...]:
    """Packs from "10:50,30:120" (pages:price, comma-separated), sorted by pages; ValueError naming
    the bad part. Two packs with the same number of pages are refused: a payload names its pack by
    pages and price, and a buyer must be able to tell them apart."""
    packs = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        pages, sep, price = part.partition(":")
        if not sep or not pages.strip().isdigit() or not price.strip().isdigit():
            raise ValueError(f"{part!r} is not pages:price, e.g. 10:50")
        packs.append(Pack(int(pages), int(price), currency))
    if not packs:
        raise ValueError("name at least one pack, e.g. 10:50")
    if len({p.pages for p in packs}) != len(packs):
        raise ValueError("two packs with the same number of pages")
    return tuple(sorted(packs))


@dataclass(frozen=True, slots=True)
class InvoicePayload:
    """What an invoice carries and a payment brings back: the pack (as sold) and the buyer."""

    pack: Pack
    buyer: UserId

    def encode(self) -> str:
        """At most 1 + 5 + 1 + 6 + 1 + 3 + 1 + 20 + "pack:" = 43 bytes (Telegram allows 128)."""
        return f"pack:{self.pack.pages}:{self.pack.price}:{self.pack.currency}:{self.buyer}"

    @staticmethod
    def decode(text: str) -> InvoicePayload | None:
        """The payload `encode` wrote, or None for anything else (forged, from another bot)."""
        match = _PAYLOAD.fullmatch(text)
        if match is None:
            return None
        try:
            pack = Pack(int(match[1]), int(match[2]), match[3])
        except ValueError:
            return None
        return InvoicePayload(pack, UserId(int(match[4])))


class PaymentState(enum.StrEnum):
    PAID = "paid"  # credited
    REFUNDED = "refunded"  # the money went back; the pages were taken back (as far as left)


@dataclass(frozen=True, slots=True)
class Payment:
    """One payment received, keyed by the provider's charge id (unique in every store)."""

    charge_id: str  # Telegram: telegram_payment_charge_id (what refundStarPayment takes)
    provider: str  # "stars" (a second provider later: "yookassa")
    user_id: UserId
    pages: int
    amount: int
    currency: str
    created_at: datetime
    state: PaymentState = PaymentState.PAID
    provider_charge_id: str = ""
    refunded_at: datetime | None = None
    refunded_pages: int = 0  # pages taken back from the paid bucket by the refund
    shortfall: int = 0  # bought pages already spent when a forced refund took what was left


@dataclass(frozen=True, slots=True)
class SettledCharge:
    """A charge as the provider lists it (reconciliation): a payment in, or a refund out."""

    charge_id: str
    user_id: UserId
    amount: int
    currency: str
    payload: str
    at: datetime
    refund: bool = False


def refund_key(charge_id: str) -> str:
    """The ledger key of taking a refunded payment's pages back."""
    return f"refund:{charge_id}"


def admin_grant_key(update_id: int) -> str:
    """The ledger key of an admin's /grant: from the update, so a redelivery grants nothing."""
    return f"grant:update:{update_id}"
