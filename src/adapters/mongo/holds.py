"""Holds in MongoDB: the credit sits in the user's wallet, the record of its movements in the job.

One mechanism, whether a hold is made by Ledger.reserve (a hold alone: the migration) or by
PageOrders.open (a page). Each movement is two writes, in the order that lets whoever comes next
finish it:

- reserve: `take` moves the credit into `held` and adds an entry to the wallet's `holds` (one
  guarded update), then `write_record` puts the record into the job document: a page's job is
  inserted carrying it; a hold alone goes into its job's document, made if missing;
- capture or release: `settle` the job's record first (`hold.state: "held"` is the guard, so the
  two exclude each other and each happens once; a page's job is finished in the same update),
  then the wallet: the entry is pulled and the credit spent or given back, guarded by the entry
  being there, so once however often it runs.

A wallet's `holds` are therefore the holds not yet settled in it, and `reconcile()` closes every
gap a crash left through them (`complete` a reserve that has no record, `align` the wallet with a
record). The one difference between a page and a hold alone is there: a reserve that died before
its record is finished for a hold alone, undone for a page (`complete`). Documents:
hold_documents.py.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bson import ObjectId
from pymongo import ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from paintcore.domain.credits import HoldState, Transaction
from paintcore.domain.users import UserId
from paintcore.ports import Clock

from .documents import Document
from .errors import retried
from .hold_documents import HoldEntry, HoldRecord, read_record, settlement

log = logging.getLogger(__name__)

# Only holds whose wallet entry is older than this are completed by reconcile() when their job
# has no record yet: a younger one is most likely a reserve still on its way to the job.
RECONCILE_GRACE = timedelta(minutes=1)


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
        reconcile() completes an entry whose job never gets its record."""
        guard = {
            "_id": entry.user_id,
            "holds.job": {"$ne": entry.job},
            entry.bucket.value: {"$gte": entry.amount},
        }
        update = {
            "$inc": {entry.bucket.value: -entry.amount, "held": entry.amount},
            "$push": {"holds": entry.wallet_entry()},
        }
        # No projection: mongomock returns None when it leaves out `_id` (docs/MONGO.md).
        found: Document | None = self._wallets.find_one_and_update(
            guard, update, return_document=ReturnDocument.AFTER
        )
        return found

    def write_record(
        self, entry: HoldEntry, state: HoldState = HoldState.HELD, job: Document | None = None
    ) -> Document | None:
        """Record the entry in its job document: inserted with `job` (a page's fields; refused when
        the id or the user's one-in-flight slot is taken), else set in the job's document (made
        if missing) unless that has a record. The document as it is now (our record, or what an
        earlier writer left), None when there is none (the one-in-flight slot refused it)."""
        settled_at = None if state is HoldState.HELD else self._clock.now()
        written = {"_id": entry.job, **(job or {}), "hold": entry.record(state, settled_at)}
        try:
            if job is not None:
                retried(lambda: self._jobs.insert_one(written))
            else:
                guard = {"_id": entry.job, "hold": {"$exists": False}}
                set_hold = {"$set": {"hold": written["hold"]}}
                retried(lambda: self._jobs.update_one(guard, set_hold, upsert=True))
        except DuplicateKeyError:
            # Ours too when a retry after a dropped connection found the first attempt done.
            return retried(lambda: self._jobs.find_one({"_id": entry.job}, {"hold": 1, "state": 1}))
        return written

    def complete(self, entry: HoldEntry) -> HoldRecord:
        """Finish a reserve whose credit the wallet holds, as its caller would have: record it,
        then `align` the wallet with the record the job has. A page's record arrives only with its
        job, which only its opener can write: finished by anyone else, the page is undone (its
        record says released, which also turns away a late insert of the job, and the credit goes
        back). RuntimeError when the job's record cannot be read: a person must look."""
        lost = HoldState.RELEASED if entry.opened else HoldState.HELD
        found = self.write_record(entry, lost)
        record = None if found is None else read_record(found)
        if record is None:
            log.error("unreadable hold record", extra={"job_id": entry.job})
            raise RuntimeError(f"ledger corrupt: job {entry.job} has an unreadable hold")
        self.align(entry, record)
        return record

    def align(self, entry: HoldEntry, record: HoldRecord) -> bool:
        """Bring a wallet entry in line with its job's record: given back when another attempt
        recorded the job, spent or given back once the record is settled; True if it was."""
        if record.entry.op != entry.op:
            outcome = HoldState.RELEASED  # another attempt recorded the job: this one lost
        elif record.state is HoldState.HELD:
            return False  # the reserve is complete; the hold is in flight
        else:
            outcome = record.state
        self.settle_wallet(entry, outcome)
        return True

    def settle(
        self,
        job_id: str,
        outcome: HoldState,
        at: datetime,
        *,
        guard: Document | None = None,
        changes: Document | None = None,
    ) -> Document | None:
        """Settle the job's held record (the first capture or release wins), making `changes` to
        a job matching `guard` in the same update, then the wallet; the job document after, or
        None when nothing matched (no held record: settled, absent or lost)."""
        # No projection: mongomock returns None when it leaves out `_id` (docs/MONGO.md).
        found: Document | None = self._jobs.find_one_and_update(
            {"_id": job_id, **(guard or {}), "hold.state": HoldState.HELD.value},
            {"$set": {**(changes or {}), **settlement(outcome, at)}},
            return_document=ReturnDocument.AFTER,
        )
        record = None if found is None else read_record(found)
        if record is not None:
            self.settle_wallet(record.entry, outcome)
        elif found is not None:  # settled a record this version cannot read: a person must look
            log.error("unreadable hold record settled", extra={"job_id": job_id})
        return found

    def give(self, entry: HoldEntry, outcome: HoldState) -> bool:
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
        """`give`, for a settlement the job recorded; RuntimeError when the wallet still has the
        entry but too little held credit to settle it (edited by hand): nothing goes negative."""
        if not self.give(entry, outcome) and self.pending_entry(entry.user_id, entry.job):
            log.error(
                "ledger corrupt: a hold exceeds its wallet's held credits",
                extra={"user_id": entry.user_id, "job_id": entry.job},
            )
            raise RuntimeError(f"ledger corrupt: the wallet of user {entry.user_id} lacks the hold")

    def read(self, job_id: str) -> HoldRecord | None:
        found = retried(lambda: self._jobs.find_one({"_id": job_id}, {"hold": 1}))
        return None if found is None else read_record(found)

    def pending_entry(self, user_id: UserId, job_id: str) -> HoldEntry | None:
        """The wallet entry of a job not yet settled in the wallet, if any."""
        projection = {"holds": {"$elemMatch": {"job": job_id}}}
        wallet = retried(lambda: self._wallets.find_one({"_id": user_id}, projection))
        holds = (wallet or {}).get("holds")
        found = holds[0] if isinstance(holds, list) and holds else None
        return None if found is None else HoldEntry.from_wallet(user_id, found)

    def transactions(self, user_id: UserId | None) -> list[tuple[Transaction, ObjectId]]:
        """The movements the jobs' records hold, each with its order among those of one instant."""
        query: Document = {"hold": {"$exists": True}}
        if user_id is not None:
            query["hold.user_id"] = user_id
        moves: list[tuple[Transaction, ObjectId]] = []
        for job in retried(lambda: list(self._jobs.find(query, {"hold": 1}))):
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
        record = self.read(entry.job)
        try:
            if record is not None:
                return int(self.align(entry, record))
            if self._clock.now() - entry.at < grace:
                return 0  # most likely a reserve on its way to the job document
            self.complete(entry)
        except RuntimeError:
            return 0  # logged; the others are healed
        return 1
