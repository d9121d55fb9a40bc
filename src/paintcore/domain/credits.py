"""The credit ledger's vocabulary: buckets, accounts, transactions, holds and balances.

Every movement of credits is one balanced transaction from one account to another with a unique
idempotency key. A user's wallet has three buckets (free, paid, held); the system accounts
(grants, sales, spent) are the other side, so the sum over all accounts is always zero.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from .users import UserId


class Bucket(enum.StrEnum):
    """A user's wallet bucket."""

    FREE = "free"
    PAID = "paid"
    HELD = "held"


class SystemAccount(enum.StrEnum):
    """The other side of every movement; their balances are derived from transactions."""

    GRANTS = "grants"
    SALES = "sales"
    SPENT = "spent"


class TransactionKind(enum.StrEnum):
    REGISTRATION = "registration"
    PURCHASE = "purchase"
    ADMIN_GRANT = "admin_grant"
    RESERVE = "reserve"
    CAPTURE = "capture"
    RELEASE = "release"
    REFUND = "refund"  # bought pages taken back (paid -> sales) when the payment is refunded


class HoldState(enum.StrEnum):
    HELD = "held"
    CAPTURED = "captured"
    RELEASED = "released"


@dataclass(frozen=True, slots=True)
class Transaction:
    """One balanced movement: `amount` leaves `source` and arrives at `target`."""

    key: str
    kind: TransactionKind
    user_id: UserId
    source: str
    target: str
    amount: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Hold:
    """Credits reserved for one job; remembers the bucket they came from."""

    job_id: str
    user_id: UserId
    bucket: Bucket
    amount: int
    state: HoldState


@dataclass(frozen=True, slots=True)
class Balance:
    """A user's wallet: what they may spend now is `free + paid`."""

    free: int = 0
    paid: int = 0
    held: int = 0

    @property
    def available(self) -> int:
        return self.free + self.paid


def user_account(user_id: UserId, bucket: Bucket) -> str:
    """The ledger name of one of a user's buckets, e.g. `user:42:free`."""
    return f"user:{user_id}:{bucket.value}"


def system_account(account: SystemAccount) -> str:
    return f"system:{account.value}"


def registration_key(user_id: UserId) -> str:
    return f"register:{user_id}"


HOLD_KEY_PREFIXES = ("reserve:", "capture:", "release:")
PURCHASE_KEY_PREFIX = "pay:"
_GRANT_SOURCES = {Bucket.FREE: SystemAccount.GRANTS, Bucket.PAID: SystemAccount.SALES}


def grant_source(*, user_id: UserId, amount: int, key: str, bucket: Bucket) -> str:
    """The account a grant comes from (free credits from grants, paid ones from sales), once the
    grant keeps the rules every ledger checks before it looks at its key's history; ValueError
    when `amount` is not positive, `bucket` is held, `key` is another user's registration key (a
    registration credits its own user only, which lets a store keep it in that user's own record),
    a hold's key (those belong to a job's reserve, capture and release, which a store may keep
    with the job) or a purchase's key (`Ledger.purchase` credits those, with their payment)."""
    if amount <= 0:
        raise ValueError("a grant must be positive")
    source = _GRANT_SOURCES.get(bucket)
    if source is None:
        raise ValueError("credits are granted to the free or paid bucket")
    if key.startswith("register:") and key != registration_key(user_id):
        raise ValueError(f"{key} is not the registration key of user {user_id}")
    if key.startswith(HOLD_KEY_PREFIXES):
        raise ValueError(f"{key} is a hold's key, not a grant's")
    if key.startswith(PURCHASE_KEY_PREFIX):
        raise ValueError(f"{key} is a purchase's key: Ledger.purchase credits it")
    return system_account(source)


def reserve_key(job_id: str) -> str:
    return f"reserve:{job_id}"


def capture_key(job_id: str) -> str:
    return f"capture:{job_id}"


def release_key(job_id: str) -> str:
    return f"release:{job_id}"


def purchase_key(charge_id: str) -> str:
    return f"{PURCHASE_KEY_PREFIX}{charge_id}"


def check_debit_key(amount: int, key: str) -> None:
    """ValueError for a debit no ledger takes: not positive, or under a hold's, a registration's
    or a purchase's key (those are kept with the job, the user or the payment by some stores, out
    of a debit's reach)."""
    if amount <= 0:
        raise ValueError("a debit must be positive")
    if key.startswith((*HOLD_KEY_PREFIXES, "register:", PURCHASE_KEY_PREFIX)):
        raise ValueError(f"{key} is a hold's, a registration's or a purchase's key, not a debit's")
