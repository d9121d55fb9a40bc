"""mark_blocked: record that a user blocked the bot, as a side note that never fails its caller."""

from __future__ import annotations

import logging

from ..domain.errors import PaintError
from ..domain.users import UserId
from ..ports import Users

log = logging.getLogger(__name__)


def mark_blocked(users: Users, user_id: UserId, **context: object) -> None:
    """Flag the user; a storage failure is only logged (a refund or a reply matters more, and the
    user's next message clears the flag anyway)."""
    try:
        users.set_blocked(user_id, True)
    except PaintError as exc:
        log.warning(
            "could not mark user blocked", extra={"user_id": user_id, "error": str(exc), **context}
        )
