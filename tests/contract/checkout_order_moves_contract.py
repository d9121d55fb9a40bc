"""The CheckoutOrders contract, moves: NEW -> PENDING (`attach`) -> a final state (`settle`), each
once, however many callers race (subclasses provide `checkout_orders`)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from contract.checkout_orders_contract import URL, an_order, later, order_id, pending
from contract.racing import race
from paintcore.domain.checkout import CheckoutOrder, OrderState
from paintcore.ports import CheckoutOrders

FINAL = [s for s in OrderState if not s.open]


def attached(order: CheckoutOrder, payment_id: str = "p-1", at: float = 5) -> CheckoutOrder:
    return replace(
        order,
        state=OrderState.PENDING,
        payment_id=payment_id,
        confirmation_url=URL,
        updated_at=later(at),
    )


class CheckoutOrderMovesContract:
    """Each move is one guarded write: the first caller moves the order, the others change nothing."""

    def test_attach_gives_a_new_order_its_payment(self, checkout_orders: CheckoutOrders) -> None:
        checkout_orders.add(an_order())

        moved = checkout_orders.attach(
            order_id(1), payment_id="p-1", confirmation_url=URL, at=later(5)
        )

        assert moved == attached(an_order())
        assert checkout_orders.get(order_id(1)) == moved

    def test_attaching_the_same_payment_again_returns_the_order_unchanged(
        self, checkout_orders: CheckoutOrders
    ) -> None:
        first = pending(checkout_orders)

        again = checkout_orders.attach(
            order_id(1), payment_id="p-1", confirmation_url=URL + "&again", at=later(9)
        )

        assert again == first
        assert checkout_orders.get(order_id(1)) == first

    def test_attach_refuses_another_payment(self, checkout_orders: CheckoutOrders) -> None:
        first = pending(checkout_orders)

        assert (
            checkout_orders.attach(order_id(1), payment_id="p-2", confirmation_url=URL, at=later(9))
            is None
        )
        assert checkout_orders.get(order_id(1)) == first
        assert checkout_orders.by_payment("yookassa", "p-2") is None

    def test_attach_refuses_a_payment_another_order_holds(
        self, checkout_orders: CheckoutOrders
    ) -> None:
        holder = pending(checkout_orders, 1, "p-1")
        checkout_orders.add(an_order(2))

        assert (
            checkout_orders.attach(order_id(2), payment_id="p-1", confirmation_url=URL, at=later(9))
            is None
        )
        assert checkout_orders.get(order_id(2)) == an_order(2)
        assert checkout_orders.by_payment("yookassa", "p-1") == holder

    def test_attach_to_an_unknown_order_is_none(self, checkout_orders: CheckoutOrders) -> None:
        assert (
            checkout_orders.attach(order_id(9), payment_id="p-1", confirmation_url=URL, at=later(1))
            is None
        )
        assert checkout_orders.get(order_id(9)) is None

    def test_attach_leaves_a_final_order_alone(self, checkout_orders: CheckoutOrders) -> None:
        checkout_orders.add(an_order(1))
        expired = checkout_orders.settle(order_id(1), state=OrderState.EXPIRED, at=later(60))
        pending(checkout_orders, 2, "p-2")
        paid = checkout_orders.settle(order_id(2), state=OrderState.PAID, at=later(60))

        for n, payment_id in ((1, "p-1"), (2, "p-2"), (2, "p-3")):
            moved = checkout_orders.attach(
                order_id(n), payment_id=payment_id, confirmation_url=URL, at=later(90)
            )
            assert moved is None, (n, payment_id)
        assert checkout_orders.get(order_id(1)) == expired
        assert checkout_orders.get(order_id(2)) == paid

    @pytest.mark.parametrize("state", FINAL, ids=str)
    def test_settle_moves_an_open_order_to_a_final_state_once(
        self, checkout_orders: CheckoutOrders, state: OrderState
    ) -> None:
        checkout_orders.add(an_order(1))
        before = pending(checkout_orders, 2)

        settled_new = checkout_orders.settle(order_id(1), state=state, at=later(60), reason="r1")
        settled = checkout_orders.settle(order_id(2), state=state, at=later(61), reason="r2")

        assert settled_new == replace(an_order(1), state=state, updated_at=later(60), reason="r1")
        assert settled == replace(before, state=state, updated_at=later(61), reason="r2")
        assert checkout_orders.get(order_id(2)) == settled
        assert (
            checkout_orders.settle(order_id(2), state=OrderState.CANCELED, at=later(90), reason="x")
            is None
        )
        assert checkout_orders.get(order_id(2)) == settled

    def test_settle_of_an_unknown_order_is_none(self, checkout_orders: CheckoutOrders) -> None:
        assert checkout_orders.settle(order_id(9), state=OrderState.PAID, at=later(1)) is None
        assert checkout_orders.get(order_id(9)) is None

    @pytest.mark.parametrize("state", [OrderState.NEW, OrderState.PENDING], ids=str)
    def test_settle_refuses_a_state_that_is_not_final(
        self, checkout_orders: CheckoutOrders, state: OrderState
    ) -> None:
        before = pending(checkout_orders)

        with pytest.raises(ValueError):
            checkout_orders.settle(order_id(1), state=state, at=later(60))

        assert checkout_orders.get(order_id(1)) == before

    def test_racing_settles_move_an_order_once(self, checkout_orders: CheckoutOrders) -> None:
        pending(checkout_orders)

        def settle(i: int) -> CheckoutOrder | None:
            state = OrderState.PAID if i % 2 == 0 else OrderState.CANCELED
            return checkout_orders.settle(order_id(1), state=state, at=later(i), reason=f"r{i}")

        outcomes = race(8, settle)

        winners = [o for o in outcomes if isinstance(o, CheckoutOrder)]
        assert len(winners) == 1 and outcomes.count(None) == 7
        assert checkout_orders.get(order_id(1)) == winners[0]
        i = outcomes.index(winners[0])
        assert winners[0].state is (OrderState.PAID if i % 2 == 0 else OrderState.CANCELED)
        assert (winners[0].reason, winners[0].updated_at) == (f"r{i}", later(i))

    def test_racing_attaches_give_an_order_one_payment(
        self, checkout_orders: CheckoutOrders
    ) -> None:
        checkout_orders.add(an_order())

        outcomes = race(
            8,
            lambda i: checkout_orders.attach(
                order_id(1), payment_id=f"p-{i % 4}", confirmation_url=URL, at=later(i)
            ),
        )

        stored = checkout_orders.get(order_id(1))
        assert stored is not None and stored.state is OrderState.PENDING
        # One payment won; the racers that brought it get the order, the others None.
        answered = {i for i, outcome in enumerate(outcomes) if outcome is not None}
        assert answered == {i for i in range(8) if f"p-{i % 4}" == stored.payment_id}
        assert all(outcomes[i] == stored for i in answered)
