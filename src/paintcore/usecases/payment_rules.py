"""Whether a payment may be honoured as its invoice was issued: the rule the pre-checkout and the
crediting of a successful payment share (pure: packs of today, the payload, what was paid)."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime, timedelta

from ..domain.payments import InvoicePayload, Pack
from ..domain.users import UserId
from ..ports import PaymentGateway

# How far the provider's clock and ours may disagree about when a charge happened.
CLOCK_SLACK = timedelta(hours=1)


class PaymentProblem(enum.StrEnum):
    """Why a payment cannot be honoured; each one is worded for the payer and the admins."""

    FORGED = "forged"  # the payload is not one our invoices carry
    PACK_GONE = "pack_gone"  # the pack (pages at that price) is no longer on sale
    WRONG_AMOUNT = "wrong_amount"  # the total or the currency is not the pack's
    NOT_BUYER = "not_buyer"  # somebody else pays an invoice issued to the buyer
    UNKNOWN_PAYER = "unknown_payer"  # never registered (pre-checkout only)
    BANNED = "banned"  # pre-checkout only: a banned user buys nothing


def pack_on_sale(packs: Sequence[Pack], pages: int) -> Pack | None:
    """Today's pack of `pages` pages, or None."""
    return next((pack for pack in packs if pack.pages == pages), None)


def payment_problem(
    packs: Sequence[Pack], *, payload: str, payer: UserId, currency: str, total_amount: int
) -> tuple[InvoicePayload | None, PaymentProblem | None]:
    """The decoded payload (None when forged) and what is wrong with paying it (None: nothing)."""
    invoice = InvoicePayload.decode(payload)
    if invoice is None:
        return None, PaymentProblem.FORGED
    if invoice.pack not in packs:  # pages, price and currency as sold today
        return invoice, PaymentProblem.PACK_GONE
    if currency != invoice.pack.currency or total_amount != invoice.pack.price:
        return invoice, PaymentProblem.WRONG_AMOUNT
    if payer != invoice.buyer:
        return invoice, PaymentProblem.NOT_BUYER
    return invoice, None


def refunded_at_provider(gateway: PaymentGateway, charge_id: str, *, since: datetime) -> bool:
    """Whether the provider lists a refund of the charge: when it refuses to refund a charge,
    this tells "refunded already" (by a run that stopped half-way, a racer, or by hand) from
    any other refusal. `since` is when we recorded the payment; the provider's clock may differ."""
    listed = gateway.settled(since=since - CLOCK_SLACK)
    return any(c.refund and c.charge_id == charge_id for c in listed)
