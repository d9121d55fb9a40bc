"""The credit ledger in SQLite: wallets, holds and an append-only log of keyed transactions.

Every balance change is a guarded UPDATE inside a BEGIN IMMEDIATE transaction that also writes
its ledger transaction, so a wallet never goes below zero and never drifts from the log.
"""

from __future__ import annotations

import sqlite3

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
from paintcore.domain.errors import DuplicateTransaction, QuotaExceeded
from paintcore.domain.payments import Payment
from paintcore.domain.users import UserId
from paintcore.ports import Clock

from .db import Database, from_text, to_text
from .payments import insert_payment

# Column names cannot be bound as parameters, so each bucket gets its statement, built here from
# the enum's fixed values and never from input.
_USER_BUCKETS = (Bucket.FREE, Bucket.PAID)
_CREDIT = {
    b: f"UPDATE wallets SET {b} = {b} + :amount WHERE user_id = :user" for b in _USER_BUCKETS
}
_TAKE = {
    b: f"UPDATE wallets SET {b} = {b} - :amount, held = held + :amount"
    f" WHERE user_id = :user AND {b} >= :amount"
    for b in _USER_BUCKETS
}
_GIVE_BACK = {
    b: f"UPDATE wallets SET held = held - :amount, {b} = {b} + :amount"
    " WHERE user_id = :user AND held >= :amount"
    for b in _USER_BUCKETS
}
_DEBIT = "UPDATE wallets SET paid = paid - :amount WHERE user_id = :user AND paid >= :amount"
_SPEND = "UPDATE wallets SET held = held - :amount WHERE user_id = :user AND held >= :amount"


