"""CardPayments: packs paid by bank card or SBP on YooKassa's page — the link, «Проверить
оплату», and telling the buyer (and the admins) how each payment ended, whichever path settled it
(the button, a notification, the poller)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..domain.checkout import ORDER_ID, CheckoutOrder, OrderState
from ..domain.errors import RecipientBlocked
from ..domain.messages import InlineButton, InlineKeyboard
from ..domain.users import UserId
from ..ports import CheckoutOrders, Messenger, Users
from ..usecases import CheckoutStart, SettleCheckout, SettleOutcome, Settling, StartCheckout
from .card_texts import CANCEL_REASONS, REJECT_REASONS
from .events import IncomingCallback
from .shop_texts import CARD_PREFIX, pages_phrase
from .texts import Texts, pick_language

log = logging.getLogger(__name__)

CHECK_PREFIX = "paycheck:"  # paycheck:<order id>: ask YooKassa about this order now


@dataclass(frozen=True, slots=True)
class CardPayments:
    start_checkout: StartCheckout
    settle: SettleCheckout
    orders: CheckoutOrders
    messenger: Messenger
    users: Users
    admin_ids: frozenset[int] = frozenset()
    fallback_language: str = "ru"

    @property
    def packs(self) -> tuple[int, ...]:
        return tuple(p.pages for p in self.start_checkout.packs)

    def price(self, pages: int) -> int | None:
        return next((p.price for p in self.start_checkout.packs if p.pages == pages), None)

    def press(self, event: IncomingCallback, t: Texts) -> str | None:
        """«Картой или СБП» under a pack: the order and its payment link."""
        digits = event.data.removeprefix(CARD_PREFIX)
        if not (digits.isascii() and digits.isdigit() and len(digits) <= 5):
            return None
        return self.start(event.sender.id, event.chat_id, int(digits), t)

    def start(self, buyer: UserId, chat_id: int, pages: int, t: Texts) -> str | None:
        price = self.price(pages)
        if price is None:
            return None
        phrase = pages_phrase(t, pages)
        done = self.start_checkout(
            buyer=buyer,
            chat_id=chat_id,
            pages=pages,
            description=t("card_description", pages=phrase),
        )
        if done.outcome is CheckoutStart.REFUSED:
            self.messenger.send_text(chat_id, t("checkout_banned"))
            return t("card_refused_notice")
        if done.outcome is not CheckoutStart.READY or done.order is None:
            self.messenger.send_text(chat_id, t("card_unavailable"))
            return t("card_unavailable_notice")
        order = done.order
        keyboard = InlineKeyboard(
            rows=(
                (InlineButton(t("card_pay_button", price=price), url=order.confirmation_url),),
                (InlineButton(t("card_check_button"), f"{CHECK_PREFIX}{order.order_id}"),),
            )
        )
        text = t("card_pay_text", pages=phrase, price=price)
        self.messenger.send_text(chat_id, text, keyboard=keyboard)
        return t("card_pay_notice")

    def check(self, event: IncomingCallback, t: Texts) -> str | None:
        """«Проверить оплату»: ask YooKassa now; only the buyer may ask about their order."""
        order_id = event.data.removeprefix(CHECK_PREFIX)
        order = self.orders.get(order_id) if ORDER_ID.fullmatch(order_id) else None
        if order is None or order.user_id != event.sender.id:
            return None
        # A canceled or rejected order is over; an expired one is still asked about (paid after
        # the poller gave up on it, it is credited all the same).
        if order.state in (OrderState.CANCELED, OrderState.REJECTED) or not order.payment_id:
            reply = self._closed(order, t)
            self.messenger.send_text(event.chat_id, reply)
            return t("card_checked_notice")
        settling = self.settle.order(order)
        if settling.announce:
            self.announce(settling)
            return t("card_checked_notice")
        reply = self._reply(settling, t)
        self.messenger.send_text(event.chat_id, reply)
        return t("card_checked_notice")

    def announce(self, settling: Settling) -> None:
        """Tell the buyer how their payment ended (once: only a settling that `announce`s), and
        the admins of a payment that could not be honoured."""
        order = settling.order
        if order is None:
            return
        if settling.outcome is SettleOutcome.REFUND_FAILED or (
            settling.announce and settling.outcome is SettleOutcome.REJECTED
        ):
            self._to_admins(settling, order)
        if not settling.announce:
            return
        t = self._texts_of(order.user_id)
        self._say(order.chat_id, self._reply(settling, t))

    def _reply(self, settling: Settling, t: Texts) -> str:
        order = settling.order
        match settling.outcome:
            case SettleOutcome.PAID if settling.announce and settling.balance is not None:
                b = settling.balance
                pages = pages_phrase(t, order.pack.pages if order else 0)
                return t("paid_receipt", pages=pages, credits=b.available, paid=b.paid)
            case SettleOutcome.PAID:
                credits = settling.balance.available if settling.balance else 0
                return t("card_paid_before", credits=credits)
            case SettleOutcome.PENDING:
                return t("card_pending")
            case SettleOutcome.CANCELED:
                return t("card_canceled", reason=self._reason(settling.reason, t))
            case SettleOutcome.REJECTED if settling.reason == "banned":
                return t("card_refunded_banned")
            case SettleOutcome.REJECTED:
                return t("card_rejected")
            case SettleOutcome.REFUND_FAILED:
                return t("card_refund_pending")
            case SettleOutcome.UNAVAILABLE:
                return t("card_check_failed")
            case _:
                return t("card_unknown_order")

    def _closed(self, order: CheckoutOrder, t: Texts) -> str:
        if order.state is OrderState.CANCELED:
            return t("card_canceled", reason=self._reason(order.reason, t))
        if order.state is OrderState.REJECTED:
            return t("card_rejected")
        return t("card_closed")

    @staticmethod
    def _reason(code: str, t: Texts) -> str:
        return t(f"card_reason_{code}") if code in CANCEL_REASONS else ""

    def _to_admins(self, settling: Settling, order: CheckoutOrder) -> None:
        t = Texts(pick_language(None, self.fallback_language))
        key = (
            "admin_card_refund_failed"
            if settling.outcome is SettleOutcome.REFUND_FAILED
            else "admin_card_rejected"
        )
        why = settling.reason
        reason = t(f"card_why_{why}") if why in REJECT_REASONS else why
        text = t(key, payment_id=order.payment_id, user_id=order.user_id, reason=reason)
        for admin_id in sorted(self.admin_ids):
            self._say(admin_id, text)

    def _say(self, chat_id: int, text: str) -> None:
        # After the money moved: a failed message must not undo it (nor fail a notification).
        try:
            self.messenger.send_text(chat_id, text)
        except RecipientBlocked:
            log.info("recipient blocked the bot", extra={"chat_id": chat_id})
        except Exception:
            log.warning("card payment message not delivered", exc_info=True)

    def _texts_of(self, user_id: UserId) -> Texts:
        user = self.users.get(user_id)
        return Texts(pick_language(user.language if user else None, self.fallback_language))
