"""Shop: packs offered as buttons, the invoice, the checkout and the payment, /refund, /terms."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..domain.errors import RecipientBlocked
from ..domain.payments import Pack
from ..domain.users import UserId
from ..ports import Messenger, Users
from ..usecases import (
    CheckPreCheckout,
    CreditPayment,
    ReconciliationReport,
    RefundOutcome,
    RefundPayment,
    SendInvoice,
    Support,
)
from ..usecases.payment_rules import pack_on_sale
from .card_payments import CardPayments
from .events import IncomingCallback, IncomingMessage, PreCheckoutQuery, SuccessfulPayment
from .shop_texts import (
    PACK_PREFIX,
    STARS_PREFIX,
    admin_alert,
    packs_keyboard,
    pages_phrase,
    payment_choice,
    receipt,
    refund_reply,
    to_payer,
)
from .texts import Texts, pick_language

log = logging.getLogger(__name__)

__all__ = ["PACK_PREFIX", "STARS_PREFIX", "Shop", "packs_keyboard"]


@dataclass(frozen=True, slots=True)
class Shop:
    packs: tuple[Pack, ...]
    messenger: Messenger
    users: Users
    support: Support
    # None without a payment provider (the console): buying is then pointed at Telegram.
    send_invoice: SendInvoice | None = None
    check_pre_checkout: CheckPreCheckout | None = None
    credit_payment: CreditPayment | None = None
    refund_payment: RefundPayment | None = None
    admin_ids: frozenset[int] = frozenset()
    fallback_language: str = "ru"
    # PAINTBOT_TERMS_* and PAINTBOT_PAYSUPPORT_* by language; a language missing -> the catalog.
    terms: Mapping[str, str] = field(default_factory=dict)
    paysupport: Mapping[str, str] = field(default_factory=dict)
    # Cards and SBP through YooKassa (None: Stars only); its packs are priced in roubles.
    card_payments: CardPayments | None = None

    def offer(self, event: IncomingMessage, t: Texts) -> None:
        """/buy and the menu button: the packs as buttons (Stars and, if enabled, roubles)."""
        rub = self.card_payments.start_checkout.packs if self.card_payments else ()
        keyboard = packs_keyboard(t, self.packs, rub)
        text = t("packs_offer_both") if rub else t("packs_offer")
        self.messenger.send_text(event.chat_id, text, keyboard=keyboard)

    def press(self, event: IncomingCallback, t: Texts) -> str | None:
        """A pack button: with two ways to pay, the choice (Stars first); with one, that one.
        None for data that is not one of today's packs."""
        pages = _pages(event.data.removeprefix(PACK_PREFIX))
        stars = pack_on_sale(self.packs, pages) if pages else None
        rub = self.card_payments.price(pages) if self.card_payments and pages else None
        if stars is not None and rub is not None:
            keyboard = payment_choice(t, pages, stars=stars.price, rub=rub)
            phrase = pages_phrase(t, pages)
            self.messenger.send_text(
                event.chat_id, t("pay_choose", pages=phrase), keyboard=keyboard
            )
            return t("pay_choose_notice")
        if rub is not None and self.card_payments is not None:
            return self.card_payments.start(event.sender.id, event.chat_id, pages, t)
        return self.press_stars(event, t)

    def press_stars(self, event: IncomingCallback, t: Texts) -> str | None:
        """Pay a pack with Stars: the invoice; None for data that is not one of today's packs."""
        data = event.data
        pages = _pages(data.removeprefix(PACK_PREFIX).removeprefix(STARS_PREFIX))
        pack = pack_on_sale(self.packs, pages) if pages else None
        if pack is None:
            return None
        if self.send_invoice is None:  # the console: its "/set pack:10" shows this as a message
            return t("payments_elsewhere")
        phrase = pages_phrase(t, pack.pages)
        self.send_invoice(
            buyer=event.sender.id,
            chat_id=event.chat_id,
            pack=pack,
            title=t("invoice_title", pages=phrase),
            description=t("invoice_description", pages=phrase),
        )
        return t("invoice_sent")

    def press_card(self, event: IncomingCallback, t: Texts) -> str | None:
        """Pay a pack by card or SBP (None when YooKassa is off: an unknown button)."""
        return self.card_payments.press(event, t) if self.card_payments else None

    def check_card(self, event: IncomingCallback, t: Texts) -> str | None:
        """«Проверить оплату» under a card payment's link."""
        return self.card_payments.check(event, t) if self.card_payments else None

    def show_terms(self, event: IncomingMessage, t: Texts) -> None:
        self.messenger.send_text(event.chat_id, self.terms.get(t.language) or t("terms"))

    def show_paysupport(self, event: IncomingMessage, t: Texts) -> None:
        text = self.paysupport.get(t.language)
        if not text:
            contact = self.support()
            text = t("paysupport", contact=contact) if contact else t("paysupport_missing")
        self.messenger.send_text(event.chat_id, text)

    def pre_checkout(self, event: PreCheckoutQuery, t: Texts) -> None:
        """Answer at once: ok, or the reason in the payer's language."""
        if self.check_pre_checkout is None:
            log.warning("checkout without a payment provider", extra={"update_id": event.update_id})
            return
        self.check_pre_checkout(
            query_id=event.query_id,
            payer=event.sender.id,
            currency=event.currency,
            total_amount=event.total_amount,
            payload=event.invoice_payload,
            wording=lambda problem: t(f"checkout_{problem.value}"),
        )

    def refuse_checkout(self, event: PreCheckoutQuery, text: str) -> None:
        """Refuse a checkout the shop could not judge (it failed): the payer is not left waiting."""
        if self.check_pre_checkout is not None:
            self.check_pre_checkout.gateway.answer_pre_checkout(event.query_id, error=text)

    def paid(self, event: SuccessfulPayment, t: Texts) -> None:
        """Credit the payment once and send the receipt; one that cannot be honoured goes back."""
        if self.credit_payment is None:
            log.error("payment without a payment provider", extra={"update_id": event.update_id})
            return
        done = self.credit_payment(
            charge_id=event.telegram_payment_charge_id,
            provider_charge_id=event.provider_payment_charge_id,
            payer=event.sender.id,
            currency=event.currency,
            total_amount=event.total_amount,
            payload=event.invoice_payload,
        )
        reply = to_payer(t, done)
        if reply is not None:
            self.messenger.send_text(event.chat_id, reply)
        self._to_admins(admin_alert(self._admin_texts(), done))

    def refund(self, event: IncomingMessage, t: Texts) -> None:
        """Admin `/refund CHARGE_ID [force]`: the money back, the pages taken back, once."""
        args = (event.text or "").split()[1:]
        force = len(args) == 2 and args[1].casefold() == "force"
        if len(args) not in (1, 2) or (len(args) == 2 and not force):
            self.messenger.send_text(event.chat_id, t("refund_usage"))
            return
        if self.refund_payment is None:
            self.messenger.send_text(event.chat_id, t("payments_elsewhere"))
            return
        charge_id = args[0][:200]
        result = self.refund_payment(charge_id=charge_id, force=force)
        self.messenger.send_text(event.chat_id, refund_reply(t, charge_id, result))
        if result.outcome is RefundOutcome.REFUNDED and result.payment is not None:
            p = result.payment
            key = (
                "payment_refunded_to_user_rub"
                if p.currency == "RUB"
                else "payment_refunded_to_user"
            )
            told = self._texts_of(p.user_id)(key, amount=p.amount, taken=result.taken)
            self._say(p.user_id, told)

    def announce(self, report: ReconciliationReport) -> None:
        """After a reconciliation: receipts for payments credited late, and the admins told what
        was refunded, what could not be, and what was refunded outside the bot."""
        for done in report.credited:
            self._say(done.payment.user_id, receipt(self._texts_of(done.payment.user_id), done))
        t = self._admin_texts()
        for done in (*report.refunded, *report.refund_failed):
            self._to_admins(admin_alert(t, done))
        for p in report.refunded_outside:
            outside = t(
                "admin_refunded_outside", charge_id=p.charge_id, user_id=p.user_id, pages=p.pages
            )
            self._to_admins(outside)
        if report.needs_attention:
            summary = t(
                "admin_reconciled",
                credited=len(report.credited),
                refunded=len(report.refunded),
                failed=len(report.refund_failed),
                outside=len(report.refunded_outside),
            )
            self._to_admins(summary)

    def _to_admins(self, text: str | None) -> None:
        if text is None:
            return
        for admin_id in sorted(self.admin_ids):
            self._say(admin_id, text)

    def _say(self, chat_id: int, text: str) -> None:
        # A side note (an admin alert, a late receipt): its failure must not undo the money's move.
        try:
            self.messenger.send_text(chat_id, text)
        except RecipientBlocked:
            log.info("recipient blocked the bot", extra={"chat_id": chat_id})
        except Exception:
            log.warning("shop message not delivered", exc_info=True, extra={"chat_id": chat_id})

    def _admin_texts(self) -> Texts:
        return Texts(pick_language(None, self.fallback_language))

    def _texts_of(self, user_id: UserId) -> Texts:
        user = self.users.get(user_id)
        return Texts(pick_language(user.language if user else None, self.fallback_language))


def _pages(digits: str) -> int:
    """The pages a button names, or 0 for anything else (forged)."""
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 5 else 0
