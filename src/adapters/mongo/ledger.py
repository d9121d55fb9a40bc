"""The credit ledger in MongoDB without multi-document transactions.

A wallet document per user holds the buckets, the holds not yet settled, and an outbox of grants
not yet logged. Every movement is one guarded update of that document (the `$gte` guard in the
filter, never read-modify-write in Python) plus its record: a grant's in the log (unique key, see
outbox.py), a registration's in the wallet itself, a hold's in its job document (holds.py: the
same mechanism as MongoOrders' pages), a purchase's in its payment document (purchases.py).
"""

from __future__ import annotations

from datetime import timedelta

from bson import ObjectId
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from paintcore.domain.credits import (
    Balance,
    Bucket,
    Hold,
    HoldState,
    SystemAccount,
    Transaction,
    TransactionKind,
    check_debit_key,
    grant_source,
    registration_key,
    system_account,
    user_account,
)
from paintcore.domain.errors import QuotaExceeded, StorageUnavailable
from paintcore.domain.payments import Payment
from paintcore.domain.users import UserId
from paintcore.ports import Clock

from .documents import Document, integer, time_fields
from .errors import retried, storage_call
from .hold_documents import FIRST, HoldEntry
from .holds import RECONCILE_GRACE, Holds
from .outbox import Movement, Outbox, new_op, read_transaction
from .purchases import Purchases

_LOG_ORDER = [("created_at_us", 1), ("_id", 1)]
_DEBIT_ATTEMPTS = 8


