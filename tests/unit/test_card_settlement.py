"""SettleCheckout: whichever path hears of a payment (a notification, the poller, the buyer's
«Проверить оплату»), its status at the provider decides: credited once, canceled, or its money
sent back — never credited when it does not match, never kept when it is not credited."""

from __future__ import annotations

from datetime import timedelta

import pytest

from paintcore.dialog.texts import CATALOGS
from paintcore.domain.checkout import CheckoutOrder, OrderState, checkout_charge_id
from paintcore.domain.credits import Balance, purchase_key
from paintcore.domain.errors import DeliveryFailed, PaymentRefused
from paintcore.domain.payments import Pack
from paintcore.domain.users import UserId
from paintcore.usecases import SettleCheckout, SettleOutcome
from support.card_shop import check, last_order, notify, order_by_card, poll
from support.world import ADMIN, World

RU = CATALOGS["ru"]
BUYER = 1
RECEIPT = "Оплата получена, спасибо! Добавлено: 10 раскрасок."


def _settle(world: World) -> SettleCheckout:
    settle = world.container.settle_checkout()
    assert isinstance(settle, SettleCheckout)
    return settle


def _ordered(world: World) -> CheckoutOrder:
    world.say(BUYER, "/start")
    return order_by_card(world, BUYER)


def _credits(world: World, order: CheckoutOrder) -> int:
    key = purchase_key(checkout_charge_id("yookassa", order.payment_id))
    return sum(1 for t in world.ledger.transactions() if t.key == key)


def _told(world: World, uid: int, start: str) -> list[str]:
    return [text for text in world.messenger.texts(uid) if text.startswith(start)]


def test_a_paid_order_is_credited_once_however_many_paths_hear_of_it(world: World) -> None:
    order = _ordered(world)
    world.checkout.succeed(order.payment_id)

    assert notify(world, order.payment_id) == 200
    assert poll(world) == 0  # the order is PAID: nothing open to ask about
    check(world, BUYER, order.order_id)
    assert notify(world, order.payment_id) == 200
    assert _settle(world).order(order).outcome is SettleOutcome.PAID

    assert _credits(world, order) == 1
    assert world.ledger.balance(UserId(BUYER)) == Balance(free=10, paid=10)
    assert last_order(world, BUYER).state is OrderState.PAID
    assert len(_told(world, BUYER, RECEIPT)) == 1
    assert world.last_text(BUYER) == RU["card_paid_before"].format(credits=20)
    payment = world.container.payments().get(checkout_charge_id("yookassa", order.payment_id))
    assert payment is not None and (payment.amount, payment.currency) == (149, "RUB")


def test_the_poller_credits_a_paid_order_nobody_notified(world: World) -> None:
    order = _ordered(world)
    world.checkout.succeed(order.payment_id)

    assert poll(world) == 1
    assert poll(world) == 0

    assert _credits(world, order) == 1 and len(_told(world, BUYER, RECEIPT)) == 1


def test_a_pending_payment_changes_nothing_whoever_asks(world: World) -> None:
    order = _ordered(world)

    assert notify(world, order.payment_id) == 200  # a forged "succeeded": its status is pending
    assert poll(world) == 0
    check(world, BUYER, order.order_id)

    assert last_order(world, BUYER).state is OrderState.PENDING
    assert world.ledger.balance(UserId(BUYER)) == Balance(free=10)
    assert world.last_text(BUYER) == RU["card_pending"]


def test_a_canceled_payment_closes_the_order_and_the_buyer_is_told_once(world: World) -> None:
    order = _ordered(world)
    world.checkout.cancel(order.payment_id, "insufficient_funds")

    assert notify(world, order.payment_id, "payment.canceled") == 200
    assert notify(world, order.payment_id, "payment.canceled") == 200
    assert poll(world) == 0

    stored = last_order(world, BUYER)
    assert (stored.state, stored.reason) == (OrderState.CANCELED, "insufficient_funds")
    told = RU["card_canceled"].format(reason=RU["card_reason_insufficient_funds"])
    assert world.messenger.texts(BUYER).count(told) == 1
    assert world.ledger.balance(UserId(BUYER)) == Balance(free=10)


