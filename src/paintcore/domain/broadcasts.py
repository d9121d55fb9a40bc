"""A broadcast: one admin message copied to a fixed list of users, each delivery recorded once."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NewType

from .users import UserId

BroadcastId = NewType("BroadcastId", str)

# "Active" users requested a page within this window before the broadcast was confirmed.
ACTIVE_WINDOW = timedelta(days=30)
LANGUAGES = ("ru", "en")
# Telegram's paid broadcasts (allow_paid_broadcast) cost 0.1 Star per message, from the bot's balance.
PAID_MESSAGES_PER_STAR = 10


# Sends in flight at once: enough that a round trip of up to ROUND_TRIP_BUDGET seconds still
# keeps the rate (one at a time, a 50 ms round trip caps 25/s at 18/s), at most MAX_SENDERS.
ROUND_TRIP_BUDGET = 0.2
MAX_SENDERS = 32


def senders_for(rate: float) -> int:
    """How many sends a broadcast at `rate` messages/s keeps in flight: 5 at 25/s, 32 at 1 000."""
    return max(1, min(MAX_SENDERS, math.ceil(rate * ROUND_TRIP_BUDGET)))


def paid_cost_stars(recipients: int) -> int:
    """The Stars a paid broadcast to `recipients` users costs at most (0.1 each, rounded up)."""
    return -(-recipients // PAID_MESSAGES_PER_STAR)


class BroadcastState(enum.StrEnum):
    """running -> done | cancelled. The draft (message, audience, not yet confirmed) lives in the
    admin's conversation payload, not here: a broadcast is stored once it is confirmed."""

    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"


class Delivery(enum.StrEnum):
    """What became of one recipient: pending until recorded, then one outcome for good."""

    PENDING = "pending"
    SENT = "sent"
    BLOCKED = "blocked"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class CopiedMessage:
    """The message to copy (Telegram copyMessage): a chat and a message in it."""

    from_chat_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class Audience:
    """Who is written to, besides "neither blocked nor banned": users speaking `language` (if
    given) who requested a page at or after `active_since` (if given). Neither: everyone."""

    language: str | None = None
    active_since: datetime | None = None

    def __post_init__(self) -> None:
        if self.language is not None and self.language not in LANGUAGES:
            raise ValueError(f"unknown broadcast language {self.language!r}")

    @classmethod
    def everyone(cls) -> Audience:
        return cls()

    @classmethod
    def speaking(cls, language: str) -> Audience:
        return cls(language=language)

    @classmethod
    def active(cls, now: datetime) -> Audience:
        """Users who requested a page in the last 30 days before `now`."""
        return cls(active_since=now - ACTIVE_WINDOW)


# The audiences an admin picks from, by the key a button carries.
AUDIENCES = ("all", "ru", "en", "active")


def audience_for(key: str, now: datetime) -> Audience:
    """The audience a key names, "active" counted back from `now`; ValueError for others."""
    if key == "all":
        return Audience.everyone()
    if key == "active":
        return Audience.active(now)
    return Audience.speaking(key)  # "ru", "en"; anything else is refused by Audience


def audience_key(audience: Audience) -> str:
    """The key of an audience built by `audience_for`."""
    if audience.active_since is not None:
        return "active"
    return audience.language or "all"


@dataclass(frozen=True, slots=True)
class Broadcast:
    """A confirmed broadcast; `total` is the number of recipients fixed at confirmation."""

    id: BroadcastId
    admin_id: UserId
    message: CopiedMessage
    audience: Audience
    created_at: datetime  # when the admin composed it
    started_at: datetime  # when it was confirmed (the recipients were fixed then)
    paid: bool = False
    state: BroadcastState = BroadcastState.RUNNING
    finished_at: datetime | None = None
    total: int = 0
    # The admin's status message (in the admin's chat), edited every few seconds while it runs.
    status_message_id: int | None = None
    # Who is sending it now (see Broadcasts.claim): one step at a time across every process.
    lease_owner: str | None = None
    lease_until: datetime | None = None

    def leased(self, now: datetime) -> bool:
        """Whether some worker holds its lease at `now`."""
        return (
            self.lease_owner is not None and self.lease_until is not None and self.lease_until > now
        )


@dataclass(frozen=True, slots=True)
class BroadcastCounts:
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    pending: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.blocked + self.failed + self.pending

    @property
    def done(self) -> int:
        return self.sent + self.blocked + self.failed


@dataclass(frozen=True, slots=True)
class Progress:
    """What the admin's status message shows."""

    sent: int
    blocked: int
    failed: int
    remaining: int
    rate: float  # deliveries recorded per second since the start
    eta: timedelta | None  # None while nothing is known (no delivery yet)


def progress(counts: BroadcastCounts, *, started_at: datetime, now: datetime) -> Progress:
    """Progress of a broadcast from its counts; the ETA assumes the pace so far continues."""
    elapsed = (now - started_at).total_seconds()
    rate = counts.done / elapsed if elapsed > 0 else 0.0
    if counts.pending == 0:
        eta: timedelta | None = timedelta(0)
    elif rate > 0:
        eta = timedelta(seconds=math.ceil(counts.pending / rate))
    else:
        eta = None
    return Progress(
        sent=counts.sent,
        blocked=counts.blocked,
        failed=counts.failed,
        remaining=counts.pending,
        rate=rate,
        eta=eta,
    )
