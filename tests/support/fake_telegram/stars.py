"""Telegram Stars in the fake: invoices, pre-checkout answers, charges, refunds and the bot's list
of star transactions, validated the way Telegram validates them for Stars ("XTR").

Every handler runs with `BotApiState.cond` held, like the other methods; the `StarBook` is what
the fake remembers of money (FakeBotAPI's helpers read it under the same lock).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import objects
from .objects import JSON
from .state import ApiError, BotApiState, Handler, as_int, truthy

if TYPE_CHECKING:
    from .wire import Files

STARS = "XTR"
MAX_PAYLOAD_BYTES = 128
MAX_TITLE = 32
MAX_DESCRIPTION = 255
QUERY_ID_INVALID = "Bad Request: QUERY_ID_INVALID"
CHARGE_NOT_FOUND = "Bad Request: CHARGE_NOT_FOUND"
CHARGE_ALREADY_REFUNDED = "Bad Request: CHARGE_ALREADY_REFUNDED"


@dataclass
class StarCharge:
    """A payment in Stars that reached the bot's balance (refundable once, by its user)."""

    charge_id: str
    user_id: int
    payload: str
    amount: int
    date: int
    refunded_at: int | None = None


@dataclass
class StarBook:
    invoices: list[JSON] = field(default_factory=list)
    answers: dict[str, JSON] = field(default_factory=dict)  # pre_checkout_query id -> answer
    charges: dict[str, StarCharge] = field(default_factory=dict)
    refunds: list[JSON] = field(default_factory=list)
    transactions: list[JSON] = field(default_factory=list)  # in the order they happened

    def charge(
        self, user: JSON, payload: str, amount: int, charge_id: str, date: int | None
    ) -> StarCharge:
        """A payment in: refundable, and listed by getStarTransactions."""
        when = date if date is not None else objects.now()
        charge = StarCharge(charge_id, int(user["id"]), payload, amount, when)
        self.charges[charge_id] = charge
        self.transactions.append(
            {
                "id": charge_id,
                "amount": amount,
                "date": when,
                "source": _partner(user, payload),
            }
        )
        return charge

    def newest_first(self) -> list[JSON]:
        """Transactions as getStarTransactions lists them: newest first (later added first among
        equal dates)."""
        ordered = sorted(
            enumerate(self.transactions), key=lambda p: (p[1]["date"], p[0]), reverse=True
        )
        return [transaction for _, transaction in ordered]


def _partner(user: JSON, payload: str) -> JSON:
    """A TransactionPartnerUser for an invoice payment (or its refund)."""
    return {
        "type": "user",
        "transaction_type": "invoice_payment",
        "user": copy.deepcopy(user),
        "invoice_payload": payload,
    }


def _prices(params: dict[str, object]) -> list[JSON]:
    prices = params.get("prices")
    if not isinstance(prices, list) or not prices or not all(isinstance(p, dict) for p in prices):
        raise ApiError(400, "Bad Request: can't parse prices JSON object")
    for price in prices:
        amount = price.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise ApiError(400, "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID")
        if not str(price.get("label") or ""):
            raise ApiError(400, "Bad Request: LABEL_INVALID")
    return prices


def _invoice(params: dict[str, object]) -> JSON:
    """The invoice as sent, after Telegram's checks (Stars: no provider token, one price)."""
    title, description = str(params.get("title") or ""), str(params.get("description") or "")
    payload, currency = str(params.get("payload") or ""), str(params.get("currency") or "")
    token = str(params.get("provider_token") or "")
    if not 1 <= len(title) <= MAX_TITLE:
        raise ApiError(400, "Bad Request: INVOICE_TITLE_INVALID")
    if not 1 <= len(description) <= MAX_DESCRIPTION:
        raise ApiError(400, "Bad Request: INVOICE_DESCRIPTION_INVALID")
    if not 1 <= len(payload.encode()) <= MAX_PAYLOAD_BYTES:
        raise ApiError(400, "Bad Request: INVOICE_PAYLOAD_INVALID")
    prices = _prices(params)
    if currency == STARS:
        if token:
            raise ApiError(400, "Bad Request: PAYMENT_PROVIDER_INVALID")
        if len(prices) != 1:
            raise ApiError(400, "Bad Request: STARS_INVOICE_INVALID")
    elif not token:
        raise ApiError(400, "Bad Request: PAYMENT_PROVIDER_INVALID")
    return {
        "title": title,
        "description": description,
        "payload": payload,
        "currency": currency,
        "prices": copy.deepcopy(prices),
        "provider_token": token,
    }


def handlers(s: BotApiState, book: StarBook) -> dict[str, Handler]:

    def send_invoice(params: dict[str, object], files: Files) -> JSON:
        s.chat_id(params)  # an unknown or blocked chat first, as for any send
        invoice = _invoice(params)
        shown = {
            "title": invoice["title"],
            "description": invoice["description"],
            "start_parameter": str(params.get("start_parameter") or ""),
            "currency": invoice["currency"],
            "total_amount": sum(int(p["amount"]) for p in invoice["prices"]),
        }
        message = s.bot_message(params, {"invoice": shown})
        book.invoices.append(
            {"chat_id": message["chat"]["id"], "message_id": message["message_id"], **invoice}
        )
        return message

    def answer_pre_checkout_query(params: dict[str, object], files: Files) -> bool:
        query_id = str(params.get("pre_checkout_query_id"))
        if query_id not in s.checkouts or query_id in book.answers:
            raise ApiError(400, QUERY_ID_INVALID)
        ok = truthy(params.get("ok"))
        error = params.get("error_message")
        if not ok and not error:
            raise ApiError(400, "Bad Request: error_message is required when ok is False")
        book.answers[query_id] = {
            "user_id": s.checkouts[query_id],
            "ok": ok,
            "error_message": str(error) if error else None,
        }
        return True

    def refund_star_payment(params: dict[str, object], files: Files) -> bool:
        user_id = as_int(params.get("user_id"))
        charge = book.charges.get(str(params.get("telegram_payment_charge_id")))
        if charge is None or charge.user_id != user_id:
            raise ApiError(400, CHARGE_NOT_FOUND)
        if charge.refunded_at is not None:
            raise ApiError(400, CHARGE_ALREADY_REFUNDED)
        charge.refunded_at = objects.now()
        book.refunds.append({"user_id": user_id, "charge_id": charge.charge_id})
        user = objects.user(charge.user_id, s.profile(charge.user_id, {}))
        book.transactions.append(
            {
                "id": charge.charge_id,
                "amount": charge.amount,
                "date": charge.refunded_at,
                "receiver": _partner(user, charge.payload),
            }
        )
        return True

    def get_star_transactions(params: dict[str, object], files: Files) -> JSON:
        offset = as_int(params.get("offset")) or 0
        limit = as_int(params.get("limit")) or 100
        if offset < 0:
            raise ApiError(400, "Bad Request: OFFSET_INVALID")
        if not 1 <= limit <= 100:
            raise ApiError(400, "Bad Request: LIMIT_INVALID")
        listed = book.newest_first()[offset : offset + limit]
        return {"transactions": copy.deepcopy(listed)}

    return {
        "sendInvoice": send_invoice,
        "answerPreCheckoutQuery": answer_pre_checkout_query,
        "refundStarPayment": refund_star_payment,
        "getStarTransactions": get_star_transactions,
    }
