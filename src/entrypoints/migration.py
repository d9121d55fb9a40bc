"""Moving one deployment's storage into another (`paintbot migrate sqlite-to-mongo`).

The move goes through the storage ports, not around them: each ledger movement is replayed in the
order it happened with the target's clock set to the moment it happened, so the target's own
guards and idempotency keys decide what is applied and the history keeps its times. That is
also what makes a second run change nothing: every user, job and movement already there is
recognised and skipped, and counted as such. At the end the two ledgers are compared user by user.

Stop the bot before moving: a page requested during the move may be missed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from paintcore.domain.checkout import CheckoutOrder
from paintcore.domain.conversation import ConversationState
from paintcore.domain.credits import (
    PURCHASE_KEY_PREFIX,
    Balance,
    Bucket,
    Transaction,
    TransactionKind,
)
from paintcore.domain.errors import JobInFlight, QuotaExceeded
from paintcore.domain.jobs import Job, JobId
from paintcore.domain.pages import PageOptions
from paintcore.domain.payments import Payment
from paintcore.domain.users import User, UserId
from paintcore.ports import Storage

_GRANTS = {TransactionKind.REGISTRATION, TransactionKind.ADMIN_GRANT}
_MIGRATED = "migrated"  # the provider of a purchase whose payment the source did not record


class ReplayClock:
    """The target's clock during a move: it says whatever moment is being replayed."""

    def __init__(self, start: datetime) -> None:
        self._now = start
        self._lock = threading.Lock()

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment

    def now(self) -> datetime:
        with self._lock:
            return self._now


@dataclass
class Tally:
    copied: int = 0
    already: int = 0

    def __str__(self) -> str:
        return f"{self.copied} copied, {self.already} already there"


@dataclass
class MigrationReport:
    users: Tally = field(default_factory=Tally)
    transactions: Tally = field(default_factory=Tally)
    jobs: Tally = field(default_factory=Tally)
    conversations: Tally = field(default_factory=Tally)
    preferences: Tally = field(default_factory=Tally)
    payments: Tally = field(default_factory=Tally)
    checkout_orders: Tally = field(default_factory=Tally)
    healed: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        rows = [
            f"users: {self.users}",
            f"ledger transactions: {self.transactions}",
            f"jobs: {self.jobs}",
            f"conversations: {self.conversations}",
            f"preferences: {self.preferences}",
            f"payments: {self.payments}",
            f"card payment orders: {self.checkout_orders}",
        ]
        if self.healed:
            rows.append(f"half-done movements completed in the target first: {self.healed}")
        rows.extend(f"PROBLEM: {problem}" for problem in self.problems)
        return rows


class SourceRows(Protocol):
    """Every row of the source, for what the ports cannot list (users, jobs, conversations)."""

    def users(self) -> list[User]: ...
    def jobs(self) -> list[Job]: ...
    def conversations(self) -> list[ConversationState]: ...
    def preferences(self) -> list[tuple[UserId, PageOptions]]: ...
    def payments(self) -> list[Payment]: ...
    def checkout_orders(self) -> list[CheckoutOrder]: ...


