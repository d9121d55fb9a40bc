"""Broadcasts stored in SQLite: one row per broadcast, one per recipient's delivery."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from paintcore.domain.broadcasts import (
    Audience,
    Broadcast,
    BroadcastCounts,
    BroadcastId,
    BroadcastState,
    CopiedMessage,
    Delivery,
)
from paintcore.domain.errors import BroadcastRunning
from paintcore.domain.users import UserId

from .db import Database, from_text, from_text_or_none, to_text


class SqliteBroadcasts:
    def __init__(self, db: Database) -> None:
        self._db = db

    def start(self, broadcast: Broadcast) -> Broadcast:
        audience = broadcast.audience
        since = None if audience.active_since is None else to_text(audience.active_since)
        with self._db.write() as conn:
            if conn.execute("SELECT 1 FROM broadcasts WHERE id = ?", (broadcast.id,)).fetchone():
                raise ValueError(f"broadcast {broadcast.id} exists")
            try:
                conn.execute(
                    """
                    INSERT INTO broadcasts (id, admin_id, from_chat_id, message_id, language,
                        active_since, paid, state, created_at, started_at, status_message_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)
                    """,
                    (
                        broadcast.id,
                        broadcast.admin_id,
                        broadcast.message.from_chat_id,
                        broadcast.message.message_id,
                        audience.language,
                        since,
                        int(broadcast.paid),
                        to_text(broadcast.created_at),
                        to_text(broadcast.started_at),
                        broadcast.status_message_id,
                    ),
                )
            except sqlite3.IntegrityError as error:  # the one-running index
                raise BroadcastRunning("another broadcast is running") from error
            # The snapshot in one statement, inside the same transaction: all or nothing.
            total = conn.execute(
                "INSERT INTO broadcast_deliveries (broadcast_id, user_id)"
                f" SELECT ?, id {_RECIPIENTS} ORDER BY id",
                (broadcast.id, *_recipients_params(audience)),
            ).rowcount
            conn.execute("UPDATE broadcasts SET total = ? WHERE id = ?", (total, broadcast.id))
            row = conn.execute("SELECT * FROM broadcasts WHERE id = ?", (broadcast.id,)).fetchone()
        return _from_row(row)

    def get(self, broadcast_id: BroadcastId) -> Broadcast | None:
        return self._one("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))

    def audience_size(self, audience: Audience) -> int:
        with self._db.read() as conn:
            row = conn.execute(
                f"SELECT count(*) {_RECIPIENTS}", _recipients_params(audience)
            ).fetchone()
        count: int = row[0]
        return count

    def claim(
        self,
        broadcast_id: BroadcastId,
        owner: str,
        *,
        until: datetime,
        now: datetime,
        replacing: str | None = None,
    ) -> bool:
        # Free, ran out, renewed or taken over, in the UPDATE's guard (text order is time order;
        # `lease_owner = NULL` is never true, so no `replacing` matches nobody).
        with self._db.write() as conn:
            cursor = conn.execute(
                """
                UPDATE broadcasts SET lease_owner = ?, lease_until = ?
                WHERE id = ? AND state = 'running' AND (
                    lease_owner IS NULL OR lease_until <= ? OR lease_owner = ? OR lease_owner = ?
                )
                """,
                (owner, to_text(until), broadcast_id, to_text(now), owner, replacing),
            )
        return cursor.rowcount == 1

    def release(self, broadcast_id: BroadcastId, owner: str) -> bool:
        with self._db.write() as conn:
            cursor = conn.execute(
                """
                UPDATE broadcasts SET lease_owner = NULL, lease_until = NULL
                WHERE id = ? AND lease_owner = ?
                """,
                (broadcast_id, owner),
            )
        return cursor.rowcount == 1

    def current(self) -> Broadcast | None:
        return self._one("SELECT * FROM broadcasts WHERE state = 'running'", ())

    def latest(self) -> Broadcast | None:
        return self._one(
            "SELECT * FROM broadcasts ORDER BY started_at DESC, rowid DESC LIMIT 1", ()
        )

    def pending(
        self, broadcast_id: BroadcastId, *, after: UserId | None = None, limit: int = 100
    ) -> list[UserId]:
        with self._db.read() as conn:
            rows = conn.execute(
                """
                SELECT user_id FROM broadcast_deliveries
                WHERE broadcast_id = ? AND state = 'pending' AND user_id > ?
                ORDER BY user_id LIMIT ?
                """,
                (broadcast_id, -(2**63) if after is None else after, max(limit, 0)),
            ).fetchall()
        return [UserId(row["user_id"]) for row in rows]

    def record(
        self, broadcast_id: BroadcastId, user_id: UserId, outcome: Delivery, *, at: datetime
    ) -> bool:
        if outcome is Delivery.PENDING:
            raise ValueError("a delivery is recorded with its outcome, not as pending")
        with self._db.write() as conn:
            # The exactly-once guard: only a pending delivery changes.
            cursor = conn.execute(
                """
                UPDATE broadcast_deliveries SET state = ?, recorded_at = ?
                WHERE broadcast_id = ? AND user_id = ? AND state = 'pending'
                """,
                (outcome.value, to_text(at), broadcast_id, user_id),
            )
        return cursor.rowcount == 1

    def counts(self, broadcast_id: BroadcastId) -> BroadcastCounts:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT state, count(*) AS n FROM broadcast_deliveries"
                " WHERE broadcast_id = ? GROUP BY state",
                (broadcast_id,),
            ).fetchall()
        found = {row["state"]: row["n"] for row in rows}
        return BroadcastCounts(
            sent=found.get("sent", 0),
            blocked=found.get("blocked", 0),
            failed=found.get("failed", 0),
            pending=found.get("pending", 0),
        )

    def cancel(self, broadcast_id: BroadcastId, *, at: datetime) -> bool:
        return self._end(broadcast_id, BroadcastState.CANCELLED, at)

    def finish(self, broadcast_id: BroadcastId, *, at: datetime) -> bool:
        return self._end(broadcast_id, BroadcastState.DONE, at)

    def _end(self, broadcast_id: BroadcastId, state: BroadcastState, at: datetime) -> bool:
        with self._db.write() as conn:
            cursor = conn.execute(
                "UPDATE broadcasts SET state = ?, finished_at = ? WHERE id = ? AND state = 'running'",
                (state.value, to_text(at), broadcast_id),
            )
        return cursor.rowcount == 1

    def _one(self, query: str, params: tuple[object, ...]) -> Broadcast | None:
        with self._db.read() as conn:
            row = conn.execute(query, params).fetchone()
        return None if row is None else _from_row(row)


# The recipients `start` fixes and `audience_size` counts: one clause, so the two cannot disagree.
# Its parameters are `_recipients_params(audience)`.
_RECIPIENTS = """
    FROM users
    WHERE banned = 0 AND blocked = 0
      AND (? IS NULL OR language = ?)
      AND (? IS NULL OR id IN (SELECT user_id FROM jobs WHERE created_at >= ?))
"""


def _recipients_params(audience: Audience) -> tuple[object, ...]:
    since = None if audience.active_since is None else to_text(audience.active_since)
    return (audience.language, audience.language, since, since)


def _from_row(row: sqlite3.Row) -> Broadcast:
    return Broadcast(
        id=BroadcastId(row["id"]),
        admin_id=UserId(row["admin_id"]),
        message=CopiedMessage(row["from_chat_id"], row["message_id"]),
        audience=Audience(
            language=row["language"], active_since=from_text_or_none(row["active_since"])
        ),
        created_at=from_text(row["created_at"]),
        started_at=from_text(row["started_at"]),
        paid=bool(row["paid"]),
        state=BroadcastState(row["state"]),
        finished_at=from_text_or_none(row["finished_at"]),
        total=row["total"],
        status_message_id=row["status_message_id"],
        lease_owner=row["lease_owner"],
        lease_until=from_text_or_none(row["lease_until"]),
    )
