"""What the bot expects a user to type next, kept in storage so restarts keep it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from .users import UserId


class Awaiting(enum.StrEnum):
    DESCRIPTION = "description"


# How long an expectation lasts: text sent a day after the button is not taken as a description
# (and charged) by surprise. MongoDB also deletes older states itself (a TTL index).
EXPECTATION_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class ConversationState:
    user_id: UserId
    awaiting: Awaiting
    updated_at: datetime

    def stale(self, now: datetime) -> bool:
        """Whether the expectation is too old to act on (see EXPECTATION_LIFETIME)."""
        return now - self.updated_at >= EXPECTATION_LIFETIME
