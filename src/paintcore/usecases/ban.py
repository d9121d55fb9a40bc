"""SetBanned: an admin bans a user (no pages, no purchases, no broadcasts) or lifts the ban."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.errors import UserNotFound
from ..domain.users import User, UserId
from ..ports import Users


@dataclass(frozen=True, slots=True)
class BanChange:
    """The user as they are now, and whether this call changed anything."""

    user: User
    changed: bool


@dataclass(frozen=True, slots=True)
class SetBanned:
    users: Users

    def __call__(self, *, user_id: UserId, banned: bool) -> BanChange:
        """UserNotFound for an unregistered user; banning a banned user changes nothing."""
        user = self.users.get(user_id)
        if user is None:
            raise UserNotFound(f"no user {user_id}")
        if user.banned == banned:
            return BanChange(user, changed=False)
        self.users.set_banned(user.id, banned)
        return BanChange(self.users.get(user.id) or user, changed=True)
