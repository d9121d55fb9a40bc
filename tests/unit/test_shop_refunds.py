"""/refund and reconciliation: money back once, pages back as far as left, lost updates credited."""

from __future__ import annotations

from datetime import timedelta

from paintcore.dialog import Shop
from paintcore.dialog.texts import CATALOGS
from paintcore.domain.credits import Balance
from paintcore.domain.errors import DeliveryFailed, PaymentRefused
from paintcore.domain.payments import Payment, PaymentState, SettledCharge, refund_key
from paintcore.domain.users import UserId
from support.shop import pay, payload, take
from support.world import ADMIN, World, build_world

RU = CATALOGS["ru"]
BUYER = 1


def _bought(world: World, charge: str = "charge-1") -> None:
    world.say(BUYER, "/start")
    pay(world, BUYER, charge)


def _spend(world: World, pages: int) -> None:
    for i in range(pages):
        world.say(BUYER, "Получить раскраску")
        world.say(BUYER, f"кот номер {i}")
        world.queue.run_pending()


def _payment(world: World, charge: str = "charge-1") -> Payment:
    found = world.container.payments().get(charge)
    assert found is not None
    return found


def test_a_refund_with_the_pages_unspent_gives_money_and_pages_back(world: World) -> None:
    _bought(world)
    world.say(ADMIN, "/refund charge-1")

    assert world.gateway.refunds == [(UserId(BUYER), "charge-1")]
    assert world.ledger.balance(UserId(BUYER)) == Balance(free=10, paid=0)
    assert world.last_text(ADMIN) == RU["refund_done"].format(
        charge_id="charge-1", amount=50, currency="XTR", taken=10, shortfall=0
    )
    assert world.last_text(BUYER) == RU["payment_refunded_to_user"].format(amount=50, taken=10)
    payment = _payment(world)
    assert payment.state is PaymentState.REFUNDED and payment.refunded_pages == 10


def test_a_refund_twice_refunds_once_and_says_so(world: World) -> None:
    _bought(world)
    world.say(ADMIN, "/refund charge-1")
    world.say(ADMIN, "/refund charge-1 force")
    assert len(world.gateway.refunds) == 1
    assert world.last_text(ADMIN) == RU["refund_already"].format(
        charge_id="charge-1", taken=10, shortfall=0
    )
    assert world.ledger.balance(UserId(BUYER)).paid == 0


def test_a_partly_spent_pack_is_refused_with_what_is_left() -> None:
    world = build_world(free_credits=0)
    _bought(world)
    _spend(world, 3)

    world.say(ADMIN, "/refund charge-1")

    assert world.gateway.refunds == []
    assert world.last_text(ADMIN) == RU["refund_too_few"].format(
        user_id=BUYER, left=7, pages=10, charge_id="charge-1"
    )
    assert world.ledger.balance(UserId(BUYER)) == Balance(paid=7)
    assert _payment(world).state is PaymentState.PAID


def test_a_forced_refund_takes_what_is_left_and_records_the_shortfall() -> None:
    world = build_world(free_credits=0)
    _bought(world)
    _spend(world, 3)

    world.say(ADMIN, "/refund charge-1 FORCE")

    assert world.gateway.refunds == [(UserId(BUYER), "charge-1")]
    assert world.ledger.balance(UserId(BUYER)) == Balance(paid=0)
    payment = _payment(world)
    assert (payment.refunded_pages, payment.shortfall) == (7, 3)
    assert "уже потрачено: 3" in world.last_text(ADMIN)


def test_a_forced_refund_of_a_pack_spent_entirely_never_goes_below_zero() -> None:
    world = build_world(free_credits=0)
    _bought(world)
    _spend(world, 10)
    world.say(ADMIN, "/refund charge-1 force")
    assert world.ledger.balance(UserId(BUYER)) == Balance()
    assert _payment(world).shortfall == 10


def test_an_unknown_charge_is_answered_plainly_and_changes_nothing(world: World) -> None:
    _bought(world)
    world.say(ADMIN, "/refund nosuch")
    assert world.last_text(ADMIN) == RU["refund_unknown"].format(charge_id="nosuch")
    assert world.gateway.refunds == [] and world.ledger.balance(UserId(BUYER)).paid == 10


def test_another_providers_charge_is_not_refunded_here() -> None:
    world = build_world(cards=False)  # YooKassa off: its payments have no way back from here
    world.container.payments().add(
        Payment("yk-1", "yookassa", UserId(BUYER), 10, 100, "RUB", world.clock.now())
    )
    world.say(ADMIN, "/refund yk-1")
    assert world.last_text(ADMIN) == RU["refund_foreign"].format(
        charge_id="yk-1", provider="yookassa"
    )
    assert world.gateway.refunds == [] and world.checkout.refunds == {}


def test_refund_without_a_charge_or_with_extra_words_shows_the_usage(world: World) -> None:
    for text in ("/refund", "/refund a b", "/refund a force now"):
        world.say(ADMIN, text)
        assert world.last_text(ADMIN) == RU["refund_usage"]


def test_refund_from_a_non_admin_is_an_unknown_command_and_changes_nothing(world: World) -> None:
    _bought(world)
    world.say(BUYER, "/refund charge-1 force")
    assert world.last_text(BUYER) == RU["unknown_command"]
    assert world.gateway.refunds == [] and world.ledger.balance(UserId(BUYER)).paid == 10


