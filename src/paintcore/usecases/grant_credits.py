"""GrantCredits: an admin gives a user free pages, once per update that asked for it."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.credits import Balance, Bucket, TransactionKind
from ..domain.errors import UserNotFound
from ..domain.payments import admin_grant_key
from ..domain.users import User, UserId
from ..ports import Ledger, Users

MAX_GRANT = 10_000  # a typo guard: more than this in one /grant is refused


@dataclass(frozen=True, slots=True)
class Grant:
    """What a grant did: `granted` is False when this update's grant was applied before."""

    user: User
    amount: int
    granted: bool
    balance: Balance


@dataclass(frozen=True, slots=True)
class GrantCredits:
    """A gift is free credits (`grants -> free`), spent before bought ones and never taken back
    by a payment refund. The key comes from the update (`admin_grant_key`), so an update handled
    twice (redelivered after a crash) grants once."""

    users: Users
    ledger: Ledger

    def __call__(self, *, user_id: UserId, amount: int, update_id: int) -> Grant:
        """ValueError unless 1 <= amount <= MAX_GRANT; UserNotFound for an unregistered user."""
        if not 1 <= amount <= MAX_GRANT:
            raise ValueError(f"a grant is 1 to {MAX_GRANT} pages, not {amount}")
        user = self.users.get(user_id)
        if user is None:
            raise UserNotFound(f"no user {user_id}")
        granted = self.ledger.grant(
            user_id=user.id,
            amount=amount,
            key=admin_grant_key(update_id),
            kind=TransactionKind.ADMIN_GRANT,
            bucket=Bucket.FREE,
        )
        return Grant(user, amount, granted, self.ledger.balance(user.id))
