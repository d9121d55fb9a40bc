"""The user: who talks to the bot, in which language, and whether we may still write to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NewType

UserId = NewType("UserId", int)


@dataclass(frozen=True, slots=True)
class Profile:
    """What the messenger tells us about a person on every message."""

    id: UserId
    first_name: str = ""
    last_name: str = ""
    username: str = ""
    language_code: str = ""


@dataclass(frozen=True, slots=True)
class User:
    """A registered user."""

    id: UserId
    first_name: str
    last_name: str
    username: str
    language: str
    registered_at: datetime
    banned: bool = False
    blocked: bool = False

    @property
    def mention(self) -> str:
        return f"@{self.username}" if self.username else "—"
