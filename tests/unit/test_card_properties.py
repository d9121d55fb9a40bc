"""Card payments (YooKassa) under any interleaving: checkouts started (some whose creation fails
or whose answer is lost), buyers paying the right or a wrong amount or cancelling,
notifications delivered (twice, late), polls, «Проверить оплату», admin refunds, refunds and the
provider failing, bans, spends, Stars payments among them, and days passing. After every step:
each payment credited at most once, a rejected payment never credited, money back only with the
pages taken back, no balance below zero, the ledger summing to zero. Whenever the provider answers
again and its notifications get through: every matching payment credited or refunded whole, and
every payment not credited refunded whole — no money kept for nothing."""

from __future__ import annotations

from collections import Counter

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, rule

from paintcore.domain.checkout import (
    CheckoutOrder,
    CheckoutPayment,
    CheckoutStatus,
    OrderState,
    checkout_charge_id,
)
from paintcore.domain.credits import TransactionKind, purchase_key
from paintcore.domain.errors import DeliveryFailed, PaymentRefused
from paintcore.domain.payments import PaymentState, refund_key
from paintcore.domain.users import UserId
from support.card_shop import check, notify, order_by_card, poll
from support.shop import pay
from support.world import ADMIN, World, build_world

USERS = (1, 2)
users = st.sampled_from(USERS)


