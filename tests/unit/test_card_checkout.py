"""StartCheckout: an order is stored before the provider is asked, so a failure or a crash in
between leaves an order nobody could pay and nothing credited; a banned or unknown buyer, or a
pack not on sale, gets no order at all."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest

from adapters.memory import InMemoryCheckoutGateway, InMemoryCheckoutOrders
from paintcore.domain.checkout import CheckoutOrder, CheckoutPayment, OrderState, Receipt
from paintcore.domain.credits import Balance
from paintcore.domain.errors import DeliveryFailed, PaintError, PaymentRefused
from paintcore.domain.payments import Pack
from paintcore.domain.users import UserId
from paintcore.usecases import Checkout, CheckoutStart, StartCheckout
from support.world import World

BUYER = 1


def _start(world: World, **changes: object) -> StartCheckout:
    start = world.container.start_checkout()
    assert isinstance(start, StartCheckout), "YooKassa is on in the unit-test world"
    return replace(start, **changes)  # type: ignore[arg-type]


def _checkout(start: StartCheckout, pages: int = 10, buyer: int = BUYER) -> Checkout:
    return start(buyer=UserId(buyer), chat_id=buyer, pages=pages, description="10 раскрасок")


@dataclass
class SeeingGateway(InMemoryCheckoutGateway):
    """Notes what storage held of each order at the moment its payment was asked for."""

    orders: InMemoryCheckoutOrders | None = None
    stored_when_asked: list[CheckoutOrder | None] = field(default_factory=list)

    def create_payment(
        self,
        order: CheckoutOrder,
        *,
        description: str,
        return_url: str,
        receipt: Receipt | None = None,
    ) -> CheckoutPayment:
        assert self.orders is not None
        self.stored_when_asked.append(self.orders.get(order.order_id))
        return super().create_payment(
            order, description=description, return_url=return_url, receipt=receipt
        )


def test_the_packs_on_sale_are_the_default_rouble_packs(world: World) -> None:
    assert _start(world).packs == (
        Pack(10, 149, "RUB"),
        Pack(30, 399, "RUB"),
        Pack(100, 990, "RUB"),
    )


def test_a_checkout_stores_the_order_before_asking_and_attaches_the_payment(world: World) -> None:
    world.say(BUYER, "/start")
    gateway = SeeingGateway(orders=world.checkout_orders)
    start = _start(world, gateway=gateway)

    done = start(buyer=UserId(BUYER), chat_id=BUYER, pages=30, description="30 раскрасок")

    assert done.outcome is CheckoutStart.READY and done.order is not None
    [seen] = gateway.stored_when_asked
    assert seen is not None and seen.state is OrderState.NEW and seen.payment_id == ""
    order = world.checkout_orders.get(done.order.order_id)
    payment = gateway.payments[gateway.created[done.order.order_id]]
    assert order == done.order
    assert (order.state, order.payment_id, order.confirmation_url) == (
        OrderState.PENDING,
        payment.payment_id,
        payment.confirmation_url,
    )
    assert (order.user_id, order.chat_id, order.pack) == (BUYER, BUYER, Pack(30, 399, "RUB"))
    assert (payment.amount_minor, payment.currency, payment.order_id) == (
        39900,
        "RUB",
        seen.order_id,
    )


@pytest.mark.parametrize(
    "failure", [DeliveryFailed("YooKassa is down"), PaymentRefused("invalid_credentials")]
)
def test_a_payment_the_provider_does_not_create_leaves_a_new_order_and_nothing_credited(
    world: World, failure: PaintError
) -> None:
    world.say(BUYER, "/start")
    world.checkout.failures.append(failure)

    done = _checkout(_start(world))

    assert done.outcome is CheckoutStart.UNAVAILABLE and done.order is not None
    [order] = world.checkout_orders.of_user(UserId(BUYER))
    assert (order.state, order.payment_id, order.confirmation_url) == (OrderState.NEW, "", "")
    assert world.checkout.payments == {}
    assert world.ledger.balance(UserId(BUYER)) == Balance(free=10)


def test_asking_again_for_the_same_order_gets_the_same_payment(world: World) -> None:
    world.say(BUYER, "/start")
    start = _start(world, new_id=lambda: "a" * 32)
    first = start(buyer=UserId(BUYER), chat_id=BUYER, pages=10, description="d")
    order = world.checkout_orders.get("a" * 32)
    assert first.outcome is CheckoutStart.READY and order is not None

    again = world.checkout.create_payment(order, description="d", return_url="https://t.me")

    assert again.payment_id == order.payment_id and len(world.checkout.payments) == 1


def test_a_second_checkout_with_a_reused_order_id_is_not_ready(world: World) -> None:
    world.say(BUYER, "/start")
    start = _start(world, new_id=lambda: "b" * 32)
    assert _checkout(start).outcome is CheckoutStart.READY
    assert _checkout(start).outcome is CheckoutStart.UNAVAILABLE
    assert len(world.checkout_orders.of_user(UserId(BUYER))) == 1


def test_a_banned_buyer_gets_no_order_and_the_provider_is_not_asked(world: World) -> None:
    world.say(BUYER, "/start")
    world.users.set_banned(UserId(BUYER), True)

    assert _checkout(_start(world)).outcome is CheckoutStart.REFUSED

    assert world.checkout_orders.of_user(UserId(BUYER)) == []
    assert world.checkout.calls == 0


def test_an_unknown_buyer_gets_no_order(world: World) -> None:
    assert _checkout(_start(world), buyer=77).outcome is CheckoutStart.REFUSED
    assert world.checkout_orders.by_id == {} and world.checkout.calls == 0


@pytest.mark.parametrize("pages", [0, 11, 50, 99999])
def test_a_pack_not_on_sale_is_no_checkout(world: World, pages: int) -> None:
    world.say(BUYER, "/start")

    done = _checkout(_start(world), pages=pages)

    assert done.outcome is CheckoutStart.NO_PACK and done.order is None
    assert world.checkout_orders.by_id == {} and world.checkout.calls == 0


def test_a_receipt_goes_with_the_payment_only_when_a_receipt_email_is_set(world: World) -> None:
    world.say(BUYER, "/start")
    _checkout(_start(world))
    assert world.checkout.receipts == []

    _checkout(_start(world, receipt_email="shop@example.com"))

    [receipt] = world.checkout.receipts
    assert (receipt.email, receipt.description) == ("shop@example.com", "10 раскрасок")


def test_each_checkout_is_a_new_order_with_its_own_payment(world: World) -> None:
    world.say(BUYER, "/start")
    start = _start(world)
    first, second = _checkout(start), _checkout(start)
    assert first.order is not None and second.order is not None
    ids = {first.order.order_id, second.order.order_id}
    assert len(ids) == 2 and len(world.checkout.payments) == 2
