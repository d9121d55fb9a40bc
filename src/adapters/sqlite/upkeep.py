"""SQLite UpdateLog and Flags: which updates were handled, and deployment-wide flags."""

from __future__ import annotations

from datetime import datetime

from .db import Database, to_text


class SqliteUpdateLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    def handled(self, update_id: int) -> bool:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT 1 FROM handled_updates WHERE update_id = ?", (update_id,)
            ).fetchone()
        return row is not None

    def record(self, update_id: int, *, at: datetime) -> bool:
        with self._db.write() as conn:
            cursor = conn.execute(
                "INSERT INTO handled_updates (update_id, handled_at) VALUES (?, ?)"
                " ON CONFLICT (update_id) DO NOTHING",
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
