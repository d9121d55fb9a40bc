"""The wallet outbox: grants and debits queued in a wallet document but not yet in the log.

A grant first pushes itself to its wallet's `pending` list (one guarded update); then its record is
inserted into the log (unique key); then it is pulled and credited in one update. A debit takes
its credits in the update that queues it (guarded by `$gte`: never below zero, and never a moment
with more than is there), then is logged and pulled the same way; if its key was logged by
another movement, the credits go back as it is pulled. (Holds and registrations keep their
records elsewhere: holds.py, ledger.py.)
Whoever finds it pending (the caller, a replay of the same key, `reconcile()` after a crash) can
complete it: every step is keyed by the movement's `op` id, so completing twice is harmless.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from paintcore.domain.credits import Bucket, Transaction, TransactionKind
from paintcore.domain.users import UserId

from .documents import EPOCH, Document, choice, integer, read_time, text, time_fields
from .errors import retried

log = logging.getLogger(__name__)


def new_op() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True, slots=True)
class Movement:
    """One ledger transaction on its way from a wallet document to the log."""

    op: str  # this attempt's id: tells its own log record from another with the same key
    key: str
    kind: TransactionKind
    user_id: UserId
    source: str
    target: str
    amount: int
    at: datetime
    credit: Bucket | None = None  # the bucket credited once the log has the record
    taken: Bucket | None = None  # the bucket debited when queued (given back if not logged)

    def entry(self) -> Document:
        """The movement as an element of the wallet's `pending` list."""
        return {
            "op": self.op,
            "key": self.key,
            "kind": self.kind.value,
            "source": self.source,
            "target": self.target,
            "amount": self.amount,
            **time_fields("at", self.at),
            "credit": None if self.credit is None else self.credit.value,
            "taken": None if self.taken is None else self.taken.value,
        }

    def record(self) -> Document:
        """The movement as a document of the log."""
        return {
            "key": self.key,
            "op": self.op,
            "kind": self.kind.value,
            "user_id": int(self.user_id),
            "source": self.source,
            "target": self.target,
            "amount": self.amount,
            **time_fields("created_at", self.at),
        }

    @classmethod
    def from_entry(cls, user_id: UserId, entry: Document) -> Movement | None:
        at, op, key = read_time(entry, "at"), text(entry, "op"), text(entry, "key")
        amount = integer(entry, "amount")
        if at is None or not op or not key or amount <= 0:
            return None
        credit, taken = entry.get("credit"), entry.get("taken")
        try:
            return cls(
                op=op,
                key=key,
                kind=TransactionKind(text(entry, "kind")),
                user_id=user_id,
                source=text(entry, "source"),
                target=text(entry, "target"),
                amount=amount,
                at=at,
                credit=None if credit is None else Bucket(credit),
                taken=None if taken is None else Bucket(taken),
            )
        except ValueError:
            return None


def read_transaction(doc: Document) -> Transaction:
    """A log document (or a wallet's registration record) read back, with defaults."""
    return Transaction(
        key=text(doc, "key"),
        kind=choice(doc, "kind", TransactionKind, TransactionKind.ADMIN_GRANT),
        user_id=UserId(integer(doc, "user_id")),
        source=text(doc, "source"),
        target=text(doc, "target"),
        amount=integer(doc, "amount"),
        created_at=read_time(doc, "created_at") or EPOCH,
    )


class Outbox:
    def __init__(self, wallets: Collection[Document], log: Collection[Document]) -> None:
        self._wallets = wallets
        self._log = log

    def push_grant(self, movement: Movement) -> bool:
        """Put a grant in its wallet's outbox (creating the wallet) unless its key is pending
        there already; the credit itself waits until the log has the record."""
        guard = {"_id": movement.user_id, "pending.key": {"$ne": movement.key}}
        push = {"$push": {"pending": movement.entry()}}
        try:
            new_wallet = {**push, "$setOnInsert": {"free": 0, "paid": 0, "held": 0, "holds": []}}
            created = self._wallets.update_one(guard, new_wallet, upsert=True)
        except DuplicateKeyError:
            # The wallet exists (made by a racer just now, or the key is pending in it).
            return bool(self._wallets.update_one(guard, push).matched_count)
        return bool(created.matched_count or created.upserted_id is not None)

    def push_debit(self, movement: Movement) -> bool:
        """Take a debit's credits from its bucket and queue it, in one update guarded by the
        bucket holding enough and by its key being neither pending here nor this wallet's
        registration; False (nothing taken) when a guard refused."""
        assert movement.taken is not None
        bucket = movement.taken.value
        guard = {
            "_id": movement.user_id,
            "pending.key": {"$ne": movement.key},
            "signup.key": {"$ne": movement.key},
            bucket: {"$gte": movement.amount},
        }
        update = {"$inc": {bucket: -movement.amount}, "$push": {"pending": movement.entry()}}
        # Not retried: after a dropped connection a second attempt could take twice; the first,
        # if it went through, is pending and completed by a replay or reconcile().
        return bool(self._wallets.update_one(guard, update).matched_count)

    def complete(self, movement: Movement) -> bool:
        """Log the movement and pull it from its wallet's outbox (crediting a grant only now);
        False when another movement had logged its key: then this one is taken back."""
        if not self._logged(movement):
            self._undo(movement)
            return False
        update: Document = {"$pull": {"pending": {"op": movement.op}}}
        if movement.credit is not None:
            update["$inc"] = {movement.credit.value: movement.amount}
        # Guarded by the entry itself, so a grant is credited once however often this runs.
        guard = {"_id": movement.user_id, "pending.op": movement.op}
        retried(lambda: self._wallets.update_one(guard, update))
        return True

    def complete_pending(self, user_id: UserId, entries: object, keys: set[str]) -> None:
        """Complete the pending `entries` of a wallet whose key is one of `keys`."""
        for entry in entries if isinstance(entries, list) else []:
            movement = Movement.from_entry(user_id, entry) if isinstance(entry, dict) else None
            if movement is not None and movement.key in keys:
                self.complete(movement)

    def reconcile(self) -> int:
        """Complete every movement left pending (a crash between its steps); how many there were."""
        query = {"pending.op": {"$exists": True}}
        wallets = retried(lambda: list(self._wallets.find(query, {"pending": 1})))
        healed = 0
        for wallet in wallets:
            for entry in wallet.get("pending") or []:
                movement = Movement.from_entry(UserId(wallet["_id"]), entry)
                if movement is None:
                    log.error("unreadable pending movement", extra={"wallet": wallet["_id"]})
                    continue
                self.complete(movement)
                healed += 1
        return healed

    def _logged(self, movement: Movement) -> bool:
        """Insert the record; True if the log now holds this movement's record."""
        try:
            retried(lambda: self._log.insert_one(movement.record()))
        except DuplicateKeyError:
            # Ours when an earlier attempt (a retry, another completer) got there first.
            found = retried(lambda: self._log.find_one({"key": movement.key}, {"op": 1}))
            return found is not None and found.get("op") == movement.op
        return True

    def _undo(self, movement: Movement) -> None:
        """Take back a movement whose key another movement logged first (a replay that raced past
        the caller's check): a grant was not credited yet, so pulling it is all; a debit's credits
        go back in the same update (guarded by its entry, so once)."""
        guard: Document = {"_id": movement.user_id, "pending.op": movement.op}
        pull: Document = {"$pull": {"pending": {"op": movement.op}}}
        if movement.taken is not None:
            pull["$inc"] = {movement.taken.value: movement.amount}
        retried(lambda: self._wallets.update_one(guard, pull))
