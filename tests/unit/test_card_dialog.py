"""Card and SBP payments in the dialog: the choice under a pack (Stars first), the link and
«Проверить оплату», what only the buyer may ask, forged buttons, ru and en, the receipt, and what
admins see: /refund of a YooKassa payment, /stats and /user with roubles apart from Stars."""

from __future__ import annotations

import pytest

from paintcore.dialog.texts import CATALOGS
from paintcore.domain.checkout import OrderState, checkout_charge_id
from paintcore.domain.credits import Balance
from paintcore.domain.errors import DeliveryFailed
from paintcore.domain.messages import InlineButton, InlineKeyboard
from paintcore.domain.payments import PaymentState, refund_key
from paintcore.domain.users import UserId
from support.card_shop import check, choose_card, last_order, notify, order_by_card
from support.shop import pay, press
from support.world import ADMIN, World, build_world

RU, EN = CATALOGS["ru"], CATALOGS["en"]
BUYER, OTHER = 1, 2


def _buttons(world: World, uid: int) -> list[InlineButton]:
    keyboard = world.messenger.to(uid)[-1].keyboard
    assert isinstance(keyboard, InlineKeyboard)
    return [button for row in keyboard.rows for button in row]


def _paid_by_card(world: World, uid: int = BUYER) -> str:
    """A 10-page order paid and credited: its charge id."""
    world.say(uid, "/start")
    order = order_by_card(world, uid)
    world.checkout.succeed(order.payment_id)
    assert notify(world, order.payment_id) == 200
    return checkout_charge_id("yookassa", order.payment_id)


def test_a_pack_offers_stars_first_then_card(world: World) -> None:
    world.say(BUYER, "/start")

    assert press(world, BUYER, "pack:30") == RU["pay_choose_notice"]

    assert world.last_text(BUYER) == "30 раскрасок: как удобнее оплатить?"
    assert [(b.label, b.data) for b in _buttons(world, BUYER)] == [
        ("⭐ Звёздами Telegram — 120 ⭐", "paystars:30"),
        ("💳 Картой или СБП — 399 ₽", "paycard:30"),
    ]
    assert world.gateway.invoices == [] and world.checkout.calls == 0


def test_stars_after_the_choice_sends_the_invoice(world: World) -> None:
    world.say(BUYER, "/start")
    press(world, BUYER, "pack:10")
    assert press(world, BUYER, "paystars:10") == RU["invoice_sent"]
    [invoice] = world.gateway.invoices
    assert invoice.pack.pages == 10 and world.checkout_orders.by_id == {}


def test_the_card_sends_the_payment_link_and_a_check_button(world: World) -> None:
    world.say(BUYER, "/start")

    assert choose_card(world, BUYER, 30) == RU["card_pay_notice"]

    order = last_order(world, BUYER)
    payment = world.checkout.payments[order.payment_id]
    assert world.last_text(BUYER) == RU["card_pay_text"].format(pages="30 раскрасок", price=399)
    pay_button, check_button = _buttons(world, BUYER)
    assert (pay_button.label, pay_button.url, pay_button.data) == (
        "Оплатить 399 ₽",
        payment.confirmation_url,
        "",
    )
    assert (check_button.label, check_button.data) == (
        "Проверить оплату",
        f"paycheck:{order.order_id}",
    )


def test_in_english_the_link_and_the_receipt_are_english(world: World) -> None:
    world.say(BUYER, "/start", language="en")
    assert choose_card(world, BUYER, 10, language="en") == EN["card_pay_notice"]
    assert world.last_text(BUYER) == EN["card_pay_text"].format(pages="10 pages", price=149)
    assert [b.label for b in _buttons(world, BUYER)] == ["Pay 149 ₽", "Check payment"]
    order = last_order(world, BUYER)
    check(world, BUYER, order.order_id, language="en")
    assert world.last_text(BUYER) == EN["card_pending"]

    world.checkout.succeed(order.payment_id)
    check(world, BUYER, order.order_id, language="en")

    assert world.last_text(BUYER) == (
        "Payment received, thank you! Added: 10 pages. Pages available: 20 (bought: 10)."
    )


def test_checking_a_paid_order_credits_it_and_sends_the_receipt(world: World) -> None:
    world.say(BUYER, "/start")
    order = order_by_card(world, BUYER)
    world.checkout.succeed(order.payment_id)

    check(world, BUYER, order.order_id)

    assert world.last_text(BUYER) == (
        "Оплата получена, спасибо! Добавлено: 10 раскрасок. "
        "Доступно раскрасок: 20 (из них купленных: 10)."
    )
    assert world.ledger.balance(UserId(BUYER)) == Balance(free=10, paid=10)
    check(world, BUYER, order.order_id)
    assert world.last_text(BUYER) == RU["card_paid_before"].format(credits=20)


def test_checking_when_the_provider_is_down_says_so_and_changes_nothing(world: World) -> None:
    world.say(BUYER, "/start")
    order = order_by_card(world, BUYER)
    world.checkout.succeed(order.payment_id)
    world.checkout.failures.append(DeliveryFailed("down"))

    check(world, BUYER, order.order_id)

    assert world.last_text(BUYER) == RU["card_check_failed"]
    assert last_order(world, BUYER).state is OrderState.PENDING


def test_checking_a_canceled_order_says_why(world: World) -> None:
    world.say(BUYER, "/start")
    order = order_by_card(world, BUYER)
    world.checkout.cancel(order.payment_id, "3d_secure_failed")
    check(world, BUYER, order.order_id)
    told = RU["card_canceled"].format(reason=RU["card_reason_3d_secure_failed"])
    assert world.last_text(BUYER) == told
    check(world, BUYER, order.order_id)
    assert world.last_text(BUYER) == told


