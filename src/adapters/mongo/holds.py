"""Holds in MongoDB: the credit sits in the user's wallet, the record of its movements in the job.

A hold touches two documents and no log:

- reserve: the wallet first (one guarded update takes the credit from a bucket and adds an entry
  `{job, bucket, amount, op, at, opened}` to `holds`), then the job document gets `hold`, the
  record: `{user_id, bucket, amount, op, state: "held", reserved_at, …}`;
- capture or release: the job document first (`hold.state: "held"` is the guard, so the two
  exclude each other and each happens once), then the wallet (the entry is pulled and the credit
  spent or given back, guarded by the entry being there: once however often it runs).

So a wallet's `holds` are the holds not yet settled in it (normally one per job in flight), and
`reconcile()` finds every gap a crash left through them: an entry whose job has no record gets it
(or, for a page whose job was never stored, a released one); an entry whose record says settled is
settled in the wallet; an entry whose job was recorded by another attempt is given back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

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
from paintcore.ports import Clock

from .documents import Document, choice, integer, read_time, text, time_fields
from .errors import retried

log = logging.getLogger(__name__)

# Only holds whose wallet entry is older than this are healed by reconcile() when their job has
# no record yet: a younger one is most likely a reserve still on its way to the job document.
RECONCILE_GRACE = timedelta(minutes=1)
_FIRST = ObjectId("000000000000000000000000")
_SPENT = system_account(SystemAccount.SPENT)


@dataclass(frozen=True, slots=True)
class HoldEntry:
    """One reservation attempt: what its wallet entry and its job's record both carry."""

    job: str
    user_id: UserId
    bucket: Bucket
    amount: int
    op: str  # this attempt's id: tells its own record from another attempt's
    at: datetime
    opened: bool  # made by PageOrders.open: the job document is written with the record

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
        reserve_order=reserve_order if isinstance(reserve_order, ObjectId) else _FIRST,
        settle_order=settle_order if isinstance(settle_order, ObjectId) else _FIRST,
    )


def settlement(outcome: HoldState, at: datetime) -> Document:
    """The `$set` that settles a job document's record (guarded by `hold.state: "held"`)."""
    return {
        "hold.state": outcome.value,
        **{f"hold.{name}": value for name, value in time_fields("settled_at", at).items()},
        "hold.settle_order": ObjectId(),
    }


