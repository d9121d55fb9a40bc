"""The Payments contract, run against every adapter of the port (subclasses provide `payments`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from contract.racing import race
from paintcore.domain.payments import Payment, PaymentState
from paintcore.domain.users import UserId
from paintcore.ports import Payments

ANNA = UserId(1)
BORIS = UserId(2)
PAID_AT = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def a_payment(charge_id: str = "ch-1", user_id: UserId = ANNA, **changes: object) -> Payment:
    fields: dict[str, object] = {
        "charge_id": charge_id,
        "provider": "stars",
        "user_id": user_id,
        "pages": 10,
        "amount": 50,
        "currency": "XTR",
        "created_at": PAID_AT,
        "provider_charge_id": f"prov-{charge_id}",
    }
    fields.update(changes)
    return Payment(**fields)  # type: ignore[arg-type]


def later(seconds: float) -> datetime:
    return PAID_AT + timedelta(seconds=seconds)


class PaymentsContract:
    def test_an_added_payment_reads_back_unchanged(self, payments: Payments) -> None:
        payment = a_payment()

        assert payments.add(payment) is True

        assert payments.get("ch-1") == payment
        assert payments.get("ch-2") is None

    def test_times_read_back_as_the_same_aware_instants(self, payments: Payments) -> None:
        moscow = timezone(timedelta(hours=3))
        payments.add(a_payment(created_at=PAID_AT.astimezone(moscow)))

        found = payments.get("ch-1")

        assert found is not None and found.created_at == PAID_AT
        assert found.created_at.utcoffset() is not None

    def test_a_payment_is_recorded_once_per_charge_id(self, payments: Payments) -> None:
        first = a_payment()
        payments.add(first)

        assert payments.add(replace(first, pages=99, amount=1, user_id=BORIS)) is False

        assert payments.get("ch-1") == first
        assert payments.of_user(BORIS) == []

    def test_racing_adds_of_one_charge_record_it_once(self, payments: Payments) -> None:
        outcomes = race(8, lambda i: payments.add(a_payment(pages=i + 1)))

        assert outcomes.count(True) == 1 and outcomes.count(False) == 7
        recorded = payments.get("ch-1")
        assert recorded is not None
        assert recorded.pages == outcomes.index(True) + 1
        assert payments.of_user(ANNA) == [recorded]

    def test_of_user_lists_the_users_payments_newest_first(self, payments: Payments) -> None:
        for n, (user, seconds) in enumerate(((ANNA, 10), (BORIS, 20), (ANNA, 30), (ANNA, 5))):
            payments.add(a_payment(f"ch-{n}", user, created_at=later(seconds)))

        assert [p.charge_id for p in payments.of_user(ANNA)] == ["ch-2", "ch-0", "ch-3"]
        assert [p.charge_id for p in payments.of_user(ANNA, limit=2)] == ["ch-2", "ch-0"]
        assert [p.charge_id for p in payments.of_user(BORIS)] == ["ch-1"]
        assert payments.of_user(UserId(9)) == []

    def test_refunded_marks_a_paid_payment_once(self, payments: Payments) -> None:
        payments.add(a_payment())

        changed = payments.refunded("ch-1", at=later(60), pages=7, shortfall=3)

        expected = replace(
            a_payment(),
            state=PaymentState.REFUNDED,
            refunded_at=later(60),
            refunded_pages=7,
            shortfall=3,
        )
        assert changed == expected
        assert payments.get("ch-1") == expected

    def test_a_second_refund_returns_the_payment_unchanged(self, payments: Payments) -> None:
        payments.add(a_payment())
        first = payments.refunded("ch-1", at=later(60), pages=10, shortfall=0)

        again = payments.refunded("ch-1", at=later(90), pages=0, shortfall=10)

        assert again == first
        assert payments.get("ch-1") == first

    def test_racing_refunds_mark_a_payment_once(self, payments: Payments) -> None:
        payments.add(a_payment())

        outcomes = race(
            8, lambda i: payments.refunded("ch-1", at=later(i + 1), pages=i, shortfall=10 - i)
        )

        final = payments.get("ch-1")
        assert final is not None and final.state is PaymentState.REFUNDED
        assert all(outcome == final for outcome in outcomes)
        assert final.refunded_at == later(final.refunded_pages + 1)

    def test_a_refund_of_an_unknown_payment_is_none(self, payments: Payments) -> None:
        assert payments.refunded("nope", at=later(1), pages=1, shortfall=0) is None
        assert payments.get("nope") is None

    def test_a_refund_leaves_the_other_payments_alone(self, payments: Payments) -> None:
        payments.add(a_payment("ch-1"))
        payments.add(a_payment("ch-2"))

        payments.refunded("ch-1", at=later(60), pages=10, shortfall=0)

        assert payments.get("ch-2") == a_payment("ch-2")

    def test_totals_sum_received_and_refunded_per_currency(self, payments: Payments) -> None:
        assert payments.totals() == {}
        payments.add(a_payment("a", amount=50))
        payments.add(a_payment("b", BORIS, amount=120, created_at=later(100)))
        payments.add(a_payment("c", amount=300, currency="RUB", created_at=later(200)))
        payments.add(a_payment("d", amount=350, created_at=later(300)))
        payments.refunded("b", at=later(400), pages=30, shortfall=0)

        assert payments.totals() == {"XTR": (520, 120), "RUB": (300, 0)}

    def test_totals_since_count_payments_made_at_or_after_a_moment(
        self, payments: Payments
    ) -> None:
        payments.add(a_payment("a", amount=50))
        payments.add(a_payment("b", amount=120, created_at=later(100)))
        payments.add(a_payment("c", amount=350, created_at=later(300)))
        payments.refunded("a", at=later(400), pages=10, shortfall=0)

        assert payments.totals(since=later(100)) == {"XTR": (470, 0)}
        assert payments.totals(since=later(100.000001)) == {"XTR": (350, 0)}
        assert payments.totals(since=PAID_AT) == {"XTR": (520, 50)}
        assert payments.totals(since=later(301)) == {}
