"""Conversations stored in SQLite: what each user is expected to send next."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from paintcore.domain.conversation import (
    Awaiting,
    ConversationState,
    Payload,
    payload_from_json,
    payload_to_json,
)
from paintcore.domain.users import UserId

from .db import Database, from_text, to_text


class SqliteConversations:
    def __init__(self, db: Database) -> None:
        self._db = db

    def expect(self, state: ConversationState) -> None:
        with self._db.write() as conn:
            conn.execute(
                """
                INSERT INTO conversations (user_id, awaiting, updated_at, payload)
                VALUES (?, ?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE
                    SET awaiting = excluded.awaiting, updated_at = excluded.updated_at,
                        payload = excluded.payload
                """,
                (
                    state.user_id,
                    state.awaiting.value,
                    to_text(state.updated_at),
                    json.dumps(payload_to_json(state.payload), ensure_ascii=False),
                ),
            )

    def current(self, user_id: UserId) -> ConversationState | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT awaiting, updated_at, payload FROM conversations WHERE user_id = ?",
                (user_id,),
            ).fetchone()
        return None if row is None else conversation_from_row(user_id, row)

    def clear(self, user_id: UserId) -> None:
        with self._db.write() as conn:
            conn.execute("DELETE FROM conversations WHERE user_id = ?", (user_id,))

    def sweep(self, before: datetime) -> int:
        # Fixed-width UTC text sorts as time does (see to_text).
        with self._db.write() as conn:
            swept = conn.execute(
                "DELETE FROM conversations WHERE updated_at < ?", (to_text(before),)
            )
            return swept.rowcount


def conversation_from_row(user_id: UserId, row: sqlite3.Row) -> ConversationState:
    return ConversationState(
        user_id=user_id,
        awaiting=Awaiting(row["awaiting"]),
        updated_at=from_text(row["updated_at"]),
        payload=_payload(row),
    )


def _payload(row: sqlite3.Row) -> Payload | None:
    try:
        text = row["payload"]
    except IndexError:  # a query that did not select it (the export reads three columns)
        return None
    try:
        return payload_from_json(json.loads(text or "{}"))
    except ValueError:  # edited by hand: the step is asked again rather than the row unreadable
        return None