class Holds:
    def __init__(
        self, wallets: Collection[Document], jobs: Collection[Document], clock: Clock
    ) -> None:
        self._wallets = wallets
        self._jobs = jobs
        self._clock = clock

    def take(self, entry: HoldEntry) -> Document | None:
        """Take the entry's credit from its bucket into `held` (one guarded update); the wallet
        after it, or None when the bucket has too little or the job has an entry already.

        Not retried: after a dropped connection the caller cannot tell whether it landed, and
        reconcile() gives back an entry whose job never gets its record."""
        guard = {
            "_id": entry.user_id,
            "holds.job": {"$ne": entry.job},
            entry.bucket.value: {"$gte": entry.amount},
        }
        update = {
            "$inc": {entry.bucket.value: -entry.amount, "held": entry.amount},
            "$push": {"holds": entry.wallet_entry()},
        }
        # No projection: mongomock returns None when it leaves out `_id` (see the tests).
        found: Document | None = self._wallets.find_one_and_update(
            guard, update, return_document=ReturnDocument.AFTER
        )
        return found

    def pending_entry(self, user_id: UserId, job_id: str) -> HoldEntry | None:
        """The wallet entry of a job not yet settled in the wallet, if any."""
        projection = {"holds": {"$elemMatch": {"job": job_id}}}
        wallet = retried(lambda: self._wallets.find_one({"_id": user_id}, projection))
        holds = (wallet or {}).get("holds")
        return (
            HoldEntry.from_wallet(user_id, holds[0]) if isinstance(holds, list) and holds else None
        )

    def record(self, entry: HoldEntry, state: HoldState = HoldState.HELD) -> HoldRecord | None:
        """Write the entry's record into its job document (made if missing) unless the job has
        one; the record the job has now (ours or an earlier one), None if it cannot be read."""
        settled_at = None if state is HoldState.HELD else self._clock.now()
        record = entry.record(state, settled_at)
        try:
            retried(
                lambda: self._jobs.update_one(
                    {"_id": entry.job, "hold": {"$exists": False}},
                    {"$set": {"hold": record}},
                    upsert=True,
                )
            )
        except DuplicateKeyError:
            return self.read(entry.job)  # the job has a record already: whose, is read here
        # Written (or, after a retry, written by the first attempt: the same record).
        return read_record({"_id": entry.job, "hold": record})

    def read(self, job_id: str) -> HoldRecord | None:
        found = retried(lambda: self._jobs.find_one({"_id": job_id}, {"hold": 1}))
        return None if found is None else read_record(found)

    def settle_record(self, job_id: str, outcome: HoldState) -> HoldRecord | None:
        """Settle a held record (the first capture or release wins); the record, or None when
        it was not held (absent, or settled already)."""
        found = self._jobs.find_one_and_update(
            {"_id": job_id, "hold.state": HoldState.HELD.value},
            {"$set": settlement(outcome, self._clock.now())},
            projection={"hold": 1},
            return_document=ReturnDocument.AFTER,
        )
        return None if found is None else read_record(found)

    def apply(self, entry: HoldEntry, outcome: HoldState) -> bool:
        """Settle the entry in its wallet: pulled, the credit spent (captured) or back in its
        bucket (released). Once: False when the entry is no longer there."""
        changes = {"held": -entry.amount}
        if outcome is HoldState.RELEASED:
            changes[entry.bucket.value] = entry.amount
        guard = {
            "_id": entry.user_id,
            "holds": {"$elemMatch": {"job": entry.job, "op": entry.op}},
            "held": {"$gte": entry.amount},
        }
        pull = {"$pull": {"holds": {"job": entry.job, "op": entry.op}}, "$inc": changes}
        return bool(retried(lambda: self._wallets.update_one(guard, pull)).matched_count)

    def settle_wallet(self, entry: HoldEntry, outcome: HoldState) -> None:
        """`apply` for a settlement just recorded; RuntimeError when the wallet still has the
        entry but too little held credit to settle it (edited by hand): nothing goes negative."""
        if not self.apply(entry, outcome) and self.pending_entry(entry.user_id, entry.job):
            log.error(
                "ledger corrupt: a hold exceeds its wallet's held credits",
                extra={"user_id": entry.user_id, "job_id": entry.job},
            )
            raise RuntimeError(f"ledger corrupt: the wallet of user {entry.user_id} lacks the hold")

    def finish_reserve(self, entry: HoldEntry) -> Hold:
        """Record a reserve whose credit the wallet holds; when the job was recorded by another
        attempt, give this one's credit back and answer with that hold."""
        record = self.record(entry)
        if record is None:
            self.apply(entry, HoldState.RELEASED)
            raise RuntimeError(f"ledger corrupt: job {entry.job} has an unreadable hold")
        if record.entry.op != entry.op:
            self.apply(entry, HoldState.RELEASED)
        return record.hold

    def transactions(self, user_id: UserId | None) -> list[tuple[Transaction, ObjectId]]:
        query: Document = {"hold": {"$exists": True}}
        if user_id is not None:
            query["hold.user_id"] = user_id
        found = retried(lambda: list(self._jobs.find(query, {"hold": 1})))
        moves: list[tuple[Transaction, ObjectId]] = []
        for job in found:
            record = read_record(job)
            if record is not None:
                moves.extend(record.transactions())
        return moves

    def reconcile(self, grace: timedelta = RECONCILE_GRACE) -> int:
        """Close every gap between a wallet's holds and their jobs' records; how many it closed."""
        query = {"holds.job": {"$gt": ""}}
        wallets = retried(lambda: list(self._wallets.find(query, {"holds": 1})))
        healed = 0
        for wallet in wallets:
            user_id = UserId(wallet["_id"])
            for raw in wallet.get("holds") or []:
                entry = HoldEntry.from_wallet(user_id, raw)
                if entry is None:
                    log.error("unreadable hold in a wallet", extra={"user_id": user_id})
                    continue
                healed += self._heal(entry, grace)
        return healed

    def _heal(self, entry: HoldEntry, grace: timedelta) -> int:
        record, wrote = self.read(entry.job), False
        if record is None:
            if self._clock.now() - entry.at < grace:
                return 0  # most likely a reserve on its way to the job document
            # The reserve died before its record. A page's job was never stored: its record
            # says released (which also stops a late insert of the job) and the credit goes back.
            # Any other reserve is completed as its caller would have.
            record = self.record(entry, HoldState.RELEASED if entry.opened else HoldState.HELD)
            if record is None:
                return 0
            wrote = record.entry.op == entry.op
        if record.entry.op != entry.op:
            outcome = HoldState.RELEASED  # another attempt recorded the job: this one lost
        elif record.state is HoldState.HELD:
            return int(wrote)  # the reserve is complete; the hold is in flight
        else:
            outcome = record.state
        try:
            self.settle_wallet(entry, outcome)
        except RuntimeError:
            return int(wrote)  # logged; the others are healed
        return 1