@pytest.mark.parametrize(
    "tampered", [{"amount_minor": 100}, {"currency": "USD"}], ids=["amount", "currency"]
)
def test_a_payment_not_matching_its_order_is_refunded_in_full_and_never_credited(
    world: World, tampered: dict[str, object]
) -> None:
    order = _ordered(world)
    world.checkout.succeed(order.payment_id)
    world.checkout.tamper(order.payment_id, **tampered)
    paid = world.checkout.payments[order.payment_id]

    assert notify(world, order.payment_id) == 200
    assert notify(world, order.payment_id) == 200

    assert world.checkout.refunds == {
        f"reject-{order.order_id}": (order.payment_id, paid.amount_minor)
    }
    stored = last_order(world, BUYER)
    assert (stored.state, stored.reason) == (OrderState.REJECTED, "wrong_amount")
    assert _credits(world, order) == 0 and world.ledger.balance(UserId(BUYER)).paid == 0
    assert world.messenger.texts(BUYER).count(RU["card_rejected"]) == 1
    [alert] = world.messenger.texts(ADMIN)
    assert order.payment_id in alert and RU["card_why_wrong_amount"] in alert


@pytest.mark.parametrize("failure", [DeliveryFailed("down"), PaymentRefused("not now")])
def test_a_refund_that_fails_leaves_the_order_open_and_the_next_poll_refunds(
    world: World, failure: Exception
) -> None:
    order = _ordered(world)
    world.checkout.succeed(order.payment_id)
    world.checkout.tamper(order.payment_id, amount_minor=1)
    world.checkout.refund_failures.append(failure)  # type: ignore[arg-type]

    assert notify(world, order.payment_id) == 500  # YooKassa delivers it again later
    assert last_order(world, BUYER).state is OrderState.PENDING
    assert world.checkout.refunds == {}
    assert world.last_text(BUYER) != RU["card_rejected"]
    assert world.messenger.texts(ADMIN) == [
        RU["admin_card_refund_failed"].format(
            payment_id=order.payment_id, user_id=BUYER, reason=RU["card_why_wrong_amount"]
        )
    ]

    assert poll(world) == 1
    assert poll(world) == 0

    assert last_order(world, BUYER).state is OrderState.REJECTED
    assert world.checkout.refunds == {f"reject-{order.order_id}": (order.payment_id, 1)}
    assert _credits(world, order) == 0 and world.ledger.balance(UserId(BUYER)).paid == 0
    assert world.messenger.texts(BUYER).count(RU["card_rejected"]) == 1


def test_a_provider_that_cannot_be_asked_settles_nothing(world: World) -> None:
    order = _ordered(world)
    world.checkout.succeed(order.payment_id)
    world.checkout.failures.append(DeliveryFailed("down"))

    assert notify(world, order.payment_id) == 503

    assert last_order(world, BUYER).state is OrderState.PENDING
    assert _credits(world, order) == 0
    assert notify(world, order.payment_id) == 200 and _credits(world, order) == 1


def test_a_banned_buyers_payment_goes_back(world: World) -> None:
    order = _ordered(world)
    world.users.set_banned(UserId(BUYER), True)
    world.checkout.succeed(order.payment_id)

    assert notify(world, order.payment_id) == 200

    assert world.checkout.refunded_minor(order.payment_id) == 14900
    stored = last_order(world, BUYER)
    assert (stored.state, stored.reason) == (OrderState.REJECTED, "banned")
    assert _credits(world, order) == 0


def test_a_success_after_the_order_expired_is_still_credited_and_told(world: World) -> None:
    order = _ordered(world)
    world.clock.advance(timedelta(days=2, seconds=1).total_seconds())
    assert poll(world) == 0
    assert last_order(world, BUYER).state is OrderState.EXPIRED
    world.checkout.succeed(order.payment_id)

    assert notify(world, order.payment_id) == 200
    assert notify(world, order.payment_id) == 200

    assert _credits(world, order) == 1 and len(_told(world, BUYER, RECEIPT)) == 1
    assert last_order(world, BUYER).state is OrderState.EXPIRED


@pytest.mark.parametrize("expired_first", [False, True])
def test_a_payment_whose_order_never_got_it_is_attached_late_and_credited(
    world: World, expired_first: bool
) -> None:
    world.say(BUYER, "/start")
    world.checkout.failures.append(DeliveryFailed("the answer was lost"))
    order = order_by_card(world, BUYER)  # a NEW order: the buyer saw no link
    assert order.state is OrderState.NEW
    # ... but the provider had created the payment: its answer was lost on the way.
    payment = world.checkout.create_payment(order, description="d", return_url="u")
    if expired_first:
        world.clock.advance(11 * 60)
        poll(world)
        assert last_order(world, BUYER).state is OrderState.EXPIRED
    world.checkout.succeed(payment.payment_id)

    assert notify(world, payment.payment_id) == 200

    stored = last_order(world, BUYER)
    assert stored.state is (OrderState.EXPIRED if expired_first else OrderState.PAID)
    assert world.ledger.balance(UserId(BUYER)).paid == 10
    key = purchase_key(checkout_charge_id("yookassa", payment.payment_id))
    assert [t.key for t in world.ledger.transactions()].count(key) == 1
    assert len(_told(world, BUYER, RECEIPT)) == 1


