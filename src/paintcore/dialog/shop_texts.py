"""The shop's wording: pages in their grammatical number, the pack buttons, receipts, replies."""

from __future__ import annotations

from ..domain.messages import InlineButton, InlineKeyboard
from ..domain.payments import Pack
from ..usecases import Crediting, CreditOutcome, PaymentProblem, Refund, RefundOutcome
from .texts import Texts

PACK_PREFIX = "pack:"
STARS_PREFIX = "paystars:"  # paystars:<pages>: pay this pack with Stars (after the choice)
CARD_PREFIX = "paycard:"  # paycard:<pages>: pay it by card or SBP (YooKassa)


def pages_phrase(t: Texts, n: int) -> str:
    """ "10 раскрасок", "21 раскраска", "1 page": the number with the word in its number."""
    form = "one" if n == 1 else "many"
    if t.language == "ru" and not 11 <= n % 100 <= 14:
        form = {1: "one", 2: "few", 3: "few", 4: "few"}.get(n % 10, "many")
    return t(f"pages_{form}", n=n)


def packs_keyboard(t: Texts, packs: tuple[Pack, ...], rub: tuple[Pack, ...] = ()) -> InlineKeyboard:
    """One button per number of pages on sale (for Stars, roubles or both), `pack:<pages>` (read
    back by `Shop.press`, never trusted)."""
    stars = {p.pages: p.price for p in packs}
    roubles = {p.pages: p.price for p in rub}
    rows = []
    for pages in sorted(stars.keys() | roubles.keys()):
        phrase = pages_phrase(t, pages)
        if pages in stars and pages in roubles:
            label = t("pack_button_both", pages=phrase, stars=stars[pages], rub=roubles[pages])
        elif pages in stars:
            label = t("pack_button", pages=phrase, price=stars[pages])
        else:
            label = t("pack_button_rub", pages=phrase, price=roubles[pages])
        rows.append((InlineButton(label, f"{PACK_PREFIX}{pages}"),))
    return InlineKeyboard(rows=tuple(rows))


def payment_choice(t: Texts, pages: int, *, stars: int, rub: int) -> InlineKeyboard:
    """Two ways to pay one pack: Stars (the default, first) and card or SBP."""
    return InlineKeyboard(
        rows=(
            (InlineButton(t("pay_stars_button", price=stars), f"{STARS_PREFIX}{pages}"),),
            (InlineButton(t("pay_card_button", price=rub), f"{CARD_PREFIX}{pages}"),),
        )
    )


def receipt(t: Texts, done: Crediting) -> str:
    b = done.balance
    pages = pages_phrase(t, done.payment.pages)
    return t("paid_receipt", pages=pages, credits=b.available, paid=b.paid)


def to_payer(t: Texts, done: Crediting) -> str | None:
    """What the payer is told of a successful payment; None for a redelivery (told before)."""
    if done.outcome is CreditOutcome.CREDITED:
        return receipt(t, done)
    if done.outcome is CreditOutcome.REFUNDED and done.problem is not None:
        return t("payment_refunded_auto", reason=t(f"checkout_{done.problem.value}"))
    if done.outcome is CreditOutcome.REFUND_FAILED:
        return t("payment_refund_pending")
    return None


def admin_alert(t: Texts, done: Crediting) -> str | None:
    """What admins are told of a payment that could not be honoured; None for any other."""
    if done.outcome not in (CreditOutcome.REFUNDED, CreditOutcome.REFUND_FAILED):
        return None
    p = done.payment
    reason = t(f"checkout_{(done.problem or PaymentProblem.FORGED).value}")
    values = {"charge_id": p.charge_id, "user_id": p.user_id, "amount": p.amount}
    if done.outcome is CreditOutcome.REFUNDED:
        return t("admin_auto_refund", currency=p.currency, reason=reason, **values)
    return t("admin_refund_failed", currency=p.currency, reason=reason, error=done.error, **values)


def refund_reply(t: Texts, charge_id: str, result: Refund) -> str:
    """The admin's answer to `/refund CHARGE_ID [force]`."""
    p = result.payment
    if p is None:
        return t("refund_unknown", charge_id=charge_id)
    taken, shortfall = result.taken, result.shortfall
    match result.outcome:
        case RefundOutcome.REFUNDED:
            return t(
                "refund_done",
                charge_id=charge_id,
                amount=p.amount,
                currency=p.currency,
                taken=taken,
                shortfall=shortfall,
            )
        case RefundOutcome.ALREADY_REFUNDED:
            return t("refund_already", charge_id=charge_id, taken=taken, shortfall=shortfall)
        case RefundOutcome.FOREIGN:
            return t("refund_foreign", charge_id=charge_id, provider=p.provider)
        case RefundOutcome.TOO_FEW_LEFT:
            return t(
                "refund_too_few",
                user_id=p.user_id,
                left=result.left,
                pages=p.pages,
                charge_id=charge_id,
            )
        case _:
            return t("refund_refused", charge_id=charge_id, error=result.error)
