"""Checkout orders in SQLite: one row per order id; every move of an order is one UPDATE guarded
by its state, so of two processes moving one order (a notification and the poller) one does."""

from __future__ import annotations

import sqlite3
from contextlib import suppress
from datetime import datetime

from paintcore.domain.checkout import CheckoutOrder, OrderState
from paintcore.domain.payments import Pack
from paintcore.domain.users import UserId

from .db import Database, from_text, from_text_or_none, to_text

_OPEN = "state IN ('new', 'pending')"  # word for word the open-orders index's condition


class SqliteCheckoutOrders:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, order: CheckoutOrder) -> bool:
        with self._db.write() as conn:
            cursor = conn.execute(
                """
                INSERT INTO checkout_orders (order_id, provider, user_id, chat_id, pages, price,
                    currency, state, payment_id, confirmation_url, created_at, updated_at, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (order_id) DO NOTHING
                """,
                (
                    order.order_id,
                    order.provider,
                    order.user_id,
                    order.chat_id,
                    order.pack.pages,
                    order.pack.price,
                    order.pack.currency,
                    order.state.value,
                    order.payment_id,
                    order.confirmation_url,
                    to_text(order.created_at),
                    None if order.updated_at is None else to_text(order.updated_at),
                    order.reason,
                ),
            )
        return cursor.rowcount == 1

    def get(self, order_id: str) -> CheckoutOrder | None:
        with self._db.read() as conn:
            row = _row(conn, order_id)
        return None if row is None else order_from_row(row)

    def by_payment(self, provider: str, payment_id: str) -> CheckoutOrder | None:
        with self._db.read() as conn:
            # `payment_id <> ''` lets SQLite use the partial unique index (and '' is no payment).
            row = conn.execute(
                "SELECT * FROM checkout_orders"
                " WHERE provider = ? AND payment_id = ? AND payment_id <> ''",
                (provider, payment_id),
            ).fetchone()
        return None if row is None else order_from_row(row)

    def attach(
        self, order_id: str, *, payment_id: str, confirmation_url: str, at: datetime
    ) -> CheckoutOrder | None:
        with self._db.write() as conn:
            # An IntegrityError: another order has this payment, so this one cannot take it.
            with suppress(sqlite3.IntegrityError):
                conn.execute(
                    """
                    UPDATE checkout_orders
                    SET state = 'pending', payment_id = ?, confirmation_url = ?, updated_at = ?
                    WHERE order_id = ? AND state = 'new'
                    """,
                    (payment_id, confirmation_url, to_text(at), order_id),
                )
            row = _row(conn, order_id)
        if row is None or row["state"] != "pending" or row["payment_id"] != payment_id:
            return None
        return order_from_row(row)  # moved now, or by an earlier call with this payment

    def settle(
        self, order_id: str, *, state: OrderState, at: datetime, reason: str = ""
    ) -> CheckoutOrder | None:
        if state.open:
            raise ValueError(f"an order settles to a final state, not {state.value}")
        with self._db.write() as conn:
            cursor = conn.execute(
                f"UPDATE checkout_orders SET state = ?, updated_at = ?, reason = ?"
                f" WHERE order_id = ? AND {_OPEN}",
                (state.value, to_text(at), reason, order_id),
            )
            row = _row(conn, order_id) if cursor.rowcount == 1 else None
        return None if row is None else order_from_row(row)

    def open_orders(self, *, provider: str, limit: int = 100) -> list[CheckoutOrder]:
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT * FROM checkout_orders WHERE provider = ? AND {_OPEN}"
                " ORDER BY created_at, order_id LIMIT ?",
                (provider, max(limit, 0)),
            ).fetchall()
        return [order_from_row(row) for row in rows]

    def of_user(self, user_id: UserId, *, limit: int = 10) -> list[CheckoutOrder]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT * FROM checkout_orders WHERE user_id = ?"
                " ORDER BY created_at DESC, order_id DESC LIMIT ?",
                (user_id, max(limit, 0)),
            ).fetchall()
        return [order_from_row(row) for row in rows]


def _row(conn: sqlite3.Connection, order_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM checkout_orders WHERE order_id = ?", (order_id,)
    ).fetchone()
    return row


def order_from_row(row: sqlite3.Row) -> CheckoutOrder:
    return CheckoutOrder(
        order_id=row["order_id"],
        provider=row["provider"],
        user_id=UserId(row["user_id"]),
        chat_id=row["chat_id"],
        pack=Pack(row["pages"], row["price"], row["currency"]),
        created_at=from_text(row["created_at"]),
        state=OrderState(row["state"]),
        payment_id=row["payment_id"],
        confirmation_url=row["confirmation_url"],
        updated_at=from_text_or_none(row["updated_at"]),
        reason=row["reason"],
    )