@dataclass
class Migration:
    """Copy `source` into `target`, whose ledger runs on `clock` (set to each movement's time)."""

    source: Storage
    rows: SourceRows
    target: Storage
    clock: ReplayClock
    report: MigrationReport = field(default_factory=MigrationReport)
    _source_payments: dict[str, Payment] = field(default_factory=dict)
    _purchased: set[str] = field(default_factory=set)  # payments recorded by their purchase

    def run(self) -> MigrationReport:
        # A move that was interrupted may have left a movement half-done: finish it first, so
        # that what the target holds is exactly what its log says.
        self.report.healed = self.target.reconcile()
        users = self._users()
        self._ledger()
        self._jobs()
        self._conversations()
        self._preferences()
        self._payments()
        self._checkout_orders()
        self._compare_balances(users)
        return self.report

    def _users(self) -> list[UserId]:
        ids: list[UserId] = []
        for user in self.rows.users():
            ids.append(user.id)
            tally = self.report.users
            if self.target.users.add(user):
                tally.copied += 1
                continue
            tally.already += 1
            there = self.target.users.get(user.id)
            if there is not None and (there.banned, there.blocked) != (user.banned, user.blocked):
                self.target.users.set_banned(user.id, user.banned)
                self.target.users.set_blocked(user.id, user.blocked)
        return ids

    def _ledger(self) -> None:
        self._source_payments = {p.charge_id: p for p in self.rows.payments()}
        logged = {transaction.key: transaction for transaction in self.target.ledger.transactions()}
        for transaction in self.source.ledger.transactions():
            there = logged.get(transaction.key)
            if there is not None:
                self.report.transactions.already += 1
                if _movement(there) != _movement(transaction):
                    self.report.problems.append(
                        f"transaction {transaction.key}: the target used this key for another "
                        f"movement ({there.amount} from {there.source} to {there.target})"
                    )
                continue
            self.clock.set(transaction.created_at)
            problem = self._replay(transaction)
            if problem:
                self.report.problems.append(f"transaction {transaction.key}: {problem}")
            else:
                self.report.transactions.copied += 1

    def _replay(self, transaction: Transaction) -> str:
        """Apply one movement to the target; what went wrong, or "" when it was applied."""
        ledger, kind = self.target.ledger, transaction.kind
        job_id = JobId(transaction.key.partition(":")[2])
        if kind in _GRANTS:
            bucket = Bucket(transaction.target.rsplit(":", 1)[1])
            applied = ledger.grant(
                user_id=transaction.user_id,
                amount=transaction.amount,
                key=transaction.key,
                kind=kind,
                bucket=bucket,
            )
            return "" if applied else "the target already had this key"
        if kind is TransactionKind.PURCHASE:
            return self._purchase(transaction)
        if kind is TransactionKind.RESERVE:
            try:
                hold = ledger.reserve(
                    user_id=transaction.user_id, job_id=job_id, amount=transaction.amount
                )
            except QuotaExceeded:
                return "the target has too few credits to hold it"
            source_bucket = transaction.source.rsplit(":", 1)[1]
            if hold.bucket.value != source_bucket:
                return f"held from {hold.bucket.value} here but from {source_bucket} in the source"
            return ""
        if kind is TransactionKind.REFUND:
            try:
                taken = ledger.debit(
                    user_id=transaction.user_id,
                    amount=transaction.amount,
                    key=transaction.key,
                    kind=kind,
                )
            except QuotaExceeded:
                return "the target has too few bought credits to take it back"
            return "" if taken is not None else "the target already had this key"
        settle = ledger.capture if kind is TransactionKind.CAPTURE else ledger.release
        return "" if settle(job_id=job_id) else "the hold was not held in the target"

    def _purchase(self, transaction: Transaction) -> str:
        """A purchase with its payment as the source recorded it (one built from the movement,
        provider "migrated", when the source has none); the payments step then finds it there."""
        charge_id = transaction.key.removeprefix(PURCHASE_KEY_PREFIX)
        recorded = self._source_payments.get(charge_id)
        if recorded is None:
            recorded = Payment(
                charge_id=charge_id,
                provider=_MIGRATED,
                user_id=transaction.user_id,
                pages=transaction.amount,
                amount=0,
                currency="",
                created_at=transaction.created_at,
            )
        # The movement decides the credit; a payment that disagrees is reported by _payments.
        payment = replace(recorded, user_id=transaction.user_id, pages=transaction.amount)
        if not self.target.ledger.purchase(payment):
            return "the target already had this key"
        self._purchased.add(charge_id)
        return ""

    def _jobs(self) -> None:
        for job in self.rows.jobs():
            there = self.target.jobs.get(job.id)
            if there is not None:
                self.report.jobs.already += 1
                if there != job:
                    self.report.problems.append(
                        f"job {job.id} differs: {there.state.value} in the target, "
                        f"{job.state.value} in the source"
                    )
                continue
            try:
                self.target.jobs.add(job)
            except JobInFlight:
                self.report.problems.append(
                    f"job {job.id}: user {job.user_id} already has a job in flight in the target"
                )
                continue
            self.report.jobs.copied += 1

    def _conversations(self) -> None:
        for state in self.rows.conversations():
            tally = self.report.conversations
            if self.target.conversations.current(state.user_id) == state:
                tally.already += 1
            else:
                self.target.conversations.expect(state)
                tally.copied += 1

    def _preferences(self) -> None:
        for user_id, options in self.rows.preferences():
            tally = self.report.preferences
            if self.target.preferences.get(user_id) == options:
                tally.already += 1
            else:
                self.target.preferences.set(user_id, options)
                tally.copied += 1

    def _payments(self) -> None:
        """Each payment as recorded (refunded ones with their refund); its credits and refund
        are ledger movements, moved with the ledger."""
        for payment in self.rows.payments():
            tally = self.report.payments
            if payment.charge_id in self._purchased:
                tally.copied += 1  # recorded by its purchase: still compared below
            elif self.target.payments.add(payment):
                tally.copied += 1
                continue
            else:
                tally.already += 1
            there = self.target.payments.get(payment.charge_id)
            if there != payment:
                shown = "missing" if there is None else f"{there.state.value}, {there.pages} pages"
                self.report.problems.append(
                    f"payment {payment.charge_id} differs: {shown} in the target, "
                    f"{payment.state.value}, {payment.pages} pages in the source"
                )

    def _checkout_orders(self) -> None:
        """Every card-payment order as it stands (an open one is still polled in the target, and
        a late notification still finds its order there)."""
        for order in self.rows.checkout_orders():
            tally = self.report.checkout_orders
            if self.target.checkout_orders.add(order):
                tally.copied += 1
                continue
            tally.already += 1
            there = self.target.checkout_orders.get(order.order_id)
            if there is not None and there.state.open and not order.state.open:
                self.target.checkout_orders.settle(
                    order.order_id,
                    state=order.state,
                    at=order.updated_at or order.created_at,
                    reason=order.reason,
                )

    def _compare_balances(self, users: list[UserId]) -> None:
        for user_id in users:
            source, target = (
                self.source.ledger.balance(user_id),
                self.target.ledger.balance(user_id),
            )
            if source != target:
                self.report.problems.append(
                    f"user {user_id}: {_shown(target)} in the target; {_shown(source)} in the source"
                )


def _shown(balance: Balance) -> str:
    return f"free {balance.free}, paid {balance.paid}, held {balance.held}"


def _movement(transaction: Transaction) -> tuple[object, ...]:
    """What makes two records the same movement (the time is the target's own business)."""
    return (
        transaction.kind,
        transaction.user_id,
        transaction.source,
        transaction.target,
        transaction.amount,
    )
