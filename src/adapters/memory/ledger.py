"""In-memory Ledger: the money rules under one lock, with the transactions kept for inspection."""

from __future__ import annotations

import threading
from dataclasses import replace

from paintcore.domain.credits import (
    Balance,
    Bucket,
    Hold,
    HoldState,
    SystemAccount,
    Transaction,
    TransactionKind,
    capture_key,
    check_debit_key,
    grant_source,
    purchase_key,
    release_key,
    reserve_key,
    system_account,
    user_account,
)
from paintcore.domain.errors import QuotaExceeded
from paintcore.domain.payments import Payment
from paintcore.domain.users import UserId
from paintcore.ports import Clock

from .payments import InMemoryPayments


class InMemoryLedger:
    """`payments` is the store's (a purchase records its payment there); a ledger built alone
    gets its own."""

    def __init__(self, clock: Clock, payments: InMemoryPayments | None = None) -> None:
        self._clock = clock
        self._payments = InMemoryPayments() if payments is None else payments
        self._lock = threading.Lock()
        self.wallets: dict[UserId, dict[Bucket, int]] = {}
        self.holds: dict[str, Hold] = {}
        self.log: list[Transaction] = []
        self._keys: set[str] = set()

    def grant(
        self, *, user_id: UserId, amount: int, key: str, kind: TransactionKind, bucket: Bucket
    ) -> bool:
        source = grant_source(user_id=user_id, amount=amount, key=key, bucket=bucket)
        with self._lock:
            if key in self._keys:
                return False
            self._record(key, kind, user_id, source, user_account(user_id, bucket), amount)
            self._wallet(user_id)[bucket] += amount
            return True

    def purchase(self, payment: Payment) -> bool:
        if payment.pages <= 0:
            raise ValueError("a purchase must credit pages")
        key = purchase_key(payment.charge_id)
        with self._lock:
            if not self._payments.add(payment):
                return False
            if key in self._keys:  # granted before the record (an older version's order)
                return False
            user_id = payment.user_id
            source = system_account(SystemAccount.SALES)
            target = user_account(user_id, Bucket.PAID)
            self._record(key, TransactionKind.PURCHASE, user_id, source, target, payment.pages)
            self._wallet(user_id)[Bucket.PAID] += payment.pages
            return True

    def debit(
        self,
        *,
        user_id: UserId,
        amount: int,
        key: str,
        kind: TransactionKind,
        partial: bool = False,
    ) -> int | None:
        check_debit_key(amount, key)
        with self._lock:
            if key in self._keys:
                return None
            wallet = self._wallet(user_id)
            taken = min(amount, wallet[Bucket.PAID]) if partial else amount
            if taken > wallet[Bucket.PAID]:
                raise QuotaExceeded(f"user {user_id} has {wallet[Bucket.PAID]} bought credits")
            if taken == 0:
                return 0
            wallet[Bucket.PAID] -= taken
            self._record(
                key,
                kind,
                user_id,
                user_account(user_id, Bucket.PAID),
                system_account(SystemAccount.SALES),
                taken,
            )
            return taken

    def reserve(self, *, user_id: UserId, job_id: str, amount: int = 1) -> Hold:
        if amount <= 0:
            raise ValueError("a reservation must be positive")
        with self._lock:
            existing = self.holds.get(job_id)
            if existing is not None:
                return existing
            wallet = self._wallet(user_id)
            bucket = next((b for b in (Bucket.FREE, Bucket.PAID) if wallet[b] >= amount), None)
            if bucket is None:
                raise QuotaExceeded(
                    f"user {user_id} has {wallet[Bucket.FREE] + wallet[Bucket.PAID]} credits"
                )
            wallet[bucket] -= amount
            wallet[Bucket.HELD] += amount
            hold = Hold(job_id, user_id, bucket, amount, HoldState.HELD)
            self.holds[job_id] = hold
            self._record(
                reserve_key(job_id),
                TransactionKind.RESERVE,
                user_id,
                user_account(user_id, bucket),
                user_account(user_id, Bucket.HELD),
                amount,
            )
            return hold

    def capture(self, *, job_id: str) -> bool:
        return self._settle(job_id, HoldState.CAPTURED)

    def release(self, *, job_id: str) -> bool:
        return self._settle(job_id, HoldState.RELEASED)

    def hold(self, job_id: str) -> Hold | None:
        with self._lock:
            return self.holds.get(job_id)

    def balance(self, user_id: UserId) -> Balance:
        with self._lock:
            w = self.wallets.get(user_id)
            if w is None:
                return Balance()
            return Balance(free=w[Bucket.FREE], paid=w[Bucket.PAID], held=w[Bucket.HELD])

    def transactions(self, user_id: UserId | None = None) -> list[Transaction]:
        with self._lock:
            return [t for t in self.log if user_id is None or t.user_id == user_id]

    def _settle(self, job_id: str, outcome: HoldState) -> bool:
        with self._lock:
            hold = self.holds.get(job_id)
            if hold is None or hold.state is not HoldState.HELD:
                return False
            self.holds[job_id] = replace(hold, state=outcome)
            wallet = self._wallet(hold.user_id)
            wallet[Bucket.HELD] -= hold.amount
            if outcome is HoldState.CAPTURED:
                key, kind, target = (
                    capture_key(job_id),
                    TransactionKind.CAPTURE,
                    system_account(SystemAccount.SPENT),
                )
            else:
                wallet[hold.bucket] += hold.amount
                key, kind = release_key(job_id), TransactionKind.RELEASE
                target = user_account(hold.user_id, hold.bucket)
            self._record(
                key,
                kind,
                hold.user_id,
                user_account(hold.user_id, Bucket.HELD),
                target,
                hold.amount,
            )
            return True

    def _wallet(self, user_id: UserId) -> dict[Bucket, int]:
        return self.wallets.setdefault(user_id, dict.fromkeys(Bucket, 0))

    def _record(
        self,
        key: str,
        kind: TransactionKind,
        user_id: UserId,
        source: str,
        target: str,
        amount: int,
    ) -> None:
        self._keys.add(key)
        self.log.append(Transaction(key, kind, user_id, source, target, amount, self._clock.now()))
