"""The Ledger contract, run against every adapter of the port (subclasses provide `ledger`).

The fixture's ledger must use the `clock` fixture, so that transaction times can be checked.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from adapters.memory import ManualClock
from contract.racing import race
from paintcore.domain.credits import (
    Balance,
    Bucket,
    Hold,
    HoldState,
    SystemAccount,
    Transaction,
    TransactionKind,
    capture_key,
    purchase_key,
    registration_key,
    release_key,
    reserve_key,
    system_account,
    user_account,
)
from paintcore.domain.errors import QuotaExceeded
from paintcore.domain.payments import Payment, refund_key
from paintcore.domain.users import UserId
from paintcore.ports import Ledger

ANNA = UserId(1)
BORIS = UserId(2)
PAID_AT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def give_free(ledger: Ledger, user_id: UserId, amount: int) -> None:
    assert ledger.grant(
        user_id=user_id,
        amount=amount,
        key=registration_key(user_id),
        kind=TransactionKind.REGISTRATION,
        bucket=Bucket.FREE,
    )


def a_purchase(user_id: UserId, pages: int, charge: str = "charge-1") -> Payment:
    return Payment(charge, "stars", user_id, pages, pages * 5, "XTR", PAID_AT)


def give_paid(ledger: Ledger, user_id: UserId, amount: int, charge: str = "charge-1") -> None:
    assert ledger.purchase(a_purchase(user_id, amount, charge))


def take_back(
    ledger: Ledger, user_id: UserId, amount: int, charge: str = "charge-1", *, partial: bool = False
) -> int | None:
    return ledger.debit(
        user_id=user_id,
        amount=amount,
        key=refund_key(charge),
        kind=TransactionKind.REFUND,
        partial=partial,
    )


def account_totals(transactions: list[Transaction]) -> Counter[str]:
    totals: Counter[str] = Counter()
    for t in transactions:
        totals[t.source] -= t.amount
        totals[t.target] += t.amount
    return totals


class LedgerContract:
    # -- grants --------------------------------------------------------------------------------

    def test_a_user_without_transactions_has_a_zero_balance(self, ledger: Ledger) -> None:
        assert ledger.balance(ANNA) == Balance(0, 0, 0)
        assert ledger.transactions(ANNA) == []

    def test_a_free_grant_moves_credits_from_grants_to_the_free_bucket(
        self, ledger: Ledger, clock: ManualClock
    ) -> None:
        give_free(ledger, ANNA, 10)

        assert ledger.balance(ANNA) == Balance(free=10)
        assert ledger.transactions() == [
            Transaction(
                key=registration_key(ANNA),
                kind=TransactionKind.REGISTRATION,
                user_id=ANNA,
                source=system_account(SystemAccount.GRANTS),
                target=user_account(ANNA, Bucket.FREE),
                amount=10,
                created_at=clock.now(),
            )
        ]

    def test_a_paid_grant_moves_credits_from_sales_to_the_paid_bucket(self, ledger: Ledger) -> None:
        give_paid(ledger, ANNA, 25)

        assert ledger.balance(ANNA) == Balance(paid=25)
        [purchase] = ledger.transactions(ANNA)
        assert (purchase.key, purchase.kind) == (purchase_key("charge-1"), TransactionKind.PURCHASE)
        assert purchase.source == system_account(SystemAccount.SALES)
        assert purchase.target == user_account(ANNA, Bucket.PAID)

    def test_a_replayed_grant_returns_false_and_changes_nothing(self, ledger: Ledger) -> None:
        give_free(ledger, ANNA, 10)

        replayed = ledger.grant(
            user_id=ANNA,
            amount=99,
            key=registration_key(ANNA),
            kind=TransactionKind.REGISTRATION,
            bucket=Bucket.PAID,
        )

        assert replayed is False
        assert ledger.balance(ANNA) == Balance(free=10)
        assert len(ledger.transactions()) == 1

    def test_a_grant_key_is_applied_once_whoever_it_names(self, ledger: Ledger) -> None:
        ledger.grant(
            user_id=ANNA,
            amount=5,
            key="admin:7",
            kind=TransactionKind.ADMIN_GRANT,
            bucket=Bucket.PAID,
        )

        again = ledger.grant(
            user_id=BORIS,
            amount=5,
            key="admin:7",
            kind=TransactionKind.ADMIN_GRANT,
            bucket=Bucket.PAID,
        )

        assert again is False
        assert ledger.balance(BORIS) == Balance()
        assert ledger.balance(ANNA) == Balance(paid=5)

    def test_a_grant_may_not_use_a_purchases_key(self, ledger: Ledger) -> None:
        with pytest.raises(ValueError):
            ledger.grant(
                user_id=ANNA,
                amount=5,
                key=purchase_key("c-7"),
                kind=TransactionKind.PURCHASE,
                bucket=Bucket.PAID,
            )
        assert ledger.balance(ANNA) == Balance()
        assert ledger.transactions() == []

    # -- purchases (a payment recorded and credited together) ----------------------------------

    def test_a_purchase_moves_its_pages_from_sales_to_the_paid_bucket(
        self, ledger: Ledger, clock: ManualClock
    ) -> None:
        assert ledger.purchase(a_purchase(ANNA, 10, "c-1")) is True

        assert ledger.balance(ANNA) == Balance(paid=10)
        assert ledger.transactions() == [
            Transaction(
                key=purchase_key("c-1"),
                kind=TransactionKind.PURCHASE,
                user_id=ANNA,
                source=system_account(SystemAccount.SALES),
                target=user_account(ANNA, Bucket.PAID),
                amount=10,
                created_at=clock.now(),
            )
        ]

    def test_a_purchase_delivered_again_credits_nothing_more(self, ledger: Ledger) -> None:
        give_paid(ledger, ANNA, 10, charge="c-1")

        assert ledger.purchase(a_purchase(ANNA, 10, "c-1")) is False
        assert ledger.purchase(a_purchase(ANNA, 99, "c-1")) is False

        assert ledger.balance(ANNA) == Balance(paid=10)
        assert len(ledger.transactions()) == 1

    def test_a_purchase_is_applied_once_per_charge_whoever_it_names(self, ledger: Ledger) -> None:
        give_paid(ledger, ANNA, 5, charge="c-7")

        assert ledger.purchase(a_purchase(BORIS, 5, "c-7")) is False

        assert ledger.balance(BORIS) == Balance()
        assert ledger.balance(ANNA) == Balance(paid=5)
        assert [t.user_id for t in ledger.transactions()] == [ANNA]

    @pytest.mark.parametrize("pages", [0, -3])
    def test_a_purchase_of_no_pages_is_refused(self, ledger: Ledger, pages: int) -> None:
        with pytest.raises(ValueError):
            ledger.purchase(a_purchase(ANNA, pages, "c-1"))
        assert ledger.balance(ANNA) == Balance()
        assert ledger.transactions() == []

    def test_racing_purchases_of_one_charge_credit_once(self, ledger: Ledger) -> None:
        give_free(ledger, ANNA, 1)  # a wallet to race on, as a registered buyer has
        outcomes = race(8, lambda i: ledger.purchase(a_purchase(ANNA, 5, "c-race")))

        assert outcomes.count(True) == 1
        assert outcomes.count(False) == 7
        assert ledger.balance(ANNA) == Balance(free=1, paid=5)
        assert [t.kind for t in ledger.transactions(ANNA)].count(TransactionKind.PURCHASE) == 1

    def test_racing_purchases_of_one_charge_by_two_users_credit_one_of_them(
        self, ledger: Ledger
    ) -> None:
        outcomes = race(
            8, lambda i: ledger.purchase(a_purchase(ANNA if i % 2 else BORIS, 5, "c-race"))
        )

        assert outcomes.count(True) == 1
        paid = sorted([ledger.balance(ANNA).paid, ledger.balance(BORIS).paid])
        assert paid == [0, 5]
        assert sum(account_totals(ledger.transactions()).values()) == 0

    def test_a_registration_key_credits_its_own_user_only(self, ledger: Ledger) -> None:
        with pytest.raises(ValueError, match="not the registration key"):
            ledger.grant(
                user_id=BORIS,
                amount=10,
                key=registration_key(ANNA),
                kind=TransactionKind.REGISTRATION,
                bucket=Bucket.FREE,
            )

        assert ledger.balance(BORIS) == Balance()
        assert ledger.transactions() == []

    @pytest.mark.parametrize("key", [reserve_key("j9"), capture_key("j9"), release_key("j9")])
    def test_a_grant_may_not_use_a_holds_key(self, ledger: Ledger, key: str) -> None:
        with pytest.raises(ValueError, match="hold"):
            ledger.grant(
                user_id=ANNA,
                amount=1,
                key=key,
                kind=TransactionKind.ADMIN_GRANT,
                bucket=Bucket.FREE,
            )

        assert ledger.balance(ANNA) == Balance()
        assert ledger.transactions() == []

    def test_grants_add_up_per_bucket(self, ledger: Ledger) -> None:
        give_free(ledger, ANNA, 10)
        give_paid(ledger, ANNA, 5, charge="a")
        give_paid(ledger, ANNA, 7, charge="b")
        assert ledger.grant(
            user_id=ANNA,
            amount=3,
            key="admin:1",
            kind=TransactionKind.ADMIN_GRANT,
            bucket=Bucket.FREE,
        )

        assert ledger.balance(ANNA) == Balance(free=13, paid=12)
        assert ledger.balance(ANNA).available == 25

    @pytest.mark.parametrize("amount", [0, -1])
    def test_a_grant_of_no_or_negative_credits_is_refused(
        self, ledger: Ledger, amount: int
    ) -> None:
        with pytest.raises(ValueError):
            ledger.grant(
                user_id=ANNA,
                amount=amount,
                key="k",
                kind=TransactionKind.ADMIN_GRANT,
                bucket=Bucket.FREE,
            )
        assert ledger.balance(ANNA) == Balance()
        assert ledger.transactions() == []

    def test_a_grant_straight_into_the_held_bucket_is_refused(self, ledger: Ledger) -> None:
        with pytest.raises(ValueError):
            ledger.grant(
                user_id=ANNA,
                amount=1,
                key="k",
                kind=TransactionKind.ADMIN_GRANT,
                bucket=Bucket.HELD,
            )
        assert ledger.transactions() == []

    # -- reserve -------------------------------------------------------------------------------

    def test_reserve_takes_free_credits_first(self, ledger: Ledger) -> None:
        give_free(ledger, ANNA, 2)
        give_paid(ledger, ANNA, 5)

        hold = ledger.reserve(user_id=ANNA, job_id="j1")

        assert hold == Hold("j1", ANNA, Bucket.FREE, 1, HoldState.HELD)
        assert ledger.balance(ANNA) == Balance(free=1, paid=5, held=1)
        assert ledger.hold("j1") == hold

    def test_reserve_falls_back_to_paid_credits_when_free_ones_are_gone(
        self, ledger: Ledger
    ) -> None:
        give_free(ledger, ANNA, 1)
        give_paid(ledger, ANNA, 5)
        ledger.reserve(user_id=ANNA, job_id="j1")

        hold = ledger.reserve(user_id=ANNA, job_id="j2")

        assert hold.bucket is Bucket.PAID
        assert ledger.balance(ANNA) == Balance(free=0, paid=4, held=2)

    def test_reserve_uses_paid_credits_when_free_ones_are_too_few(self, ledger: Ledger) -> None:
        give_free(ledger, ANNA, 1)
        give_paid(ledger, ANNA, 5)

        hold = ledger.reserve(user_id=ANNA, job_id="j1", amount=3)

        assert (hold.bucket, hold.amount) == (Bucket.PAID, 3)
        assert ledger.balance(ANNA) == Balance(free=1, paid=2, held=3)

    def test_reserve_records_a_move_from_the_bucket_to_held(
        self, ledger: Ledger, clock: ManualClock
    ) -> None:
        give_paid(ledger, ANNA, 5)
        clock.advance(60)

        ledger.reserve(user_id=ANNA, job_id="j1", amount=2)

        assert ledger.transactions()[-1] == Transaction(
            key=reserve_key("j1"),
            kind=TransactionKind.RESERVE,
            user_id=ANNA,
            source=user_account(ANNA, Bucket.PAID),
            target=user_account(ANNA, Bucket.HELD),
            amount=2,
            created_at=clock.now(),
        )

    def test_reserve_beyond_the_balance_raises_quota_exceeded_and_changes_nothing(
        self, ledger: Ledger
    ) -> None:
        give_free(ledger, ANNA, 1)
        ledger.reserve(user_id=ANNA, job_id="j1")
        before = ledger.transactions()

        with pytest.raises(QuotaExceeded):
            ledger.reserve(user_id=ANNA, job_id="j2")

        assert ledger.balance(ANNA) == Balance(free=0, held=1)
        assert ledger.hold("j2") is None
        assert ledger.transactions() == before

    def test_reserve_never_splits_one_hold_across_buckets(self, ledger: Ledger) -> None:
        give_free(ledger, ANNA, 1)
        give_paid(ledger, ANNA, 1)

        with pytest.raises(QuotaExceeded):
            ledger.reserve(user_id=ANNA, job_id="j1", amount=2)

        assert ledger.balance(ANNA) == Balance(free=1, paid=1)

    def test_reserve_for_a_user_without_credits_raises_quota_exceeded(self, ledger: Ledger) -> None:
        with pytest.raises(QuotaExceeded):
            ledger.reserve(user_id=ANNA, job_id="j1")

        assert ledger.balance(ANNA) == Balance()
        assert ledger.hold("j1") is None

    def test_a_replayed_reserve_returns_the_same_hold_and_takes_nothing_more(
        self, ledger: Ledger
    ) -> None:
        give_free(ledger, ANNA, 5)
        first = ledger.reserve(user_id=ANNA, job_id="j1")

        again = ledger.reserve(user_id=ANNA, job_id="j1")

        assert again == first
        assert ledger.balance(ANNA) == Balance(free=4, held=1)
        assert [t.key for t in ledger.transactions()].count(reserve_key("j1")) == 1

    def test_a_replayed_reserve_of_a_settled_job_returns_its_hold_as_it_is(
        self, ledger: Ledger
    ) -> None:
        give_free(ledger, ANNA, 5)
        ledger.reserve(user_id=ANNA, job_id="j1")
        ledger.capture(job_id="j1")

        again = ledger.reserve(user_id=ANNA, job_id="j1")

        assert again == Hold("j1", ANNA, Bucket.FREE, 1, HoldState.CAPTURED)
        assert ledger.balance(ANNA) == Balance(free=4)

    def test_a_replayed_reserve_succeeds_even_when_the_wallet_is_empty(
        self, ledger: Ledger
    ) -> None:
        give_free(ledger, ANNA, 1)
        first = ledger.reserve(user_id=ANNA, job_id="j1")

        assert ledger.reserve(user_id=ANNA, job_id="j1") == first

    @pytest.mark.parametrize("amount", [0, -2])
    def test_a_reserve_of_no_or_negative_credits_is_refused(
        self, ledger: Ledger, amount: int
    ) -> None:
        give_free(ledger, ANNA, 5)

        with pytest.raises(ValueError):
            ledger.reserve(user_id=ANNA, job_id="j1", amount=amount)

        assert ledger.balance(ANNA) == Balance(free=5)
        assert ledger.hold("j1") is None

    def test_an_unknown_job_has_no_hold(self, ledger: Ledger) -> None:
        assert ledger.hold("nope") is None

    # -- capture and release -------------------------------------------------------------------

    def test_capture_spends_the_held_credits(self, ledger: Ledger, clock: ManualClock) -> None:
        give_free(ledger, ANNA, 10)
        ledger.reserve(user_id=ANNA, job_id="j1")
        clock.advance(30)

        assert ledger.capture(job_id="j1") is True

        assert ledger.balance(ANNA) == Balance(free=9)
        assert ledger.hold("j1") == Hold("j1", ANNA, Bucket.FREE, 1, HoldState.CAPTURED)
        assert ledger.transactions()[-1] == Transaction(
            key=capture_key("j1"),
            kind=TransactionKind.CAPTURE,
            user_id=ANNA,
            source=user_account(ANNA, Bucket.HELD),
            target=system_account(SystemAccount.SPENT),
            amount=1,
            created_at=clock.now(),
        )

    def test_release_returns_free_credits_to_the_free_bucket(self, ledger: Ledger) -> None:
        give_free(ledger, ANNA, 10)
        give_paid(ledger, ANNA, 3)
        ledger.reserve(user_id=ANNA, job_id="j1")

        assert ledger.release(job_id="j1") is True

        assert ledger.balance(ANNA) == Balance(free=10, paid=3)
        assert ledger.hold("j1") == Hold("j1", ANNA, Bucket.FREE, 1, HoldState.RELEASED)
        last = ledger.transactions()[-1]
        assert (last.key, last.kind) == (release_key("j1"), TransactionKind.RELEASE)
        assert (last.source, last.target) == (
            user_account(ANNA, Bucket.HELD),
            user_account(ANNA, Bucket.FREE),
        )

    def test_release_returns_paid_credits_to_the_paid_bucket(self, ledger: Ledger) -> None:
        give_paid(ledger, ANNA, 3)
        ledger.reserve(user_id=ANNA, job_id="j1", amount=2)
        give_free(ledger, ANNA, 10)

        assert ledger.release(job_id="j1") is True

        assert ledger.balance(ANNA) == Balance(free=10, paid=3)
        assert ledger.transactions()[-1].target == user_account(ANNA, Bucket.PAID)

    def test_a_second_capture_returns_false_and_changes_nothing(self, ledger: Ledger) -> None:
        give_free(ledger, ANNA, 10)
        ledger.reserve(user_id=ANNA, job_id="j1")
        ledger.capture(job_id="j1")
        before = ledger.transactions()

        assert ledger.capture(job_id="j1") is False

        assert ledger.balance(ANNA) == Balance(free=9)
        assert ledger.transactions() == before

    def test_a_second_release_returns_false_and_changes_nothing(self, ledger: Ledger) -> None:
        give_free(ledger, ANNA, 10)
        ledger.reserve(user_id=ANNA, job_id="j1")
        ledger.release(job_id="j1")
        before = ledger.transactions()

        assert ledger.release(job_id="j1") is False

        assert ledger.balance(ANNA) == Balance(free=10)
        assert ledger.transactions() == before

    def test_release_after_capture_is_a_no_op(self, ledger: Ledger) -> None:
        give_free(ledger, ANNA, 10)
        ledger.reserve(user_id=ANNA, job_id="j1")
        ledger.capture(job_id="j1")

        assert ledger.release(job_id="j1") is False

        assert ledger.balance(ANNA) == Balance(free=9)
        assert ledger.hold("j1") == Hold("j1", ANNA, Bucket.FREE, 1, HoldState.CAPTURED)

    def test_capture_after_release_is_a_no_op(self, ledger: Ledger) -> None:
        give_free(ledger, ANNA, 10)
        ledger.reserve(user_id=ANNA, job_id="j1")
        ledger.release(job_id="j1")

        assert ledger.capture(job_id="j1") is False

        assert ledger.balance(ANNA) == Balance(free=10)
        assert ledger.hold("j1") == Hold("j1", ANNA, Bucket.FREE, 1, HoldState.RELEASED)

    def test_settling_an_unknown_job_returns_false(self, ledger: Ledger) -> None:
        assert ledger.capture(job_id="nope") is False
        assert ledger.release(job_id="nope") is False
        assert ledger.transactions() == []

    def test_settling_one_hold_leaves_the_others_held(self, ledger: Ledger) -> None:
        give_free(ledger, ANNA, 10)
        ledger.reserve(user_id=ANNA, job_id="j1")
        ledger.reserve(user_id=ANNA, job_id="j2")

        ledger.capture(job_id="j1")

        assert ledger.balance(ANNA) == Balance(free=8, held=1)
        held = ledger.hold("j2")
        assert held is not None and held.state is HoldState.HELD

    # -- the log -------------------------------------------------------------------------------

    def test_transactions_come_oldest_first_and_filter_by_user(
        self, ledger: Ledger, clock: ManualClock
    ) -> None:
        give_free(ledger, ANNA, 10)
        clock.advance(1)
        give_free(ledger, BORIS, 10)
        clock.advance(1)
        ledger.reserve(user_id=ANNA, job_id="a1")
        ledger.reserve(user_id=BORIS, job_id="b1")
        ledger.release(job_id="a1")

        everything = [t.key for t in ledger.transactions()]
        annas = [t.key for t in ledger.transactions(ANNA)]

        assert everything == [
            registration_key(ANNA),
            registration_key(BORIS),
            reserve_key("a1"),
            reserve_key("b1"),
            release_key("a1"),
        ]
        assert annas == [registration_key(ANNA), reserve_key("a1"), release_key("a1")]
        assert [t.created_at for t in ledger.transactions()] == sorted(
            t.created_at for t in ledger.transactions()
        )

    def test_the_log_balances_to_zero_and_explains_every_wallet(self, ledger: Ledger) -> None:
        give_free(ledger, ANNA, 10)
        give_paid(ledger, ANNA, 5)
        give_free(ledger, BORIS, 3)
        for job in ("a1", "a2", "a3"):
            ledger.reserve(user_id=ANNA, job_id=job)
        ledger.reserve(user_id=ANNA, job_id="a4", amount=5)
        ledger.capture(job_id="a1")
        ledger.release(job_id="a2")
        ledger.release(job_id="a4")
        ledger.reserve(user_id=BORIS, job_id="b1", amount=3)
        ledger.capture(job_id="b1")

        totals = account_totals(ledger.transactions())

        assert sum(totals.values()) == 0
        assert all(t.amount > 0 and t.source != t.target for t in ledger.transactions())
        for user in (ANNA, BORIS):
            assert ledger.balance(user) == Balance(
                free=totals[user_account(user, Bucket.FREE)],
                paid=totals[user_account(user, Bucket.PAID)],
                held=totals[user_account(user, Bucket.HELD)],
            )
        assert totals[system_account(SystemAccount.SPENT)] == 4

    # -- races ---------------------------------------------------------------------------------

    def test_racing_reserves_for_the_last_credit_give_exactly_one_hold(
        self, ledger: Ledger
    ) -> None:
        give_free(ledger, ANNA, 1)

        outcomes = race(8, lambda i: ledger.reserve(user_id=ANNA, job_id=f"j{i}"))

        holds = [o for o in outcomes if isinstance(o, Hold)]
        refusals = [o for o in outcomes if isinstance(o, QuotaExceeded)]
        assert (len(holds), len(refusals)) == (1, 7)
        assert ledger.balance(ANNA) == Balance(free=0, held=1)

    def test_racing_reserves_with_enough_credits_lose_no_update(self, ledger: Ledger) -> None:
        give_free(ledger, ANNA, 5)
        give_paid(ledger, ANNA, 5)

        outcomes = race(8, lambda i: ledger.reserve(user_id=ANNA, job_id=f"j{i}"))

        assert all(isinstance(o, Hold) for o in outcomes)
        assert Counter(o.bucket for o in outcomes if isinstance(o, Hold)) == {
            Bucket.FREE: 5,
            Bucket.PAID: 3,
        }
        assert ledger.balance(ANNA) == Balance(free=0, paid=2, held=8)

    def test_racing_replays_of_one_reserve_take_one_credit(self, ledger: Ledger) -> None:
        give_free(ledger, ANNA, 5)

        outcomes = race(8, lambda i: ledger.reserve(user_id=ANNA, job_id="j1"))

        assert outcomes == [Hold("j1", ANNA, Bucket.FREE, 1, HoldState.HELD)] * 8
        assert ledger.balance(ANNA) == Balance(free=4, held=1)

    def test_racing_capture_and_release_settle_a_hold_once(self, ledger: Ledger) -> None:
        give_free(ledger, ANNA, 5)
        ledger.reserve(user_id=ANNA, job_id="j1")

        def settle(i: int) -> bool:
            if i % 2:
                return ledger.capture(job_id="j1")
            return ledger.release(job_id="j1")

        outcomes = race(8, settle)

        assert outcomes.count(True) == 1
        hold = ledger.hold("j1")
        assert hold is not None
        expected = Balance(free=4) if hold.state is HoldState.CAPTURED else Balance(free=5)
        assert ledger.balance(ANNA) == expected
        assert sum(account_totals(ledger.transactions()).values()) == 0
        assert len(ledger.transactions()) == 3

    def test_racing_grants_with_one_key_credit_once(self, ledger: Ledger) -> None:
        outcomes = race(
            8,
            lambda i: ledger.grant(
                user_id=ANNA,
                amount=10,
                key=registration_key(ANNA),
                kind=TransactionKind.REGISTRATION,
                bucket=Bucket.FREE,
            ),
        )

        assert outcomes.count(True) == 1
        assert ledger.balance(ANNA) == Balance(free=10)

    # -- debits (a refunded payment's pages taken back) ----------------------------------------

    def test_a_debit_moves_bought_credits_from_paid_to_sales(
        self, ledger: Ledger, clock: ManualClock
    ) -> None:
        give_free(ledger, ANNA, 10)
        give_paid(ledger, ANNA, 5)
        clock.advance(seconds=3)

        assert take_back(ledger, ANNA, 3) == 3

        assert ledger.balance(ANNA) == Balance(free=10, paid=2)
        assert ledger.transactions(ANNA)[-1] == Transaction(
            key=refund_key("charge-1"),
            kind=TransactionKind.REFUND,
            user_id=ANNA,
            source=user_account(ANNA, Bucket.PAID),
            target=system_account(SystemAccount.SALES),
            amount=3,
            created_at=clock.now(),
        )

    def test_a_debit_beyond_the_paid_bucket_raises_quota_exceeded_and_changes_nothing(
        self, ledger: Ledger
    ) -> None:
        give_free(ledger, ANNA, 10)  # free credits are never taken by a debit
        give_paid(ledger, ANNA, 2)
        before = ledger.transactions()

        with pytest.raises(QuotaExceeded):
            take_back(ledger, ANNA, 3)

        assert ledger.balance(ANNA) == Balance(free=10, paid=2)
        assert ledger.transactions() == before
        assert take_back(ledger, ANNA, 2) == 2  # the key was not used up by the refusal

    def test_a_debit_of_a_user_without_a_wallet_raises_quota_exceeded(self, ledger: Ledger) -> None:
        with pytest.raises(QuotaExceeded):
            take_back(ledger, ANNA, 1)
        assert ledger.balance(ANNA) == Balance()
        assert ledger.transactions() == []

    def test_a_partial_debit_takes_what_is_left(self, ledger: Ledger) -> None:
        give_paid(ledger, ANNA, 5)
        ledger.reserve(user_id=ANNA, job_id="j1", amount=3)  # held credits are not taken

        assert take_back(ledger, ANNA, 4, partial=True) == 2

        assert ledger.balance(ANNA) == Balance(paid=0, held=3)
        assert [
            t.amount for t in ledger.transactions(ANNA) if t.kind is TransactionKind.REFUND
        ] == [2]

    def test_a_partial_debit_of_an_empty_bucket_takes_and_records_nothing(
        self, ledger: Ledger
    ) -> None:
        give_free(ledger, ANNA, 4)
        before = ledger.transactions()

        assert take_back(ledger, ANNA, 3, partial=True) == 0

        assert ledger.balance(ANNA) == Balance(free=4)
        assert ledger.transactions() == before

    def test_a_partial_debit_with_enough_takes_the_whole_amount(self, ledger: Ledger) -> None:
        give_paid(ledger, ANNA, 5)
        assert take_back(ledger, ANNA, 5, partial=True) == 5
        assert ledger.balance(ANNA) == Balance()

    @pytest.mark.parametrize("partial", [False, True])
    def test_a_replayed_debit_returns_none_and_changes_nothing(
        self, ledger: Ledger, partial: bool
    ) -> None:
        give_paid(ledger, ANNA, 10)
        assert take_back(ledger, ANNA, 3, partial=partial) == 3
        before = ledger.transactions()

        assert take_back(ledger, ANNA, 3, partial=partial) is None
        assert take_back(ledger, ANNA, 30, partial=partial) is None  # even beyond the bucket

        assert ledger.balance(ANNA) == Balance(paid=7)
        assert ledger.transactions() == before

    def test_a_debit_key_is_applied_once_whoever_it_names(self, ledger: Ledger) -> None:
        give_paid(ledger, ANNA, 5, charge="a")
        give_paid(ledger, BORIS, 5, charge="b")
        assert take_back(ledger, ANNA, 2) == 2

        assert take_back(ledger, BORIS, 2) is None

        assert ledger.balance(BORIS) == Balance(paid=5)

    def test_a_debit_under_a_grants_key_counts_as_applied_before(self, ledger: Ledger) -> None:
        give_paid(ledger, ANNA, 5, charge="c1")
        ledger.grant(
            user_id=ANNA,
            amount=2,
            key="admin:1",
            kind=TransactionKind.ADMIN_GRANT,
            bucket=Bucket.PAID,
        )
        before = ledger.transactions()

        outcome = ledger.debit(
            user_id=ANNA, amount=1, key="admin:1", kind=TransactionKind.REFUND, partial=False
        )

        assert outcome is None
        assert ledger.balance(ANNA) == Balance(paid=7)
        assert ledger.transactions() == before

    def test_a_grant_under_a_debits_key_counts_as_applied_before(self, ledger: Ledger) -> None:
        give_paid(ledger, ANNA, 5)
        assert take_back(ledger, ANNA, 1, charge="c9") == 1

        applied = ledger.grant(
            user_id=ANNA,
            amount=4,
            key=refund_key("c9"),
            kind=TransactionKind.ADMIN_GRANT,
            bucket=Bucket.PAID,
        )

        assert applied is False
        assert ledger.balance(ANNA) == Balance(paid=4)

    @pytest.mark.parametrize("amount", [0, -1])
    def test_a_debit_of_no_or_negative_credits_is_refused(
        self, ledger: Ledger, amount: int
    ) -> None:
        give_paid(ledger, ANNA, 5)
        with pytest.raises(ValueError):
            take_back(ledger, ANNA, amount)
        assert ledger.balance(ANNA) == Balance(paid=5)

    @pytest.mark.parametrize(
        "key",
        [
            reserve_key("j1"),
            capture_key("j1"),
            release_key("j1"),
            registration_key(ANNA),
            purchase_key("charge-1"),
        ],
    )
    def test_a_debit_may_not_use_a_holds_a_registrations_or_a_purchases_key(
        self, ledger: Ledger, key: str
    ) -> None:
        give_paid(ledger, ANNA, 5)
        with pytest.raises(ValueError):
            ledger.debit(user_id=ANNA, amount=1, key=key, kind=TransactionKind.REFUND)
        assert ledger.balance(ANNA) == Balance(paid=5)

    def test_purchases_and_refunds_balance_to_zero_with_sales(self, ledger: Ledger) -> None:
        give_free(ledger, ANNA, 10)
        give_paid(ledger, ANNA, 5, charge="a")
        give_paid(ledger, ANNA, 3, charge="b")
        give_paid(ledger, BORIS, 4, charge="c")
        ledger.reserve(user_id=ANNA, job_id="j1", amount=5)  # the free bucket first
        ledger.reserve(user_id=ANNA, job_id="j2", amount=6)  # from paid: 8 -> 2
        ledger.capture(job_id="j2")
        assert take_back(ledger, ANNA, 5, "a", partial=True) == 2
        assert take_back(ledger, BORIS, 4, "c") == 4

        totals = account_totals(ledger.transactions())

        assert sum(totals.values()) == 0
        assert totals[system_account(SystemAccount.SALES)] == -12 + 6
        for user in (ANNA, BORIS):
            assert ledger.balance(user) == Balance(
                free=totals[user_account(user, Bucket.FREE)],
                paid=totals[user_account(user, Bucket.PAID)],
                held=totals[user_account(user, Bucket.HELD)],
            )

    def test_racing_debits_never_take_the_bucket_below_zero(self, ledger: Ledger) -> None:
        give_paid(ledger, ANNA, 5)

        outcomes = race(8, lambda i: take_back(ledger, ANNA, 2, f"c{i}"))

        assert outcomes.count(2) == 2
        assert sum(isinstance(o, QuotaExceeded) for o in outcomes) == 6
        assert ledger.balance(ANNA) == Balance(paid=1)
        assert sum(account_totals(ledger.transactions()).values()) == 0

    def test_racing_partial_debits_take_exactly_what_there_was(self, ledger: Ledger) -> None:
        give_paid(ledger, ANNA, 5)

        outcomes = race(8, lambda i: take_back(ledger, ANNA, 2, f"c{i}", partial=True))

        assert all(isinstance(o, int) for o in outcomes)
        assert sum(o for o in outcomes if isinstance(o, int)) == 5
        assert ledger.balance(ANNA) == Balance()
        refunds = [t for t in ledger.transactions() if t.kind is TransactionKind.REFUND]
        assert sum(t.amount for t in refunds) == 5

    def test_racing_replays_of_one_debit_take_once(self, ledger: Ledger) -> None:
        give_paid(ledger, ANNA, 10)

        outcomes = race(8, lambda i: take_back(ledger, ANNA, 3))

        assert outcomes.count(3) == 1
        assert outcomes.count(None) == 7
        assert ledger.balance(ANNA) == Balance(paid=7)
        assert len([t for t in ledger.transactions() if t.kind is TransactionKind.REFUND]) == 1