class MongoLedger:
    def __init__(
        self,
        wallets: Collection[Document],
        transactions: Collection[Document],
        jobs: Collection[Document],
        payments: Collection[Document],
        clock: Clock,
    ) -> None:
        self._wallets = wallets
        self._log = transactions
        self._clock = clock
        self._outbox = Outbox(wallets, transactions)
        self.holds = Holds(wallets, jobs, clock)
        self._purchases = Purchases(payments, wallets, clock)

    @storage_call("ledger.grant")
    def grant(
        self, *, user_id: UserId, amount: int, key: str, kind: TransactionKind, bucket: Bucket
    ) -> bool:
        source = grant_source(user_id=user_id, amount=amount, key=key, bucket=bucket)
        if key == registration_key(user_id):
            return self._sign_up(user_id, amount, kind, source, bucket)
        # The common replay (an admin's command delivered twice) costs one read; a replay racing
        # past it is caught by the unique key below and undone before anything was credited.
        if self._logged(key):
            return False
        movement = Movement(
            op=new_op(),
            key=key,
            kind=kind,
            user_id=user_id,
            source=source,
            target=user_account(user_id, bucket),
            amount=amount,
            at=self._clock.now(),
            credit=bucket,
        )
        if not self._outbox.push_grant(movement):
            # The key is pending in this wallet: finish that movement (a racer's, or one a crash
            # left behind) rather than wait for reconcile().
            wallet = retried(lambda: self._wallets.find_one({"_id": user_id}, {"pending": 1}))
            self._outbox.complete_pending(user_id, (wallet or {}).get("pending"), {key})
            return False
        return self._outbox.complete(movement)

    @storage_call("ledger.purchase")
    def purchase(self, payment: Payment) -> bool:
        return self._purchases.purchase(payment)

    @storage_call("ledger.debit")
    def debit(
        self,
        *,
        user_id: UserId,
        amount: int,
        key: str,
        kind: TransactionKind,
        partial: bool = False,
    ) -> int | None:
        check_debit_key(amount, key)
        take = amount  # a partial debit too tries the whole amount first (the usual case)
        for _ in range(_DEBIT_ATTEMPTS):
            movement = Movement(
                op=new_op(),
                key=key,
                kind=kind,
                user_id=user_id,
                source=user_account(user_id, Bucket.PAID),
                target=system_account(SystemAccount.SALES),
                amount=take,
                at=self._clock.now(),
                taken=Bucket.PAID,
            )
            if self._outbox.push_debit(movement):
                # False: the key was logged by another movement first; the credits went back.
                return take if self._outbox.complete(movement) else None
            # Nothing taken: the key is applied or pending, or the bucket holds too little.
            paid = self._unapplied_debit(user_id, key)
            if paid is None:
                return None
            if paid >= take:
                continue  # credited meanwhile: try again
            if not partial:
                raise QuotaExceeded(f"user {user_id} has fewer than {amount} bought credits")
            if paid == 0:
                return 0
            take = paid  # the wallet changed since: try what there is now
        raise StorageUnavailable(f"the wallet of user {user_id} kept changing during a debit")

    @storage_call("ledger.reserve")
    def reserve(self, *, user_id: UserId, job_id: str, amount: int = 1) -> Hold:
        if amount <= 0:
            raise ValueError("a reservation must be positive")
        recorded = self.holds.read(job_id)
        if recorded is not None:
            return recorded.hold  # a replay (or the job is another user's: answered alike)
        at, op = self._clock.now(), new_op()
        # Free credits first; a hold takes from one bucket only, so that it can remember it.
        for bucket in (Bucket.FREE, Bucket.PAID):
            entry = HoldEntry(job_id, user_id, bucket, amount, op, at, opened=False)
            if self.holds.take(entry) is not None:
                return self.holds.complete(entry).hold
        # Nothing taken: a reserve of this job may be half-done (a racer, a crash): finish it.
        pending = self.holds.pending_entry(user_id, job_id)
        if pending is not None:
            return self.holds.complete(pending).hold
        raise QuotaExceeded(f"user {user_id} has not {amount} credit(s) in one bucket")

    @storage_call("ledger.capture")
    def capture(self, *, job_id: str) -> bool:
        return self._settle(job_id, HoldState.CAPTURED)

    @storage_call("ledger.release")
    def release(self, *, job_id: str) -> bool:
        return self._settle(job_id, HoldState.RELEASED)

    @storage_call("ledger.hold")
    def hold(self, job_id: str) -> Hold | None:
        recorded = self.holds.read(job_id)
        return None if recorded is None else recorded.hold

    @storage_call("ledger.balance")
    def balance(self, user_id: UserId) -> Balance:
        projection = {"free": 1, "paid": 1, "held": 1}
        wallet = retried(lambda: self._wallets.find_one({"_id": user_id}, projection))
        if wallet is None:
            return Balance()
        return Balance(integer(wallet, "free"), integer(wallet, "paid"), integer(wallet, "held"))

    @storage_call("ledger.transactions")
    def transactions(self, user_id: UserId | None = None) -> list[Transaction]:
        query = {} if user_id is None else {"user_id": user_id}
        logged = retried(lambda: list(self._log.find(query).sort(_LOG_ORDER)))
        signed: Document = {"signup": {"$exists": True}}
        if user_id is not None:
            signed["_id"] = user_id
        wallets = retried(lambda: list(self._wallets.find(signed, {"signup": 1})))
        records = [(read_transaction(doc), doc["_id"]) for doc in logged]
        records.extend(self.holds.transactions(user_id))
        records.extend(self._purchases.transactions(user_id))
        for wallet in wallets:
            signup = wallet["signup"]
            if isinstance(signup, dict):
                record = read_transaction({**signup, "user_id": wallet["_id"]})
                records.append((record, signup.get("order") or FIRST))
        # Oldest first; at one instant, in the order the movements were made in (ObjectIds grow).
        records.sort(key=lambda pair: (pair[0].created_at, pair[1]))
        return [record for record, _ in records]

    @storage_call("ledger.reconcile")
    def reconcile(self, grace: timedelta = RECONCILE_GRACE) -> int:
        """Complete every movement a crash left between its two writes; how many there were.
        Safe to run at any time, also while the bot works: a hold reserved less than `grace` ago
        whose job has no record yet is left to its reserve."""
        outbox, holds = self._outbox.reconcile(), self.holds.reconcile(grace)
        return outbox + holds + self._purchases.reconcile(grace)

    def _unapplied_debit(self, user_id: UserId, key: str) -> int | None:
        """What a debit that took nothing finds: None when its key was applied (a movement
        pending in the wallet under that key is completed first), else the bought credits."""
        projection = {"paid": 1, "pending": 1, "signup.key": 1}
        wallet = retried(lambda: self._wallets.find_one({"_id": user_id}, projection)) or {}
        pending = wallet.get("pending")
        if any(isinstance(e, dict) and e.get("key") == key for e in pending or []):
            self._outbox.complete_pending(user_id, pending, {key})
            return None
        signup = wallet.get("signup")
        if (isinstance(signup, dict) and signup.get("key") == key) or self._logged(key):
            return None
        return integer(wallet, "paid")

    def _logged(self, key: str) -> bool:
        return retried(lambda: self._log.find_one({"key": key}, {"_id": 1})) is not None

    def _sign_up(
        self, user_id: UserId, amount: int, kind: TransactionKind, source: str, bucket: Bucket
    ) -> bool:
        """The registration grant: credited and recorded in one guarded upsert of the user's own
        wallet (its key names that user, so the wallet alone can keep it unique). One command, and
        nothing for reconcile() to heal."""
        record = {
            "key": registration_key(user_id),
            "kind": kind.value,
            "source": source,
            "target": user_account(user_id, bucket),
            "amount": amount,
            **time_fields("created_at", self._clock.now()),
            "order": ObjectId(),
        }
        try:
            retried(
                lambda: self._wallets.update_one(
                    {"_id": user_id, "signup": {"$exists": False}},
                    {"$inc": {bucket.value: amount}, "$set": {"signup": record}},
                    upsert=True,
                )
            )
        except DuplicateKeyError:  # the wallet exists and has its signup: a replay
            return False
        return True

    def _settle(self, job_id: str, outcome: HoldState) -> bool:
        """Capture or release: the job's record first (the first of the two wins), then the
        wallet. A replay also finishes a settlement whose wallet step was lost."""
        if self.holds.settle(job_id, outcome, self._clock.now()) is not None:
            return True
        recorded = self.holds.read(job_id)
        if recorded is not None and recorded.state is not HoldState.HELD:
            self.holds.give(recorded.entry, recorded.state)
        return False