class SqliteLedger:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def grant(
        self, *, user_id: UserId, amount: int, key: str, kind: TransactionKind, bucket: Bucket
    ) -> bool:
        source = grant_source(user_id=user_id, amount=amount, key=key, bucket=bucket)
        with self._db.write() as conn:
            return self._credit(conn, user_id, amount, key, kind, source, bucket)

    def purchase(self, payment: Payment) -> bool:
        if payment.pages <= 0:
            raise ValueError("a purchase must credit pages")
        with self._db.write() as conn:  # one BEGIN IMMEDIATE: the record and the credit together
            if not insert_payment(conn, payment):
                return False
            return self._credit(
                conn,
                payment.user_id,
                payment.pages,
                purchase_key(payment.charge_id),
                TransactionKind.PURCHASE,
                system_account(SystemAccount.SALES),
                Bucket.PAID,
            )

    def _credit(
        self,
        conn: sqlite3.Connection,
        user_id: UserId,
        amount: int,
        key: str,
        kind: TransactionKind,
        source: str,
        bucket: Bucket,
    ) -> bool:
        """Log a grant and credit its bucket; False (nothing credited) if its key was logged."""
        target = user_account(user_id, bucket)
        if not self._append(conn, key, kind, user_id, source, target, amount, replay_ok=True):
            return False
        conn.execute("INSERT INTO wallets (user_id) VALUES (?) ON CONFLICT DO NOTHING", (user_id,))
        conn.execute(_CREDIT[bucket], {"amount": amount, "user": user_id})
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
        with self._db.write() as conn:
            if conn.execute("SELECT 1 FROM transactions WHERE key = ?", (key,)).fetchone():
                return None
            taken = amount
            if partial:
                row = conn.execute(
                    "SELECT paid FROM wallets WHERE user_id = ?", (user_id,)
                ).fetchone()
                taken = min(amount, 0 if row is None else row["paid"])
                if taken == 0:
                    return 0
            # The guard is the UPDATE's: inside BEGIN IMMEDIATE nobody moves between the read
            # above and here, and the WHERE refuses anything that would go below zero anyway.
            if not conn.execute(_DEBIT, {"amount": taken, "user": user_id}).rowcount:
                raise QuotaExceeded(f"user {user_id} has fewer than {amount} bought credits")
            source = user_account(user_id, Bucket.PAID)
            target = system_account(SystemAccount.SALES)
            self._append(conn, key, kind, user_id, source, target, taken)
        return taken

    def reserve(self, *, user_id: UserId, job_id: str, amount: int = 1) -> Hold:
        if amount <= 0:
            raise ValueError("a reservation must be positive")
        params = {"amount": amount, "user": user_id}
        with self._db.write() as conn:
            existing = _hold(conn, job_id)
            if existing is not None:
                return existing
            # Free credits first; a hold takes from one bucket only, so it can remember it.
            bucket = next(
                (b for b in _USER_BUCKETS if conn.execute(_TAKE[b], params).rowcount),
                None,
            )
            if bucket is None:
                raise QuotaExceeded(f"user {user_id} has not {amount} credit(s) in one bucket")
            conn.execute(
                "INSERT INTO holds (job_id, user_id, bucket, amount, state) VALUES (?, ?, ?, ?, ?)",
                (job_id, user_id, bucket.value, amount, HoldState.HELD.value),
            )
            source, target = user_account(user_id, bucket), user_account(user_id, Bucket.HELD)
            key = reserve_key(job_id)
            self._append(conn, key, TransactionKind.RESERVE, user_id, source, target, amount)
        return Hold(job_id, user_id, bucket, amount, HoldState.HELD)

    def capture(self, *, job_id: str) -> bool:
        return self._settle(job_id, HoldState.CAPTURED)

    def release(self, *, job_id: str) -> bool:
        return self._settle(job_id, HoldState.RELEASED)

    def hold(self, job_id: str) -> Hold | None:
        with self._db.read() as conn:
            return _hold(conn, job_id)

    def balance(self, user_id: UserId) -> Balance:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT free, paid, held FROM wallets WHERE user_id = ?", (user_id,)
            ).fetchone()
        return Balance() if row is None else Balance(row["free"], row["paid"], row["held"])

    def transactions(self, user_id: UserId | None = None) -> list[Transaction]:
        # Two fixed shapes rather than `? IS NULL OR user_id = ?`, which would not use the index.
        where, params = ("", ()) if user_id is None else ("WHERE user_id = ?", (user_id,))
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT * FROM transactions {where} ORDER BY seq", params
            ).fetchall()
        return [_transaction(row) for row in rows]

    def _settle(self, job_id: str, outcome: HoldState) -> bool:
        """Capture or release: the first guarded UPDATE of a hold wins; later ones match nothing."""
        with self._db.write() as conn:
            settled = conn.execute(
                "UPDATE holds SET state = ? WHERE job_id = ? AND state = 'held'",
                (outcome.value, job_id),
            ).rowcount
            if not settled:
                return False
            hold = _hold(conn, job_id)
            assert hold is not None  # the UPDATE above just matched it
            params = {"amount": hold.amount, "user": hold.user_id}
            if outcome is HoldState.CAPTURED:
                kind, key = TransactionKind.CAPTURE, capture_key(job_id)
                target = system_account(SystemAccount.SPENT)
                moved = conn.execute(_SPEND, params).rowcount
            else:
                kind, key = TransactionKind.RELEASE, release_key(job_id)
                target = user_account(hold.user_id, hold.bucket)
                moved = conn.execute(_GIVE_BACK[hold.bucket], params).rowcount
            if not moved:
                raise RuntimeError(f"ledger corrupt: wallet of user {hold.user_id} lacks the hold")
            source = user_account(hold.user_id, Bucket.HELD)
            self._append(conn, key, kind, hold.user_id, source, target, hold.amount)
        return True

    def _append(
        self,
        conn: sqlite3.Connection,
        key: str,
        kind: TransactionKind,
        user_id: UserId,
        source: str,
        target: str,
        amount: int,
        *,
        replay_ok: bool = False,
    ) -> bool:
        """Log a transaction; False if its key exists and `replay_ok`, else DuplicateTransaction."""
        values = (key, kind.value, user_id, source, target, amount, to_text(self._clock.now()))
        statement = """
            INSERT INTO transactions (key, kind, user_id, source, target, amount, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
        """
        if replay_ok:
            return conn.execute(f"{statement} ON CONFLICT (key) DO NOTHING", values).rowcount == 1
        try:
            conn.execute(statement, values)
        except sqlite3.IntegrityError as error:
            # A hold's key (reserve:/capture:/release:) already taken by some other transaction.
            if "transactions.key" in str(error):
                raise DuplicateTransaction(f"transaction {key} already exists") from error
            raise
        return True


def _hold(conn: sqlite3.Connection, job_id: str) -> Hold | None:
    row = conn.execute(
        "SELECT user_id, bucket, amount, state FROM holds WHERE job_id = ?", (job_id,)
    ).fetchone()
    if row is None:
        return None
    return Hold(
        job_id,
        UserId(row["user_id"]),
        Bucket(row["bucket"]),
        row["amount"],
        HoldState(row["state"]),
    )


def _transaction(row: sqlite3.Row) -> Transaction:
    return Transaction(
        key=row["key"],
        kind=TransactionKind(row["kind"]),
        user_id=UserId(row["user_id"]),
        source=row["source"],
        target=row["target"],
        amount=row["amount"],
        created_at=from_text(row["created_at"]),
    )
