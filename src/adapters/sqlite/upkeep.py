"""SQLite UpdateLog and Flags: which updates were handled, and deployment-wide flags."""

from __future__ import annotations

from datetime import datetime

from .db import Database, to_text


class SqliteUpdateLog:
    """One row per update: `claimed_until` is set while it is being handled and NULL once it was;
    `handled_at` is when it was claimed or handled (what the sweep goes by)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def handled(self, update_id: int) -> bool:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT 1 FROM handled_updates WHERE update_id = ? AND claimed_until IS NULL",
                (update_id,),
            ).fetchone()
        return row is not None

    def claim(self, update_id: int, *, at: datetime, until: datetime) -> bool:
        with self._db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO handled_updates (update_id, handled_at, claimed_until)"
                " VALUES (?, ?, ?) ON CONFLICT (update_id) DO UPDATE"
                " SET handled_at = excluded.handled_at, claimed_until = excluded.claimed_until"
                " WHERE handled_updates.claimed_until IS NOT NULL"
                " AND handled_updates.claimed_until <= excluded.handled_at",
                (update_id, to_text(at), to_text(until)),
            )
            return cursor.rowcount == 1

    def record(self, update_id: int, *, at: datetime) -> bool:
        with self._db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO handled_updates (update_id, handled_at) VALUES (?, ?)"
                " ON CONFLICT (update_id) DO UPDATE"
                " SET handled_at = excluded.handled_at, claimed_until = NULL"
                " WHERE handled_updates.claimed_until IS NOT NULL",
                (update_id, to_text(at)),
            )
            return cursor.rowcount == 1

    def sweep(self, before: datetime) -> int:
        with self._db.write() as conn:
            cursor = conn.execute(
                "DELETE FROM handled_updates WHERE handled_at < ?", (to_text(before),)
            )
            return cursor.rowcount


class SqliteFlags:
    def __init__(self, db: Database) -> None:
        self._db = db

    def raise_flag(self, name: str, *, at: datetime) -> bool:
        with self._db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO flags (name, raised_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                (name, to_text(at)),
            )
            return cursor.rowcount == 1

    def lower_flag(self, name: str) -> bool:
        with self._db.write() as conn:
            return conn.execute("DELETE FROM flags WHERE name = ?", (name,)).rowcount == 1