class CardPaymentsMachine(RuleBasedStateMachine):
    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        self.world: World = build_world(free_credits=1)
        for uid in USERS:
            self.world.say(uid, "/start")
        self.stars = 0

    # -- the buyer and the provider --------------------------------------------------------------

    @rule(target=orders, user=users, pages=st.sampled_from([10, 30]), down=st.booleans())
    def start_checkout(self, user: int, pages: int, down: bool) -> object:
        if self._banned(user):
            return multiple()  # a banned buyer gets no order (test_card_checkout.py)
        if down:
            self.world.checkout.failures.append(DeliveryFailed("YooKassa is down"))
        return order_by_card(self.world, user, pages)

    @rule(target=orders, user=users)
    def checkout_whose_answer_was_lost(self, user: int) -> object:
        """The provider created the payment; its answer never reached us: a NEW order."""
        if self._banned(user):
            return multiple()
        self.world.checkout.failures[:] = [DeliveryFailed("connection reset")]
        order = order_by_card(self.world, user)
        self.world.checkout.create_payment(order, description="d", return_url="u")
        return order

    @rule(order=orders, how=st.sampled_from(["right", "right", "amount", "currency", "cancel"]))
    def buyer_acts(self, order: CheckoutOrder, how: str) -> None:
        """The buyer pays (the right amount or, as a tampered page would say, a wrong one) or
        gives up; a payment moves once."""
        payment = self._payment(order)
        if payment is None or payment.status is not CheckoutStatus.PENDING:
            return
        if how == "cancel":
            self.world.checkout.cancel(payment.payment_id)
            return
        self.world.checkout.succeed(payment.payment_id)
        if how == "amount":
            self.world.checkout.tamper(payment.payment_id, amount_minor=payment.amount_minor - 1)
        elif how == "currency":
            self.world.checkout.tamper(payment.payment_id, currency="USD")

    @rule(kind=st.sampled_from(["down", "refuses"]), refunds_only=st.booleans())
    def provider_fails_next(self, kind: str, refunds_only: bool) -> None:
        failure = DeliveryFailed("down") if kind == "down" else PaymentRefused("not now")
        target = (
            self.world.checkout.refund_failures if refunds_only else self.world.checkout.failures
        )
        target.append(failure)

    # -- how the bot hears of it -----------------------------------------------------------------

    @rule(order=orders, twice=st.booleans())
    def notification(self, order: CheckoutOrder, twice: bool) -> None:
        payment = self._payment(order)
        if payment is None:
            return
        event = (
            "payment.canceled" if payment.status is CheckoutStatus.CANCELED else "payment.succeeded"
        )
        for _ in range(2 if twice else 1):
            notify(self.world, payment.payment_id, event)

    @rule(seconds=st.sampled_from([0, 11 * 60, 2 * 86400 + 1]))
    def time_passes_and_the_poller_runs(self, seconds: int) -> None:
        self.world.clock.advance(seconds)
        poll(self.world)

    @rule(order=orders)
    def check_button(self, order: CheckoutOrder) -> None:
        check(self.world, order.user_id, order.order_id)

    # -- everything else -------------------------------------------------------------------------

    @rule(order=orders, force=st.booleans())
    def admin_refund(self, order: CheckoutOrder, force: bool) -> None:
        payment = self._payment(order)
        if payment is not None:
            charge = checkout_charge_id("yookassa", payment.payment_id)
            self.world.say(ADMIN, f"/refund {charge}" + (" force" if force else ""))

    @rule(user=users)
    def ban_or_unban(self, user: int) -> None:
        self.world.users.set_banned(UserId(user), not self._banned(user))

    @rule(order=orders)
    def refunded_by_hand_before_credited(self, order: CheckoutOrder) -> None:
        """The shop's owner gives a paid payment back in YooKassa's dashboard before the bot
        heard of it: it must never be credited then."""
        payment = self._payment(order)
        if payment is None or payment.status is not CheckoutStatus.SUCCEEDED:
            return
        if self._credits(payment.payment_id) or payment.refunded_minor:
            return
        self.world.checkout.tamper(payment.payment_id, refunded_minor=payment.amount_minor)

    @rule(user=users)
    def spend(self, user: int) -> None:
        self.world.say(user, "Получить раскраску")
        self.world.say(user, "кот в шляпе")
        self.world.queue.run_pending()

    @rule(user=users)
    def stars_payment(self, user: int) -> None:
        self.stars += 1
        pay(self.world, user, f"stars-{self.stars}")

    @rule()
    def the_provider_answers_again(self) -> None:
        """Failures over; YooKassa delivers each payment's notification until it is taken."""
        self._settle_everything()
        self._nothing_kept()

    # -- what must hold ----------------------------------------------------------------------------

    @invariant()
    def each_payment_credited_at_most_once_and_never_when_rejected(self) -> None:
        for order, payment in self._paid():
            credited = self._credits(payment.payment_id)
            assert credited <= 1
            if order.state is OrderState.REJECTED:
                assert credited == 0, "a rejected payment was credited"
            if f"reject-{order.order_id}" in self.world.checkout.refunds:
                assert credited == 0, "money sent back as rejected, pages kept"
            if credited:
                assert payment.amount_minor == order.amount_minor and payment.currency == "RUB"

    @invariant()
    def every_purchase_is_a_payment_taken_for_its_pages(self) -> None:
        taken = {f"stars-{i}": 10 for i in range(1, self.stars + 1)}
        for order, payment in self._paid():
            taken[checkout_charge_id("yookassa", payment.payment_id)] = order.pack.pages
        expected = {purchase_key(charge): pages for charge, pages in taken.items()}
        bought = [t for t in self.world.ledger.transactions() if t.kind is TransactionKind.PURCHASE]
        assert len({t.key for t in bought}) == len(bought)
        for t in bought:
            assert expected.get(t.key) == t.amount, f"{t.key} credited, never paid as such"

    @invariant()
    def money_goes_back_only_with_the_pages(self) -> None:
        for _, payment in self._paid():
            charge = checkout_charge_id("yookassa", payment.payment_id)
            if payment.refunded_minor and self._credits(payment.payment_id):
                record = self.world.container.payments().get(charge)
                assert record is not None and record.state is PaymentState.REFUNDED
                taken = self._keys(refund_key(charge))
                assert taken <= 1 and (taken or record.shortfall == record.pages)

    @invariant()
    def no_balance_below_zero_and_the_ledger_sums_to_zero(self) -> None:
        for uid in USERS:
            balance = self.world.ledger.balance(UserId(uid))
            assert min(balance.free, balance.paid, balance.held) >= 0
        totals: Counter[str] = Counter()
        for t in self.world.ledger.transactions():
            totals[t.source] -= t.amount
            totals[t.target] += t.amount
        assert sum(totals.values()) == 0

    def teardown(self) -> None:
        self._settle_everything()
        self.each_payment_credited_at_most_once_and_never_when_rejected()
        self.every_purchase_is_a_payment_taken_for_its_pages()
        self.money_goes_back_only_with_the_pages()
        self._nothing_kept()

    # -- helpers -------------------------------------------------------------------------------

    def _settle_everything(self) -> None:
        self.world.checkout.failures.clear()
        self.world.checkout.refund_failures.clear()
        for _ in range(2):  # the second round finds nothing left to do
            for payment in list(self.world.checkout.payments.values()):
                status = notify(self.world, payment.payment_id)
                assert status == 200, f"YooKassa is answered {status} with the provider up"
            poll(self.world)

    def _nothing_kept(self) -> None:
        for order, payment in self._paid():
            credited = self._credits(payment.payment_id) == 1
            whole = payment.refunded_minor == payment.amount_minor
            matching = payment.amount_minor == order.amount_minor and payment.currency == "RUB"
            assert credited or whole, "money kept, nothing credited"
            if not matching:
                assert whole and not credited

    def _paid(self) -> list[tuple[CheckoutOrder, CheckoutPayment]]:
        found = []
        for payment in self.world.checkout.payments.values():
            if payment.status is CheckoutStatus.SUCCEEDED:
                order = self.world.checkout_orders.get(payment.order_id)
                assert order is not None
                found.append((order, payment))
        return found

    def _payment(self, order: CheckoutOrder) -> CheckoutPayment | None:
        payment_id = self.world.checkout.created.get(order.order_id)
        return self.world.checkout.payments[payment_id] if payment_id else None

    def _banned(self, user: int) -> bool:
        found = self.world.users.get(UserId(user))
        return found is not None and found.banned

    def _credits(self, payment_id: str) -> int:
        return self._keys(purchase_key(checkout_charge_id("yookassa", payment_id)))

    def _keys(self, key: str) -> int:
        return sum(1 for t in self.world.ledger.transactions() if t.key == key)


TestCardPayments = CardPaymentsMachine.TestCase
TestCardPayments.settings = settings(max_examples=300, stateful_step_count=50, deadline=None)
