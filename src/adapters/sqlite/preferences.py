"""Page options each user chose (age level, style, paper), stored in SQLite."""

from __future__ import annotations

import sqlite3

from paintcore.domain.pages import AgeLevel, PageOptions, Paper, Style
from paintcore.domain.users import UserId

from .db import Database


class SqlitePreferences:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, user_id: UserId) -> PageOptions | None:
        with self._db.read() as conn:
            row = conn.execute(
                "SELECT level, style, paper FROM preferences WHERE user_id = ?", (user_id,)
            ).fetchone()
        return None if row is None else options_from_row(row)

    def set(self, user_id: UserId, options: PageOptions) -> None:
        with self._db.write() as conn:
            conn.execute(
                """
                INSERT INTO preferences (user_id, level, style, paper) VALUES (?, ?, ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET
                    level = excluded.level, style = excluded.style, paper = excluded.paper
                """,
                (user_id, options.level.value, options.style.value, options.paper.value),
            )


def options_from_row(row: sqlite3.Row) -> PageOptions:
    return PageOptions(AgeLevel(row["level"]), Style(row["style"]), Paper(row["paper"]))
