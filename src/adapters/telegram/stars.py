"""TelegramStars: the PaymentGateway port over Telegram Stars (invoices, the pre-checkout answer,
refunds, and the bot's star transactions for reconciliation).

Telegram's refusals become core errors here: a refund Telegram turns down (400: unknown charge,
refunded already) is PaymentRefused; what could not be asked after retries is DeliveryFailed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from itertools import pairwise

import structlog
import telebot
from telebot import apihelper, types

from paintcore.domain.errors import (
    DeliveryFailed,
    PaymentRefused,
    RateLimited,
    RecipientBlocked,
)
from paintcore.domain.payments import STARS, Pack, SettledCharge
from paintcore.domain.users import UserId

from .api import RetryPolicy, TelegramCaller, refusal

log = structlog.get_logger(__name__)

PROVIDER = "stars"
# Telegram drops a checkout not answered within 10 s: two tries, a short pause, no long 429 wait.
QUICK = RetryPolicy(attempts=2, base_delay=0.25, max_delay=0.5, max_retry_after=1.0)
PAGE = 100  # the most transactions one getStarTransactions returns
ALREADY_REFUNDED = "CHARGE_ALREADY_REFUNDED"
_INVOICE_PAYMENT = (None, "invoice_payment")  # None: a server older than transaction_type


class TelegramStars:
    def __init__(self, bot: telebot.TeleBot, caller: TelegramCaller) -> None:
        self._bot = bot
        self._call = caller
        self._quick = caller.with_policy(QUICK)

    @property
    def provider(self) -> str:
        return PROVIDER

    def send_invoice(
        self, chat_id: int, *, pack: Pack, payload: str, title: str, description: str
    ) -> None:
        if pack.currency != STARS:
            raise ValueError(f"a Stars invoice cannot charge {pack.currency}")
        self._call(
            "sendInvoice",
            partial(
                self._bot.send_invoice,
                chat_id,
                title,
                description,
                invoice_payload=payload,
                provider_token="",  # Stars: no payment provider
                currency=STARS,
                prices=[_price(title, pack.price)],
            ),
        )

    def answer_pre_checkout(self, query_id: str, *, error: str | None = None) -> None:
        answer = partial(
            self._bot.answer_pre_checkout_query, query_id, error is None, error_message=error
        )
        try:
            self._quick("answerPreCheckoutQuery", answer)
        except (RateLimited, RecipientBlocked) as exc:
            raise DeliveryFailed(f"answerPreCheckoutQuery: {exc}") from exc

    def refund(self, *, user_id: UserId, charge_id: str) -> None:
        attempts = 0

        def refund_once() -> bool:
            nonlocal attempts
            attempts += 1
            try:
                return bool(self._bot.refund_star_payment(user_id, charge_id))
            except apihelper.ApiTelegramException as exc:
                refused = refusal(exc)
                if refused.code not in (400, 403):
                    raise  # the caller's business: 429, 5xx, a refused token
                if attempts > 1 and ALREADY_REFUNDED in refused.description:
                    # An earlier try whose answer was lost went through: that is this refund.
                    log.info("refund landed on an earlier try", charge_id=charge_id)
                    return True
                raise PaymentRefused(refused.description) from exc

        try:
            self._call("refundStarPayment", refund_once)
        except (RateLimited, RecipientBlocked) as exc:
            raise DeliveryFailed(f"refundStarPayment: {exc}") from exc

    def settled(self, *, since: datetime) -> Iterator[SettledCharge]:
        """Pages newest first (as Telegram lists them) and stops at the first page that reaches
        past `since`; were a page oldest first, it reads on to the end instead."""
        since = since if since.tzinfo is not None else since.replace(tzinfo=UTC)
        seen: set[tuple[str, bool]] = set()  # a payment arriving meanwhile shifts the pages by one
        offset = 0
        while True:
            transactions = self._page(offset)
            for transaction in transactions:
                charge = _charge_of(transaction)
                if charge is None or charge.at < since:
                    continue
                if (charge.charge_id, charge.refund) not in seen:
                    seen.add((charge.charge_id, charge.refund))
                    yield charge
            dates = [t.date for t in transactions]
            newest_first = all(a >= b for a, b in pairwise(dates))
            if len(transactions) < PAGE or (newest_first and _at(dates[-1]) < since):
                return
            offset += len(transactions)

    def _page(self, offset: int) -> list[types.StarTransaction]:
        fetch = partial(self._bot.get_star_transactions, offset, PAGE)
        try:
            page = self._call("getStarTransactions", fetch)
        except (RateLimited, RecipientBlocked) as exc:
            raise DeliveryFailed(f"getStarTransactions: {exc}") from exc
        return list(page.transactions or [])


def _price(label: str, amount: int) -> types.LabeledPrice:
    return types.LabeledPrice(label, amount)  # type: ignore[no-untyped-call]  # telebot: untyped


def _at(date: int) -> datetime:
    return datetime.fromtimestamp(date, UTC)


def _charge_of(transaction: types.StarTransaction) -> SettledCharge | None:
    """A payment in from a user or a refund out to one; None for any other kind."""
    refund = transaction.source is None
    partner = transaction.receiver if refund else transaction.source
    if not isinstance(partner, types.TransactionPartnerUser):
        return None
    if partner.transaction_type not in _INVOICE_PAYMENT:
        return None  # paid media, gifts, subscriptions: not our invoices
    return SettledCharge(
        charge_id=str(transaction.id),
        user_id=UserId(int(partner.user.id)),
        amount=int(transaction.amount),
        currency=STARS,
        payload=partner.invoice_payload or "",
        at=_at(int(transaction.date)),
        refund=refund,
    )
