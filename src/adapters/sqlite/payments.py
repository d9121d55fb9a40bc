"""Payments stored in SQLite: one row per provider charge id (the primary key)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from paintcore.domain.payments import Payment, PaymentState
from paintcore.domain.users import UserId

from .db import Database, from_text, from_text_or_none, to_text


class SqlitePayments:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, payment: Payment) -> bool:
        with self._db.write() as conn:
            return insert_payment(conn, payment)

    def get(self, charge_id: str) -> Payment | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT * FROM payments WHERE charge_id = ?", (charge_id,)
            ).fetchone()
        return None if row is None else payment_from_row(row)

    def of_user(self, user_id: UserId, *, limit: int = 10) -> list[Payment]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT * FROM payments WHERE user_id = ?"
                " ORDER BY created_at DESC, rowid DESC LIMIT ?",
                (user_id, max(limit, 0)),
            ).fetchall()
        return [payment_from_row(row) for row in rows]

    def refunded(
        self, charge_id: str, *, at: datetime, pages: int, shortfall: int
    ) -> Payment | None:
        with self._db.write() as conn:
            # Guarded on the state: of two racing refunds the first marks it, the second reads it.
            conn.execute(
                """
                UPDATE payments SET state = 'refunded', refunded_at = ?, refunded_pages = ?,
                    shortfall = ?
                WHERE charge_id = ? AND state = 'paid'
                """,
                (to_text(at), pages, shortfall, charge_id),
            )
            row = conn.execute(
                "SELECT * FROM payments WHERE charge_id = ?", (charge_id,)
            ).fetchone()
        return None if row is None else payment_from_row(row)

    def totals(self, *, since: datetime | None = None) -> dict[str, tuple[int, int]]:
        where, params = ("", ()) if since is None else ("WHERE created_at >= ?", (to_text(since),))
        with self._db.read() as conn:
            rows = conn.execute(
                f"""
                SELECT currency, sum(amount) AS received,
                       sum(CASE WHEN state = 'refunded' THEN amount ELSE 0 END) AS refunded
                FROM payments {where} GROUP BY currency ORDER BY currency
                """,
                params,
            ).fetchall()
        return {row["currency"]: (row["received"], row["refunded"]) for row in rows}


def payment_from_row(row: sqlite3.Row) -> Payment:
    return Payment(
        charge_id=row["charge_id"],
        provider=row["provider"],
        user_id=UserId(row["user_id"]),
        pages=row["pages"],
        amount=row["amount"],
        currency=row["currency"],
        created_at=from_text(row["created_at"]),
        state=PaymentState(row["state"]),
        provider_charge_id=row["provider_charge_id"],
        refunded_at=from_text_or_none(row["refunded_at"]),
        refunded_pages=row["refunded_pages"],
        shortfall=row["shortfall"],
    )


def insert_payment(conn: sqlite3.Connection, payment: Payment) -> bool:
    """Insert the payment's row unless its charge id has one; True when inserted."""
    cursor = conn.execute(
        """
        INSERT INTO payments (charge_id, provider, user_id, pages, amount, currency,
            created_at, state, provider_charge_id, refunded_at, refunded_pages, shortfall)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (charge_id) DO NOTHING
        """,
        (
            payment.charge_id,
            payment.provider,
            payment.user_id,
            payment.pages,
            payment.amount,
            payment.currency,
            to_text(payment.created_at),
            payment.state.value,
            payment.provider_charge_id,
            None if payment.refunded_at is None else to_text(payment.refunded_at),
            payment.refunded_pages,
            payment.shortfall,
        ),
    )
    return cursor.rowcount == 1