def test_a_refund_the_provider_refuses_changes_nothing(world: World) -> None:
    _bought(world)
    world.gateway.refund_failures.append(PaymentRefused("CHARGE_NOT_FOUND"))
    world.say(ADMIN, "/refund charge-1")
    assert "CHARGE_NOT_FOUND" in world.last_text(ADMIN)
    assert world.ledger.balance(UserId(BUYER)).paid == 10
    assert _payment(world).state is PaymentState.PAID


def test_a_refund_that_could_not_ask_changes_nothing_and_can_be_run_again(world: World) -> None:
    _bought(world)
    world.gateway.refund_failures.append(DeliveryFailed("timeout"))
    world.say(ADMIN, "/refund charge-1")
    assert world.ledger.balance(UserId(BUYER)).paid == 10
    world.say(ADMIN, "/refund charge-1")
    assert world.ledger.balance(UserId(BUYER)).paid == 0 and len(world.gateway.refunds) == 1


def test_a_refund_stopped_after_the_money_went_back_is_finished_by_a_second_run(
    world: World,
) -> None:
    _bought(world)
    # The provider refunded, then the process died before the ledger's side.
    world.gateway.refund(user_id=UserId(BUYER), charge_id="charge-1")
    world.say(ADMIN, "/refund charge-1")
    assert world.ledger.balance(UserId(BUYER)).paid == 0
    assert _payment(world).state is PaymentState.REFUNDED
    keys = [t.key for t in world.ledger.transactions(UserId(BUYER))]
    assert keys.count(refund_key("charge-1")) == 1


# --- reconciliation ----------------------------------------------------------------------------


def test_reconciliation_credits_a_payment_whose_update_was_lost_once(world: World) -> None:
    world.say(BUYER, "/start")
    take(world, BUYER, "lost-1")  # the money was taken; the update never arrived
    first = world.container.reconcile_payments()()
    second = world.container.reconcile_payments()()

    assert world.ledger.balance(UserId(BUYER)).paid == 10
    assert (first.seen, len(first.credited), second.seen, second.known) == (1, 1, 1, 1)
    assert not second.needs_attention
    world.dialog.group(Shop).announce(first)
    assert world.messenger.texts(BUYER)[-1].startswith("Оплата получена")
    assert "засчитано потерянных 1" in world.messenger.texts(ADMIN)[-1]


def test_a_lost_update_arriving_after_reconciliation_credits_nothing_more(world: World) -> None:
    world.say(BUYER, "/start")
    late = take(world, BUYER, "lost-1")
    world.container.reconcile_payments()()
    world.dialog.handle_payment(late)
    assert world.ledger.balance(UserId(BUYER)).paid == 10


def test_reconciliation_refunds_a_lost_payment_that_cannot_be_honoured(world: World) -> None:
    world.say(BUYER, "/start")
    take(world, BUYER, "lost-x", text="pack:7:1:XTR:1")
    report = world.container.reconcile_payments()()
    assert world.gateway.refunded("lost-x") and len(report.refunded) == 1
    assert world.ledger.balance(UserId(BUYER)).paid == 0


def test_reconciliation_reports_a_refund_made_outside_the_bot_and_changes_nothing(
    world: World,
) -> None:
    _bought(world)
    world.gateway.refund(user_id=UserId(BUYER), charge_id="charge-1")  # by hand, elsewhere
    report = world.container.reconcile_payments()()

    assert [p.charge_id for p in report.refunded_outside] == ["charge-1"]
    assert world.ledger.balance(UserId(BUYER)).paid == 10
    world.dialog.group(Shop).announce(report)
    assert "/refund charge-1 force" in world.messenger.texts(ADMIN)[-2]


def test_reconciliation_skips_a_payment_refunded_before_the_bot_heard_of_it(world: World) -> None:
    world.say(BUYER, "/start")
    take(world, BUYER, "gone-1")
    world.gateway.refund(user_id=UserId(BUYER), charge_id="gone-1")
    report = world.container.reconcile_payments()()
    assert report.credited == [] and world.ledger.balance(UserId(BUYER)).paid == 0


def test_reconciliation_looks_back_48_hours_only(world: World) -> None:
    world.say(BUYER, "/start")
    world.gateway.settled_charges.append(
        SettledCharge(
            "old-1",
            UserId(BUYER),
            50,
            "XTR",
            payload(BUYER),
            world.clock.now() - timedelta(hours=49),
        )
    )
    assert world.container.reconcile_payments()().seen == 0


def test_the_recovery_ticker_reconciles_payments_when_due(world: World) -> None:
    from entrypoints.recovery import start_recovery

    world.say(BUYER, "/start")
    take(world, BUYER, "lost-1")
    start_recovery(world.container, world.container.settings(), reconcile_every=timedelta(0)).stop()
    assert world.ledger.balance(UserId(BUYER)).paid == 10
    assert world.messenger.texts(BUYER)[-1].startswith("Оплата получена")


def test_the_recovery_ticker_waits_an_hour_before_the_first_reconciliation(world: World) -> None:
    from entrypoints.recovery import start_recovery

    world.say(BUYER, "/start")
    take(world, BUYER, "lost-1")
    start_recovery(world.container, world.container.settings()).stop()
    assert world.ledger.balance(UserId(BUYER)).paid == 0
