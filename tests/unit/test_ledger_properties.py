"""Stateful properties of the credit ledger, run against the in-memory, SQLite and Mongo ledgers.

Hypothesis drives random interleavings of grants (purchases and admin grants, replays included),
refunds (debits of a purchase's pages, partial or not, replays included), reservations, captures
and releases, and after every step checks the ledger against a model kept here and against its own
log. The Mongo machine (on mongomock) also crashes movements between their two writes (a grant or
a refund between its wallet update and its log record, a refund before its outbox entry is pulled,
a reserve before its job's record, a settlement before its wallet update) and checks that
reconcile() leaves the ledger as if nothing had happened.
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import mongomock
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, rule

from adapters.memory import InMemoryLedger, ManualClock
from adapters.mongo import MongoLedger, MongoStore
from adapters.sqlite import SqliteStore
from paintcore.domain.credits import (
    Balance,
    Bucket,
    Hold,
    HoldState,
    SystemAccount,
    TransactionKind,
    purchase_key,
    registration_key,
    system_account,
    user_account,
)
from paintcore.domain.errors import QuotaExceeded
from paintcore.domain.payments import Payment, admin_grant_key, refund_key
from paintcore.domain.users import UserId
from paintcore.ports import Ledger
from support.interrupting import Interrupting, SimulatedCrash

USERS = (UserId(1), UserId(2), UserId(3))
FREE_ON_REGISTRATION = 3
BUCKETS = (Bucket.FREE, Bucket.PAID, Bucket.HELD)

users = st.sampled_from(USERS)


class LedgerMachine(RuleBasedStateMachine):
    """A ledger under random use, next to a model of what each wallet and hold must be."""

    jobs = Bundle("jobs")

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.ledger = self.make_ledger()
        self.wallets = {user: dict.fromkeys(BUCKETS, 0) for user in USERS}
        self.holds: dict[str, Hold] = {}
        self.applied_keys: set[str] = set()
        self.refunded: dict[str, int] = {}  # charge -> pages the refund took (applied ones)
        self.spent = 0
        self.next_job = 0

    def make_ledger(self) -> Ledger:
        raise NotImplementedError

    # -- grants (small key spaces, so replays are frequent) ------------------------------------

    @rule(user=users)
    def register(self, user: UserId) -> None:
        self._grant(
            user, FREE_ON_REGISTRATION, registration_key(user), TransactionKind.REGISTRATION
        )

    @rule(user=users, charge=st.integers(0, 4), amount=st.integers(1, 5))
    def purchase(self, user: UserId, charge: int, amount: int) -> None:
        """A payment recorded and credited; the same charge again (any buyer, any pages) is a
        redelivery or a racer, and credits nothing."""
        charge_id = f"charge-{charge}"
        key = purchase_key(charge_id)

        applied = self.ledger.purchase(a_payment(charge_id, user, amount, self.clock))

        assert applied is (key not in self.applied_keys)
        if applied:
            self.applied_keys.add(key)
            self.wallets[user][Bucket.PAID] += amount

    @rule(user=users, update=st.integers(0, 2), amount=st.integers(1, 3), paid=st.booleans())
    def admin_grant(self, user: UserId, update: int, amount: int, paid: bool) -> None:
        bucket = Bucket.PAID if paid else Bucket.FREE
        self._grant(user, amount, admin_grant_key(update), TransactionKind.ADMIN_GRANT, bucket)

    @rule(user=users, charge=st.integers(0, 4), amount=st.integers(1, 6), partial=st.booleans())
    def refund(self, user: UserId, charge: int, amount: int, partial: bool) -> None:
        """Take a purchase's pages back (any user, any amount: the ledger does not know the
        payment, and its guards must hold whatever it is asked)."""
        key = refund_key(f"charge-{charge}")
        paid = self.wallets[user][Bucket.PAID]
        try:
            taken = self.ledger.debit(
                user_id=user, amount=amount, key=key, kind=TransactionKind.REFUND, partial=partial
            )
        except QuotaExceeded:
            assert not partial and key not in self.applied_keys and paid < amount
            return
        if key in self.applied_keys:
            assert taken is None
            return
        assert taken == (min(amount, paid) if partial else amount)
        if taken:  # a partial debit of an empty bucket records nothing
            self._debited(user, key, taken)

    def _debited(self, user: UserId, key: str, taken: int) -> None:
        self.applied_keys.add(key)
        self.refunded[key] = taken
        self.wallets[user][Bucket.PAID] -= taken

    def _grant(
        self,
        user: UserId,
        amount: int,
        key: str,
        kind: TransactionKind,
        bucket: Bucket = Bucket.FREE,
    ) -> None:
        applied = self.ledger.grant(user_id=user, amount=amount, key=key, kind=kind, bucket=bucket)

        assert applied is (key not in self.applied_keys)
        if applied:
            self.applied_keys.add(key)
            self.wallets[user][bucket] += amount

    # -- holds ---------------------------------------------------------------------------------

    @rule(target=jobs, user=users, amount=st.integers(1, 3))
    def reserve(self, user: UserId, amount: int) -> object:
        job_id = f"job-{self.next_job}"
        self.next_job += 1
        wallet = self.wallets[user]
        bucket = next((b for b in (Bucket.FREE, Bucket.PAID) if wallet[b] >= amount), None)
        if bucket is None:
            with pytest.raises(QuotaExceeded):
                self.ledger.reserve(user_id=user, job_id=job_id, amount=amount)
            assert self.ledger.hold(job_id) is None
            return multiple()

        hold = self.ledger.reserve(user_id=user, job_id=job_id, amount=amount)

        assert hold == Hold(job_id, user, bucket, amount, HoldState.HELD)
        wallet[bucket] -= amount
        wallet[Bucket.HELD] += amount
        self.holds[job_id] = hold
        return job_id

    @rule(job_id=jobs)
    def replay_reserve(self, job_id: str) -> None:
        known = self.holds[job_id]

        again = self.ledger.reserve(user_id=known.user_id, job_id=job_id, amount=known.amount)

        assert again == known

    @rule(job_id=jobs)
    def capture(self, job_id: str) -> None:
        self._settle(job_id, HoldState.CAPTURED)

    @rule(job_id=jobs)
    def release(self, job_id: str) -> None:
        self._settle(job_id, HoldState.RELEASED)

    @rule(job=st.integers(1000, 1003))
    def settle_unknown_job(self, job: int) -> None:
        assert self.ledger.capture(job_id=f"job-{job}") is False
        assert self.ledger.release(job_id=f"job-{job}") is False

    def _settle(self, job_id: str, outcome: HoldState) -> None:
        known = self.holds[job_id]
        settle = self.ledger.capture if outcome is HoldState.CAPTURED else self.ledger.release

        settled = settle(job_id=job_id)

        # Only the first capture or release of a hold does anything.
        assert settled is (known.state is HoldState.HELD)
        if settled:
            self.holds[job_id] = replace(known, state=outcome)
            wallet = self.wallets[known.user_id]
            wallet[Bucket.HELD] -= known.amount
            if outcome is HoldState.CAPTURED:
                self.spent += known.amount
            else:
                wallet[known.bucket] += known.amount

    @rule(seconds=st.integers(0, 120))
    def time_passes(self, seconds: int) -> None:
        self.clock.advance(seconds)

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def wallets_match_the_model_and_are_never_negative(self) -> None:
        for user in USERS:
            balance = self.ledger.balance(user)
            expected = self.wallets[user]
            assert balance == Balance(
                expected[Bucket.FREE], expected[Bucket.PAID], expected[Bucket.HELD]
            )
            assert min(balance.free, balance.paid, balance.held) >= 0

    @invariant()
    def held_is_the_sum_of_outstanding_holds(self) -> None:
        for user in USERS:
            outstanding = sum(
                h.amount
                for h in self.holds.values()
                if h.user_id == user and h.state is HoldState.HELD
            )
            assert self.ledger.balance(user).held == outstanding
        for job_id, known in self.holds.items():
            assert self.ledger.hold(job_id) == known

    @invariant()
    def each_charge_is_credited_and_refunded_at_most_once(self) -> None:
        log = self.ledger.transactions()
        credits = Counter(t.key for t in log if t.kind is TransactionKind.PURCHASE)
        refunds = {t.key: t.amount for t in log if t.kind is TransactionKind.REFUND}
        assert all(n == 1 for n in credits.values())
        assert refunds == self.refunded
        assert all(
            t.source == user_account(t.user_id, Bucket.PAID)
            and t.target == system_account(SystemAccount.SALES)
            for t in log
            if t.kind is TransactionKind.REFUND
        )

    @invariant()
    def the_log_sums_to_zero_and_explains_every_wallet(self) -> None:
        log = self.ledger.transactions()
        totals: Counter[str] = Counter()
        for t in log:
            assert t.amount > 0
            totals[t.source] -= t.amount
            totals[t.target] += t.amount

        assert sum(totals.values()) == 0
        assert len({t.key for t in log}) == len(log)
        assert [t.created_at for t in log] == sorted(t.created_at for t in log)
        assert totals[system_account(SystemAccount.SPENT)] == self.spent
        for user in USERS:
            assert self.ledger.balance(user) == Balance(
                *(totals[user_account(user, bucket)] for bucket in BUCKETS)
            )
            assert self.ledger.transactions(user) == [t for t in log if t.user_id == user]


class InMemoryLedgerMachine(LedgerMachine):
    def make_ledger(self) -> Ledger:
        return InMemoryLedger(self.clock)


class SqliteLedgerMachine(LedgerMachine):
    def make_ledger(self) -> Ledger:
        # A fresh file per run: Hypothesis builds many machines in one test.
        self.directory = Path(tempfile.mkdtemp(prefix="paintbot-ledger-"))
        self.store = SqliteStore(self.directory / "ledger.sqlite3", self.clock)
        return self.store.ledger

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.directory, ignore_errors=True)


class MongoLedgerMachine(LedgerMachine):
    def make_ledger(self) -> Ledger:
        # One thread here, so mongomock needs no serializing (docs/MONGO.md, "mongomock vs a real server").
        self.db = mongomock.MongoClient().get_database("ledger")
        self.store = MongoStore(self.db.client, "ledger", self.clock)
        self.next_crash = 0
        return self.store.ledger

    def crashing(self, collection: str, method: str, call: int = 1) -> MongoLedger:
        """The same ledger, on a connection that dies before its `call`-th `collection.method`."""
        names = ("wallets", "transactions", "jobs", "payments")
        wallets, log, jobs, payments = (
            Interrupting(self.db.get_collection(name), method, call)
            if name == collection
            else self.db.get_collection(name)
            for name in names
        )
        return MongoLedger(wallets, log, jobs, payments, self.clock)

    def reconcile(self) -> int:
        """Heal at once: no reserve is on its way here, so no grace period is needed."""
        return self.store.reconcile(timedelta(0))

    @rule(user=users, amount=st.integers(1, 3), free=st.booleans())
    def grant_dies_before_its_log_record(self, user: UserId, amount: int, free: bool) -> None:
        key, bucket = f"crash:{self.next_crash}", Bucket.FREE if free else Bucket.PAID
        self.next_crash += 1
        with pytest.raises(SimulatedCrash):
            self.crashing("transactions", "insert_one").grant(
                user_id=user,
                amount=amount,
                key=key,
                kind=TransactionKind.ADMIN_GRANT,
                bucket=bucket,
            )

        assert self.reconcile() == 1

        self.applied_keys.add(key)
        self.wallets[user][bucket] += amount

    @rule(user=users, amount=st.integers(1, 5), redelivered=st.booleans())
    def purchase_dies_between_the_insert_and_the_wallet(
        self, user: UserId, amount: int, redelivered: bool
    ) -> None:
        """The payment document is in, its credit is not: a redelivery of the payment or
        reconcile() credits it, once."""
        charge_id = f"crash-charge-{self.next_crash}"
        self.next_crash += 1
        payment = a_payment(charge_id, user, amount, self.clock)
        with pytest.raises(SimulatedCrash):
            self.crashing("wallets", "update_one").purchase(payment)

        if redelivered:
            assert self.ledger.purchase(payment) is True
            assert self.reconcile() == 0
        else:
            assert self.reconcile() == 1
            assert self.ledger.purchase(payment) is False

        self.applied_keys.add(purchase_key(charge_id))
        self.wallets[user][Bucket.PAID] += amount

    @rule(target=LedgerMachine.jobs, user=users, amount=st.integers(1, 3))
    def reserve_dies_before_its_job_record(self, user: UserId, amount: int) -> object:
        wallet = self.wallets[user]
        bucket = next((b for b in (Bucket.FREE, Bucket.PAID) if wallet[b] >= amount), None)
        if bucket is None:
            return multiple()
        job_id = f"job-{self.next_job}"
        self.next_job += 1
        with pytest.raises(SimulatedCrash):
            self.crashing("jobs", "update_one").reserve(user_id=user, job_id=job_id, amount=amount)

        assert self.reconcile() == 1

        wallet[bucket] -= amount
        wallet[Bucket.HELD] += amount
        self.holds[job_id] = Hold(job_id, user, bucket, amount, HoldState.HELD)
        return job_id

    @rule(job_id=LedgerMachine.jobs, capture=st.booleans())
    def settlement_dies_before_its_wallet_update(self, job_id: str, capture: bool) -> None:
        known = self.holds[job_id]
        if known.state is not HoldState.HELD:
            return
        crashing = self.crashing("wallets", "update_one")
        with pytest.raises(SimulatedCrash):
            (crashing.capture if capture else crashing.release)(job_id=job_id)

        assert self.reconcile() == 1

        outcome = HoldState.CAPTURED if capture else HoldState.RELEASED
        self.holds[job_id] = replace(known, state=outcome)
        self.wallets[known.user_id][Bucket.HELD] -= known.amount
        if capture:
            self.spent += known.amount
        else:
            self.wallets[known.user_id][known.bucket] += known.amount

    @rule(user=users, amount=st.integers(1, 3), logged=st.booleans())
    def refund_dies_between_its_writes(self, user: UserId, amount: int, logged: bool) -> None:
        """A debit killed before its log record, or after it but before its entry is pulled."""
        if self.wallets[user][Bucket.PAID] < amount:
            return
        key = refund_key(f"crash-{self.next_crash}")
        self.next_crash += 1
        where = ("wallets", "update_one", 2) if logged else ("transactions", "insert_one", 1)
        with pytest.raises(SimulatedCrash):
            self.crashing(*where).debit(
                user_id=user, amount=amount, key=key, kind=TransactionKind.REFUND
            )

        assert self.reconcile() == 1

        self._debited(user, key, amount)

    @invariant()
    def nothing_is_left_pending(self) -> None:
        assert self.reconcile() == 0


PROPERTY_SETTINGS = settings(max_examples=100, stateful_step_count=50, deadline=None)

TestInMemoryLedgerProperties = InMemoryLedgerMachine.TestCase
TestInMemoryLedgerProperties.settings = PROPERTY_SETTINGS
TestSqliteLedgerProperties = SqliteLedgerMachine.TestCase
TestSqliteLedgerProperties.settings = PROPERTY_SETTINGS
TestMongoLedgerProperties = MongoLedgerMachine.TestCase
TestMongoLedgerProperties.settings = PROPERTY_SETTINGS


def a_payment(charge_id: str, user: UserId, pages: int, clock: ManualClock) -> Payment:
    return Payment(charge_id, "stars", user, pages, pages * 5, "XTR", clock.now())
