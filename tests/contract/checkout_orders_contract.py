"""The CheckoutOrders contract, storing and reading (its moves: checkout_order_moves_contract.py),
run against every store (subclasses provide `checkout_orders`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from paintcore.domain.checkout import CheckoutOrder, OrderState
from paintcore.domain.payments import Pack
from paintcore.domain.users import UserId
from paintcore.ports import CheckoutOrders

ANNA = UserId(1)
BORIS = UserId(2)
PLACED_AT = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)
URL = "https://yoomoney.ru/checkout/payments/v2/contract?orderId=p-1"


def order_id(n: int) -> str:
    return f"{n:032x}"  # uuid4().hex's shape


def an_order(n: int = 1, user_id: UserId = ANNA, **changes: object) -> CheckoutOrder:
    fields: dict[str, object] = {
        "order_id": order_id(n),
        "provider": "yookassa",
        "user_id": user_id,
        "chat_id": 100 + int(user_id),
        "pack": Pack(30, 149, "RUB"),
        "created_at": PLACED_AT,
    }
    fields.update(changes)
    return CheckoutOrder(**fields)  # type: ignore[arg-type]


def later(seconds: float) -> datetime:
    return PLACED_AT + timedelta(seconds=seconds)


def pending(orders: CheckoutOrders, n: int = 1, payment_id: str = "p-1") -> CheckoutOrder:
    """An added order given its payment: what most moves start from."""
    orders.add(an_order(n))
    moved = orders.attach(order_id(n), payment_id=payment_id, confirmation_url=URL, at=later(5))
    assert moved is not None
    return moved


class CheckoutOrdersContract:
    """Orders stored once per id and read back as stored, by id, payment, openness or buyer."""

    def test_an_added_order_reads_back_unchanged(self, checkout_orders: CheckoutOrders) -> None:
        new = an_order(1)
        full = an_order(
            2,
            BORIS,
            chat_id=-1001234567890,  # a group's chat id: negative, beyond 32 bits
            pack=Pack(100, 350, "RUB"),
            state=OrderState.REJECTED,
            payment_id="2f1b3c4d-000f-5000-9000-1b2c3d4e5f60",
            confirmation_url=URL,
            updated_at=later(61.000001),
            reason="amount differs",
        )

        assert checkout_orders.add(new) is True
        assert checkout_orders.add(full) is True

        assert checkout_orders.get(order_id(1)) == new
        assert checkout_orders.get(order_id(2)) == full
        assert checkout_orders.get(order_id(3)) is None

    def test_times_read_back_as_the_same_aware_instants(
        self, checkout_orders: CheckoutOrders
    ) -> None:
        moscow = timezone(timedelta(hours=3))
        checkout_orders.add(
            an_order(created_at=PLACED_AT.astimezone(moscow), updated_at=later(0.000001))
        )

        found = checkout_orders.get(order_id(1))

        assert found is not None and found.created_at == PLACED_AT
        assert found.updated_at == later(0.000001)
        assert found.created_at.utcoffset() is not None

    def test_an_order_is_stored_once_per_id(self, checkout_orders: CheckoutOrders) -> None:
        first = an_order()
        checkout_orders.add(first)

        assert checkout_orders.add(replace(first, user_id=BORIS, pack=Pack(1, 1, "RUB"))) is False

        assert checkout_orders.get(order_id(1)) == first
        assert checkout_orders.of_user(BORIS) == []

    def test_by_payment_finds_the_order_holding_a_payment(
        self, checkout_orders: CheckoutOrders
    ) -> None:
        order = pending(checkout_orders, 1, "p-1")
        checkout_orders.add(an_order(2))  # new: no payment yet

        assert checkout_orders.by_payment("yookassa", "p-1") == order
        assert checkout_orders.by_payment("stars", "p-1") is None
        assert checkout_orders.by_payment("yookassa", "p-2") is None
        assert checkout_orders.by_payment("yookassa", "") is None  # "" names no payment

    def test_open_orders_are_the_providers_open_ones_oldest_first(
        self, checkout_orders: CheckoutOrders
    ) -> None:
        for n, seconds in ((1, 30), (2, 10), (3, 20), (4, 5), (5, 40)):
            checkout_orders.add(an_order(n, created_at=later(seconds)))
        checkout_orders.add(an_order(6, provider="other", created_at=later(1)))
        checkout_orders.attach(order_id(3), payment_id="p-3", confirmation_url=URL, at=later(50))
        checkout_orders.settle(order_id(4), state=OrderState.EXPIRED, at=later(50))

        found = checkout_orders.open_orders(provider="yookassa")

        assert [o.order_id for o in found] == [order_id(n) for n in (2, 3, 1, 5)]
        assert found[1].state is OrderState.PENDING
        assert [o.order_id for o in checkout_orders.open_orders(provider="yookassa", limit=2)] == [
            order_id(2),
            order_id(3),
        ]
        assert checkout_orders.open_orders(provider="yookassa", limit=0) == []
        assert checkout_orders.open_orders(provider="other") == [
            an_order(6, provider="other", created_at=later(1))
        ]
        assert checkout_orders.open_orders(provider="stars") == []

    def test_of_user_lists_the_users_orders_newest_first(
        self, checkout_orders: CheckoutOrders
    ) -> None:
        for n, (user, seconds) in enumerate(((ANNA, 10), (BORIS, 20), (ANNA, 30), (ANNA, 5))):
            checkout_orders.add(an_order(n, user, created_at=later(seconds)))
        checkout_orders.settle(order_id(2), state=OrderState.CANCELED, at=later(60))

        assert [o.order_id for o in checkout_orders.of_user(ANNA)] == [
            order_id(n) for n in (2, 0, 3)
        ]
        assert [o.order_id for o in checkout_orders.of_user(ANNA, limit=2)] == [
            order_id(2),
            order_id(0),
        ]
        assert checkout_orders.of_user(ANNA, limit=0) == []
        assert [o.order_id for o in checkout_orders.of_user(BORIS)] == [order_id(1)]
        assert checkout_orders.of_user(UserId(9)) == []
