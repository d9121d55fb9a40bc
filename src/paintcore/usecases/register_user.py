"""RegisterUser: store a new user and grant the free credits, exactly once, race-free."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ..domain.credits import Bucket, TransactionKind, registration_key
from ..domain.users import Profile, User
from ..ports import Clock, Ledger, Users

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Registration:
    user: User
    is_new: bool


@dataclass(frozen=True, slots=True)
class RegisterUser:
    users: Users
    ledger: Ledger
    clock: Clock
    free_credits: int = 10

    def __call__(self, *, profile: Profile, language: str) -> Registration:
        candidate = User(
            id=profile.id,
            first_name=profile.first_name,
            last_name=profile.last_name,
            username=profile.username,
            language=language,
            registered_at=self.clock.now(),
        )
        is_new = self.users.add(candidate)
        # The grant is keyed by user, so it is applied once however many /start race here, and a
        # crash between storing the user and granting is healed by the next registration attempt.
        granted = self.free_credits > 0 and self.ledger.grant(
            user_id=profile.id,
            amount=self.free_credits,
            key=registration_key(profile.id),
            kind=TransactionKind.REGISTRATION,
            bucket=Bucket.FREE,
        )
        if is_new or granted:
            log.info(
                "user registered",
                extra={
                    "user_id": profile.id,
                    "new": is_new,
                    "granted": self.free_credits if granted else 0,
                },
            )
        # A new user is the one just stored; only a returning one is read back (one round trip
        # less on the first /start, which MongoDB counts).
        user = candidate if is_new else (self.users.get(profile.id) or candidate)
        return Registration(user=user, is_new=is_new)