def test_checking_an_order_the_poller_gave_up_on_still_credits_a_late_payment(
    world: World,
) -> None:
    world.say(BUYER, "/start")
    order = order_by_card(world, BUYER)
    world.checkout_orders.settle(order.order_id, state=OrderState.EXPIRED, at=world.clock.now())
    check(world, BUYER, order.order_id)
    assert world.last_text(BUYER) == RU["card_pending"]  # asked: not paid (yet)

    world.checkout.succeed(order.payment_id)  # paid days later, the link still open
    check(world, BUYER, order.order_id)

    assert world.ledger.balance(UserId(BUYER)) == Balance(free=10, paid=10)
    assert world.last_text(BUYER).startswith("Оплата получена, спасибо!")


def test_a_banned_buyer_is_told_purchases_are_off_and_the_admin_why(world: World) -> None:
    world.say(BUYER, "/start")
    order = order_by_card(world, BUYER)
    world.say(ADMIN, "/start")
    world.say(ADMIN, f"/ban {BUYER}")
    world.checkout.succeed(order.payment_id)

    assert notify(world, order.payment_id) == 200

    assert world.last_text(BUYER) == RU["card_refunded_banned"]
    assert RU["card_why_banned"] in world.last_text(ADMIN)
    assert world.ledger.balance(UserId(BUYER)) == Balance(free=10)


def test_someone_elses_check_button_reveals_nothing(world: World) -> None:
    world.say(BUYER, "/start")
    world.say(OTHER, "/start")
    order = order_by_card(world, BUYER)
    world.checkout.succeed(order.payment_id)
    calls = world.checkout.calls

    assert check(world, OTHER, order.order_id) == RU["unknown_button"]

    assert world.last_text(OTHER) == RU["unknown_button"]
    assert world.checkout.calls == calls
    assert last_order(world, BUYER).state is OrderState.PENDING


def test_a_card_payment_cannot_start_when_the_provider_is_down(world: World) -> None:
    world.say(BUYER, "/start")
    world.checkout.failures.append(DeliveryFailed("down"))
    assert choose_card(world, BUYER) == RU["card_unavailable_notice"]  # the toast, short
    assert world.last_text(BUYER) == RU["card_unavailable"]


@pytest.mark.parametrize(
    "data",
    [
        "paycard:11",
        "paycard:abc",
        "paycard:",
        "paycard:-10",
        "paycard:" + "9" * 40,
        "paycheck:",
        "paycheck:nope",
        "paycheck:" + "0" * 32,
        "paycheck:" + "A" * 32,
        "paystars:11",
    ],
)
def test_forged_card_buttons_are_unknown_and_change_nothing(world: World, data: str) -> None:
    world.say(BUYER, "/start")
    assert press(world, BUYER, data) == RU["unknown_button"]
    assert world.checkout_orders.by_id == {} and world.checkout.calls == 0


def test_with_yookassa_off_the_pack_is_stars_and_card_buttons_are_unknown() -> None:
    world = build_world(cards=False)
    world.say(BUYER, "/start")
    assert press(world, BUYER, "pack:10") == RU["invoice_sent"]
    assert press(world, BUYER, "paycard:10") == RU["unknown_button"]
    assert press(world, BUYER, "paycheck:" + "a" * 32) == RU["unknown_button"]
    assert world.container.card_payments() is None
    assert world.container.checkout_routes() == {}


def test_refunding_a_yookassa_payment_goes_through_its_gateway_and_takes_the_pages(
    world: World,
) -> None:
    charge = _paid_by_card(world)
    payment_id = charge.removeprefix("yookassa:")

    world.say(ADMIN, f"/refund {charge}")

    assert world.checkout.refunds == {refund_key(charge): (payment_id, 14900)}
    assert refund_key(charge) == f"refund:yookassa:{payment_id}"
    assert world.gateway.refunds == []
    assert world.ledger.balance(UserId(BUYER)) == Balance(free=10, paid=0)
    assert world.last_text(ADMIN) == RU["refund_done"].format(
        charge_id=charge, amount=149, currency="RUB", taken=10, shortfall=0
    )
    assert world.last_text(BUYER) == RU["payment_refunded_to_user_rub"].format(amount=149, taken=10)
    stored = world.container.payments().get(charge)
    assert stored is not None and stored.state is PaymentState.REFUNDED

    world.say(ADMIN, f"/refund {charge}")
    assert len(world.checkout.refunds) == 1
    assert world.ledger.balance(UserId(BUYER)).paid == 0


def test_a_refund_yookassa_refuses_changes_nothing(world: World) -> None:
    charge = _paid_by_card(world)
    world.checkout.refund_failures.append(DeliveryFailed("down"))
    world.say(ADMIN, f"/refund {charge}")
    assert world.checkout.refunds == {}
    assert world.ledger.balance(UserId(BUYER)).paid == 10
    assert world.last_text(ADMIN) == RU["refund_refused"].format(charge_id=charge, error="down")


def test_stats_show_stars_and_roubles_apart(world: World) -> None:
    _paid_by_card(world)
    pay(world, BUYER, "charge-1")
    world.say(ADMIN, "/stats")
    text = world.last_text(ADMIN)
    assert "Звёзды: получено 50, возвращено 0" in text
    assert "Рубли (ЮKassa): получено 149, возвращено 0" in text


def test_user_report_lists_the_yookassa_payment(world: World) -> None:
    charge = _paid_by_card(world)
    world.say(ADMIN, f"/user {BUYER}")
    text = world.last_text(ADMIN)
    assert f"149 Рубли (ЮKassa) → 10 раскрасок, оплачен ({charge})" in text
