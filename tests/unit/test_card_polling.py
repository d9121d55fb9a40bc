"""PollCheckouts: open orders asked about in turn — a NEW order nobody could pay expires after
10 minutes, a PENDING one is given up after 2 days, and a provider that cannot be asked ends the
round (the rest would fail the same way). And the paths racing one another credit once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

from paintcore.domain.checkout import CheckoutOrder, OrderState, checkout_charge_id
from paintcore.domain.credits import purchase_key
from paintcore.domain.errors import DeliveryFailed
from paintcore.domain.users import UserId
from paintcore.usecases import PollCheckouts, SettleCheckout
from paintcore.usecases.poll_checkouts import NEW_ORDER_GRACE, PENDING_GIVE_UP
from support.card_shop import check, order_by_card, poll
from support.world import World

BUYER, OTHER = 1, 2
RECEIPT = "Оплата получена, спасибо!"


def _poller(world: World) -> PollCheckouts:
    poller = world.container.poll_checkouts()
    assert poller is not None
    return poller


def _stored(world: World, order: CheckoutOrder) -> CheckoutOrder:
    found = world.checkout_orders.get(order.order_id)
    assert found is not None
    return found


def _never_created(world: World, uid: int = BUYER) -> CheckoutOrder:
    world.say(uid, "/start")
    world.checkout.failures.append(DeliveryFailed("down"))
    return order_by_card(world, uid)


def test_a_new_order_expires_after_ten_minutes_and_not_before(world: World) -> None:
    order = _never_created(world)
    world.clock.advance((NEW_ORDER_GRACE - timedelta(seconds=1)).total_seconds())
    assert _poller(world)() == []
    assert _stored(world, order).state is OrderState.NEW

    world.clock.advance(1)
    assert _poller(world)() == []  # nobody saw a link: nobody is told

    stored = _stored(world, order)
    assert (stored.state, stored.reason) == (OrderState.EXPIRED, "not_created")
    assert world.checkout.calls == 1  # the failed create only: a NEW order is never asked about


def test_a_pending_order_is_given_up_after_two_days_and_not_before(world: World) -> None:
    world.say(BUYER, "/start")
    order = order_by_card(world, BUYER)
    world.clock.advance((PENDING_GIVE_UP - timedelta(seconds=1)).total_seconds())
    poll(world)
    assert _stored(world, order).state is OrderState.PENDING

    world.clock.advance(1)
    poll(world)

    stored = _stored(world, order)
    assert (stored.state, stored.reason) == (OrderState.EXPIRED, "not_paid")


def test_a_provider_that_cannot_be_asked_ends_the_round(world: World) -> None:
    for uid in (BUYER, OTHER):
        world.say(uid, "/start")
    first, second = order_by_card(world, BUYER), order_by_card(world, OTHER)
    for order in (first, second):
        world.checkout.succeed(order.payment_id)
    calls = world.checkout.calls
    world.checkout.failures.append(DeliveryFailed("down"))

    assert poll(world) == 0

    assert world.checkout.calls == calls + 1  # one failed question, then the round ended
    assert {_stored(world, o).state for o in (first, second)} == {OrderState.PENDING}
    assert poll(world) == 2  # the next round settles both


def test_an_old_order_is_still_credited_when_the_provider_says_it_was_paid(world: World) -> None:
    world.say(BUYER, "/start")
    order = order_by_card(world, BUYER)
    world.checkout.succeed(order.payment_id)
    world.clock.advance(PENDING_GIVE_UP.total_seconds() + 60)

    assert poll(world) == 1

    assert _stored(world, order).state is OrderState.PAID


def test_the_poller_asks_only_open_orders_of_its_provider(world: World) -> None:
    world.say(BUYER, "/start")
    order = order_by_card(world, BUYER)
    world.checkout.cancel(order.payment_id)
    poll(world)
    calls = world.checkout.calls

    assert poll(world) == 0 and world.checkout.calls == calls


def test_notification_poller_and_button_racing_credit_once_and_tell_once(world: World) -> None:
    world.say(BUYER, "/start")
    order = order_by_card(world, BUYER)
    world.checkout.succeed(order.payment_id)
    settle = world.container.settle_checkout()
    cards = world.container.card_payments()
    assert isinstance(settle, SettleCheckout) and cards is not None

    def notification() -> None:
        cards.announce(settle.by_payment(order.payment_id))

    def button() -> None:
        check(world, BUYER, order.order_id)

    racers: list[Callable[[], object]] = [notification, lambda: poll(world), button] * 4
    gate = threading.Barrier(len(racers))
    errors: list[BaseException] = []

    def run(racer: Callable[[], object]) -> None:
        gate.wait()
        try:
            racer()
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(r,)) for r in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert errors == []
    key = purchase_key(checkout_charge_id("yookassa", order.payment_id))
    assert [t.key for t in world.ledger.transactions()].count(key) == 1
    assert world.ledger.balance(UserId(BUYER)).paid == 10
    assert sum(1 for t in world.messenger.texts(BUYER) if t.startswith(RECEIPT)) == 1
