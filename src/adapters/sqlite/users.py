"""Users stored in SQLite."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from paintcore.domain.errors import UserNotFound
from paintcore.domain.users import User, UserId

from .db import Database, from_text, to_text


class SqliteUsers:
    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, user: User) -> bool:
        with self._db.write() as conn:
            cursor = conn.execute(
                """
                INSERT INTO users
                    (id, first_name, last_name, username, language, registered_at, banned, blocked)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO NOTHING
                """,
                (
                    user.id,
                    user.first_name,
                    user.last_name,
                    user.username,
                    user.language,
                    to_text(user.registered_at),
                    user.banned,
                    user.blocked,
                ),
            )
            return cursor.rowcount == 1

    def get(self, user_id: UserId) -> User | None:
        with self._db.read() as conn:
            row = conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
        return None if row is None else user_from_row(row)

    def set_blocked(self, user_id: UserId, blocked: bool) -> None:
        self._set_flag(user_id, "UPDATE users SET blocked = ? WHERE id = ?", blocked)

    def set_banned(self, user_id: UserId, banned: bool) -> None:
        self._set_flag(user_id, "UPDATE users SET banned = ? WHERE id = ?", banned)

    def count(self) -> int:
        with self._db.read() as conn:
            counted: int = conn.execute("SELECT count(*) FROM users").fetchone()[0]
        return counted

    def find(self, username: str) -> User | None:
        wanted = username.strip().removeprefix("@").lower()
        if not wanted:
            return None
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT * FROM users WHERE lower(username) = ? ORDER BY id LIMIT 1", (wanted,)
            ).fetchone()
        return None if row is None else user_from_row(row)

    def ids(self, *, after: UserId | None = None, limit: int = 1000) -> list[UserId]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT id FROM users WHERE id > ? ORDER BY id LIMIT ?",
                (-(2**63) if after is None else after, max(limit, 0)),
            ).fetchall()
        return [UserId(row[0]) for row in rows]

    def registered_since(self, moment: datetime) -> int:
        with self._db.read() as conn:
            counted: int = conn.execute(
                "SELECT count(*) FROM users WHERE registered_at >= ?", (to_text(moment),)
            ).fetchone()[0]
        return counted

    def recipients(self) -> list[UserId]:
        with self._db.read() as conn:
            rows = conn.execute(
                "SELECT id FROM users WHERE NOT blocked AND NOT banned ORDER BY id"
            ).fetchall()
        return [UserId(row[0]) for row in rows]

    def _set_flag(self, user_id: UserId, statement: str, value: bool) -> None:
        with self._db.write() as conn:
            if conn.execute(statement, (value, user_id)).rowcount == 0:
                raise UserNotFound(f"no user {user_id}")


def user_from_row(row: sqlite3.Row) -> User:
    return User(
        id=UserId(row["id"]),
        first_name=row["first_name"],
        last_name=row["last_name"],
        username=row["username"],
        language=row["language"],
        registered_at=from_text(row["registered_at"]),
        banned=bool(row["banned"]),
        blocked=bool(row["blocked"]),
    )
