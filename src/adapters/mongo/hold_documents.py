"""A hold as its two documents keep it: an entry in the user's wallet, a record in the job.

The wallet's `holds` list has an entry per hold not yet settled in it; the job document's `hold`
is the record of the hold's movements (the reserve, then the capture or release), which is what
`transactions()` shows. Both carry the reserve attempt's `op`, which tells them apart from
another attempt's. See holds.py for how they are written and kept in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bson import ObjectId

from paintcore.domain.credits import (
    Bucket,
    Hold,
    HoldState,
    SystemAccount,
    Transaction,
    TransactionKind,
    capture_key,
    release_key,
    reserve_key,
    system_account,
    user_account,
)
from paintcore.domain.users import UserId

from .documents import Document, choice, integer, read_time, text, time_fields

FIRST = ObjectId("000000000000000000000000")  # the order of a record written without one
_SPENT = system_account(SystemAccount.SPENT)


@dataclass(frozen=True, slots=True)
class HoldEntry:
    """One reserve attempt: what its wallet entry and its job's record both carry."""

    job: str
    user_id: UserId
    bucket: Bucket
    amount: int
    op: str  # this attempt's id: tells its own record from another attempt's
    at: datetime
    # Made by PageOrders.open: the record arrives only inside the job document, which only the
    # opener can write; anyone else finishing the reserve undoes it (see Holds.complete).
    opened: bool

    def wallet_entry(self) -> Document:
        return {
            "job": self.job,
            "bucket": self.bucket.value,
            "amount": self.amount,
            "op": self.op,
            **time_fields("at", self.at),
            "opened": self.opened,
        }

    def record(
        self, state: HoldState = HoldState.HELD, settled_at: datetime | None = None
    ) -> Document:
        """The job document's `hold`."""
        return {
            "user_id": int(self.user_id),
            "bucket": self.bucket.value,
            "amount": self.amount,
            "op": self.op,
            "opened": self.opened,
            "state": state.value,
            **time_fields("reserved_at", self.at),
            "reserve_order": ObjectId(),
            **time_fields("settled_at", settled_at),
            "settle_order": None if settled_at is None else ObjectId(),
        }

    @classmethod
    def from_wallet(cls, user_id: UserId, entry: object) -> HoldEntry | None:
        if not isinstance(entry, dict):
            return None
        job, op, amount = entry.get("job"), text(entry, "op"), integer(entry, "amount")
        at = read_time(entry, "at")
        if not isinstance(job, str) or not op or amount <= 0 or at is None:
            return None  # written by hand or by an older version: left alone, logged
        bucket = choice(entry, "bucket", Bucket, Bucket.FREE)
        return cls(job, user_id, bucket, amount, op, at, entry.get("opened") is True)


@dataclass(frozen=True, slots=True)
class HoldRecord:
    """The `hold` of a job document, read back."""

    entry: HoldEntry
    state: HoldState
    settled_at: datetime | None
    reserve_order: ObjectId
    settle_order: ObjectId

    @property
    def hold(self) -> Hold:
        e = self.entry
        return Hold(e.job, e.user_id, e.bucket, e.amount, self.state)

    def transactions(self) -> list[tuple[Transaction, ObjectId]]:
        """The reserve, and the capture or release once settled, as the log would hold them."""
        e = self.entry
        held = user_account(e.user_id, Bucket.HELD)
        bucket = user_account(e.user_id, e.bucket)
        reserve = Transaction(
            reserve_key(e.job), TransactionKind.RESERVE, e.user_id, bucket, held, e.amount, e.at
        )
        moves = [(reserve, self.reserve_order)]
        if self.state is not HoldState.HELD:
            at = self.settled_at or e.at
            if self.state is HoldState.CAPTURED:
                key, kind, target = capture_key(e.job), TransactionKind.CAPTURE, _SPENT
            else:
                key, kind, target = release_key(e.job), TransactionKind.RELEASE, bucket
            settle = Transaction(key, kind, e.user_id, held, target, e.amount, at)
            moves.append((settle, self.settle_order))
        return moves


def read_record(job: Document) -> HoldRecord | None:
    """The hold record of a job document, or None when it has none (or an unreadable one)."""
    hold = job.get("hold")
    if not isinstance(hold, dict):
        return None
    amount, op, at = integer(hold, "amount"), text(hold, "op"), read_time(hold, "reserved_at")
    if amount <= 0 or not op or at is None:
        return None
    entry = HoldEntry(
        job=str(job["_id"]),
        user_id=UserId(integer(hold, "user_id")),
        bucket=choice(hold, "bucket", Bucket, Bucket.FREE),
        amount=amount,
        op=op,
        at=at,
        opened=hold.get("opened") is True,
    )
    reserve_order, settle_order = hold.get("reserve_order"), hold.get("settle_order")
    return HoldRecord(
        entry=entry,
        state=choice(hold, "state", HoldState, HoldState.HELD),
        settled_at=read_time(hold, "settled_at"),
        reserve_order=reserve_order if isinstance(reserve_order, ObjectId) else FIRST,
        settle_order=settle_order if isinstance(settle_order, ObjectId) else FIRST,
    )


def settlement(outcome: HoldState, at: datetime) -> Document:
    """The `$set` that settles a job document's record (guarded by `hold.state: "held"`)."""
    return {
        "hold.state": outcome.value,
        **{f"hold.{name}": value for name, value in time_fields("settled_at", at).items()},
        "hold.settle_order": ObjectId(),
    }
