"""What the bot expects a user to type next, kept in storage so restarts keep it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from .users import UserId


class Awaiting(enum.StrEnum):
    DESCRIPTION = "description"


@dataclass(frozen=True, slots=True)
class ConversationState:
    user_id: UserId
    awaiting: Awaiting
    updated_at: datetime