def test_a_payment_the_provider_does_not_know_is_unknown(world: World) -> None:
    _ordered(world)
    missing = "2419a771-000f-5000-9000-1edaf29243f2"
    assert _settle(world).by_payment(missing).outcome is SettleOutcome.UNKNOWN
    assert notify(world, missing) == 404
    assert world.ledger.balance(UserId(BUYER)).paid == 0


def test_another_orders_payment_does_not_settle_this_order(world: World) -> None:
    first, second = _ordered(world), order_by_card(world, BUYER)
    world.checkout.succeed(second.payment_id)
    others = world.checkout.payments[second.payment_id]

    settling = _settle(world).settle(first, others)

    assert settling.outcome is SettleOutcome.NOT_OURS
    assert world.checkout_orders.get(first.order_id) == first
    assert world.ledger.balance(UserId(BUYER)).paid == 0


def test_a_payment_naming_no_order_of_ours_is_not_ours(world: World) -> None:
    world.say(BUYER, "/start")
    pack = Pack(10, 149, "RUB")
    stranger = CheckoutOrder("c" * 32, "yookassa", UserId(BUYER), BUYER, pack, world.clock.now())
    payment = world.checkout.create_payment(stranger, description="d", return_url="u")
    world.checkout.succeed(payment.payment_id)

    assert _settle(world).by_payment(payment.payment_id).outcome is SettleOutcome.NOT_OURS
    assert notify(world, payment.payment_id) == 200  # another system's: not ours to retry
    assert world.ledger.balance(UserId(BUYER)).paid == 0


def test_a_rejected_payment_stays_uncredited_when_its_reason_goes_away(world: World) -> None:
    order = _ordered(world)
    world.users.set_banned(UserId(BUYER), True)
    world.checkout.succeed(order.payment_id)
    assert notify(world, order.payment_id) == 200  # refunded, REJECTED
    world.users.set_banned(UserId(BUYER), False)

    assert notify(world, order.payment_id) == 200  # YooKassa delivers it once more

    assert _credits(world, order) == 0 and world.ledger.balance(UserId(BUYER)).paid == 0
    assert last_order(world, BUYER).state is OrderState.REJECTED


def test_a_payment_refunded_at_the_provider_before_it_was_credited_is_not_credited(
    world: World,
) -> None:
    order = _ordered(world)
    world.checkout.succeed(order.payment_id)
    world.checkout.refund(order.payment_id, amount_minor=14900, currency="RUB", key="by-hand")

    assert notify(world, order.payment_id) == 200

    assert _credits(world, order) == 0
    assert last_order(world, BUYER).state is OrderState.REJECTED


def test_a_late_payment_that_does_not_match_is_refunded_and_told(world: World) -> None:
    order = _ordered(world)
    world.clock.advance(timedelta(days=2, seconds=1).total_seconds())
    poll(world)  # given up: EXPIRED
    world.checkout.succeed(order.payment_id)
    world.checkout.tamper(order.payment_id, amount_minor=500)

    assert notify(world, order.payment_id) == 200
    assert notify(world, order.payment_id) == 200

    assert world.checkout.refunded_minor(order.payment_id) == 500 and _credits(world, order) == 0
    assert world.messenger.texts(BUYER).count(RU["card_rejected"]) == 1
    assert len(world.messenger.texts(ADMIN)) == 1


def test_a_late_payment_credited_once_is_not_refunded_when_its_buyer_is_banned_later(
    world: World,
) -> None:
    order = _ordered(world)
    world.clock.advance(timedelta(days=2, seconds=1).total_seconds())
    poll(world)  # given up: EXPIRED
    world.checkout.succeed(order.payment_id)
    assert notify(world, order.payment_id) == 200  # credited late
    world.users.set_banned(UserId(BUYER), True)

    assert notify(world, order.payment_id) == 200  # delivered once more

    # Pages and money are not both with the buyer: /refund is how an admin undoes a payment.
    assert _credits(world, order) == 1 and world.checkout.refunds == {}
