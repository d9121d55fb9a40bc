"""Everything an embedded deployment holds, read in full (for `paintbot migrate`).

The ports answer questions about one user or one job; moving a deployment needs every row, in
the order it was written, so this reads the tables directly with the same row mapping as the ports.
"""

from __future__ import annotations

from paintcore.domain.checkout import CheckoutOrder
from paintcore.domain.conversation import ConversationState
from paintcore.domain.jobs import Job
from paintcore.domain.pages import PageOptions
from paintcore.domain.payments import Payment
from paintcore.domain.users import User, UserId

from .checkout_orders import order_from_row
from .conversations import conversation_from_row
from .db import Database
from .jobs import job_from_row
from .payments import payment_from_row
from .preferences import options_from_row
from .users import user_from_row


class SqliteExport:
    def __init__(self, db: Database) -> None:
        self._db = db

    def users(self) -> list[User]:
        """Every user, blocked and banned ones included, in id order."""
        with self._db.read() as conn:
            rows = conn.execute("SELECT * FROM users ORDER BY id").fetchall()
        return [user_from_row(row) for row in rows]

    def jobs(self) -> list[Job]:
        """Every job in every state, oldest first."""
        with self._db.read() as conn:
            rows = conn.execute("SELECT * FROM jobs ORDER BY created_at, rowid").fetchall()
        return [job_from_row(row) for row in rows]

    def conversations(self) -> list[ConversationState]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT user_id, awaiting, updated_at, payload FROM conversations ORDER BY user_id"
            ).fetchall()
        return [conversation_from_row(UserId(row["user_id"]), row) for row in rows]

    def preferences(self) -> list[tuple[UserId, PageOptions]]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT user_id, level, style, paper FROM preferences ORDER BY user_id"
            ).fetchall()
        return [(UserId(row["user_id"]), options_from_row(row)) for row in rows]

    def payments(self) -> list[Payment]:
        """Every payment, refunded ones included, oldest first."""
        with self._db.read() as conn:
            rows = conn.execute("SELECT * FROM payments ORDER BY created_at, rowid").fetchall()
        return [payment_from_row(row) for row in rows]

    def checkout_orders(self) -> list[CheckoutOrder]:
        """Every card-payment order in every state, oldest first."""
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT * FROM checkout_orders ORDER BY created_at, order_id"
            ).fetchall()
        return [order_from_row(row) for row in rows]
