"""UserReport: what an admin sees of one user: profile, wallet, latest pages and payments."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.credits import Balance
from ..domain.errors import UserNotFound
from ..domain.jobs import Job
from ..domain.payments import Payment
from ..domain.users import User, UserId
from ..ports import Jobs, Ledger, Payments, Users

RECENT = 5


@dataclass(frozen=True, slots=True)
class UserSummary:
    user: User  # with `banned` (by an admin) and `blocked` (they blocked the bot)
    balance: Balance
    pages: tuple[Job, ...]  # the latest first, with their states and errors
    payments: tuple[Payment, ...]  # the latest first


@dataclass(frozen=True, slots=True)
class UserReport:
    users: Users
    ledger: Ledger
    jobs: Jobs
    payments: Payments

    def __call__(self, *, user_id: UserId, recent: int = RECENT) -> UserSummary:
        """UserNotFound for an unregistered user."""
        user = self.users.get(user_id)
        if user is None:
            raise UserNotFound(f"no user {user_id}")
        return UserSummary(
            user=user,
            balance=self.ledger.balance(user.id),
            pages=tuple(self.jobs.recent(user_id=user.id, limit=recent)),
            payments=tuple(self.payments.of_user(user.id, limit=recent)),
        )
