"""Any interleaving of payment deliveries (duplicated, reordered, lost), reconciliations, refunds,
failing refunds and page spends keeps the shop's promises: each charge credited at most once and
refunded at most once, no balance below zero, pages never taken without the money going back,
and, once the provider answers again, no money kept for a payment that was not credited."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from paintcore.domain.credits import purchase_key
from paintcore.domain.errors import DeliveryFailed, PaymentRefused
from paintcore.domain.payments import refund_key
from paintcore.domain.users import UserId
from support.shop import payload, take
from support.world import ADMIN, World, build_world

USERS = (1, 2)


@dataclass(frozen=True)
class Bought:
    user: int
    honoured: bool  # a payload as our invoice wrote it, or a forged one


action = st.one_of(
    st.tuples(st.just("deliver"), st.integers(0, 3)),
    st.tuples(st.just("reconcile"), st.just(0)),
    st.tuples(st.just("refund"), st.integers(0, 3), st.booleans()),
    st.tuples(st.just("spend"), st.sampled_from(USERS)),
    st.tuples(st.just("refund_fails"), st.booleans()),
)


def _charge(i: int) -> str:
    return f"charge-{i}"


def _keys(world: World, key: str) -> int:
    return sum(1 for t in world.ledger.transactions() if t.key == key)


def _check(world: World, bought: list[Bought]) -> None:
    for i, _ in enumerate(bought):
        charge = _charge(i)
        assert _keys(world, purchase_key(charge)) <= 1
        assert _keys(world, refund_key(charge)) <= 1
        assert sum(1 for _, c in world.gateway.refunds if c == charge) <= 1
        if _keys(world, refund_key(charge)):  # pages taken back only with the money back
            assert world.gateway.refunded(charge)
    for uid in USERS:
        balance = world.ledger.balance(UserId(uid))
        assert min(balance.free, balance.paid, balance.held) >= 0


@settings(max_examples=60, deadline=None)
@given(
    bought=st.lists(
        st.builds(Bought, st.sampled_from(USERS), st.booleans()), min_size=1, max_size=4
    ),
    actions=st.lists(action, max_size=25),
)
def test_any_interleaving_credits_once_refunds_once_and_keeps_no_money(
    bought: list[Bought], actions: list[tuple[object, ...]]
) -> None:
    world = build_world(free_credits=1)
    for uid in USERS:
        world.say(uid, "/start")
    # The provider took every payment; whether and when its update arrives is the schedule's.
    updates = [
        take(
            world,
            b.user,
            _charge(i),
            text=payload(b.user) if b.honoured else f"pack:10:50:XTR:{b.user + 100}",
        )
        for i, b in enumerate(bought)
    ]
    for act in actions:
        kind, arg = act[0], act[1]
        if kind == "deliver":
            i = int(arg) % len(bought)  # type: ignore[call-overload]
            world.dialog.handle_payment(updates[i])
        elif kind == "reconcile":
            world.container.reconcile_payments()()
        elif kind == "refund":
            i = int(arg) % len(bought)  # type: ignore[call-overload]
            world.say(ADMIN, f"/refund {_charge(i)}" + (" force" if act[2] else ""))
        elif kind == "spend":
            world.say(int(arg), "Получить раскраску")  # type: ignore[call-overload]
            world.say(int(arg), "кот в шляпе")  # type: ignore[call-overload]
            world.queue.run_pending()
        else:
            failure = PaymentRefused("CHARGE_NOT_FOUND") if arg else DeliveryFailed("down")
            world.gateway.refund_failures.append(failure)
        _check(world, bought)

    # The provider answers again: one reconciliation settles everything still open.
    world.gateway.refund_failures.clear()
    world.container.reconcile_payments()()
    _check(world, bought)
    for i, b in enumerate(bought):
        credited = _keys(world, purchase_key(_charge(i))) == 1
        assert credited or world.gateway.refunded(_charge(i)), "money kept, nothing credited"
        assert not (credited and not b.honoured), "a forged payment was credited"
