"""The credit ledger in MongoDB without multi-document transactions.

A wallet document per user holds the buckets, the holds (one per job, never removed) and an outbox
of movements not yet logged. Every movement is one guarded update of that document (the `$gte`
guard in the filter, never read-modify-write in Python), then an insert into the log with a unique
key, then a pull from the outbox; see outbox.py for how a crash in between is healed.
"""

from __future__ import annotations

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
    capture_key,
    check_grant_key,
    registration_key,
    release_key,
    reserve_key,
    system_account,
    user_account,
)
from paintcore.domain.errors import DuplicateTransaction, QuotaExceeded
from paintcore.domain.users import UserId
from paintcore.ports import Clock

from .documents import Document, integer, time_fields
from .errors import retried, storage_call
from .outbox import Movement, Outbox, new_op
from .reading import read_hold, read_transaction

_GRANT_SOURCE = {Bucket.FREE: SystemAccount.GRANTS, Bucket.PAID: SystemAccount.SALES}
_LOG_ORDER = [("created_at_us", 1), ("_id", 1)]
_SPENT = system_account(SystemAccount.SPENT)
_FIRST = ObjectId("000000000000000000000000")


class MongoLedger:
    def __init__(
        self, wallets: Collection[Document], transactions: Collection[Document], clock: Clock
    ) -> None:
        self._wallets = wallets
        self._log = transactions
        self._clock = clock
        self._outbox = Outbox(wallets, transactions)

    @storage_call("ledger.grant")
    def grant(
        self, *, user_id: UserId, amount: int, key: str, kind: TransactionKind, bucket: Bucket
    ) -> bool:
        if amount <= 0:
            raise ValueError("a grant must be positive")
        if bucket not in _GRANT_SOURCE:
            raise ValueError("credits are granted to the free or paid bucket")
        check_grant_key(user_id, key)
        if key == registration_key(user_id):
            return self._sign_up(user_id, amount, kind, bucket)
        # The common replay (every /start) costs one read; a replay racing past it is caught by
        # the unique key below and undone before anything was credited.
        if retried(lambda: self._log.find_one({"key": key}, {"_id": 1})) is not None:
            return False
        movement = Movement(
            op=new_op(),
            key=key,
            kind=kind,
            user_id=user_id,
            source=system_account(_GRANT_SOURCE[bucket]),
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

    @storage_call("ledger.reserve")
    def reserve(self, *, user_id: UserId, job_id: str, amount: int = 1) -> Hold:
        if amount <= 0:
            raise ValueError("a reservation must be positive")
        at, op = self._clock.now(), new_op()
        # Free credits first; a hold takes from one bucket only, so that it can remember it.
        for bucket in (Bucket.FREE, Bucket.PAID):
            movement = Movement(
                op=op,
                key=reserve_key(job_id),
                kind=TransactionKind.RESERVE,
                user_id=user_id,
                source=user_account(user_id, bucket),
                target=user_account(user_id, Bucket.HELD),
                amount=amount,
                at=at,
                job=job_id,
                bucket=bucket,
            )
            hold = {"job": job_id, "bucket": bucket.value, "amount": amount, "state": "held"}
            taken = self._wallets.update_one(
                {"_id": user_id, "holds.job": {"$ne": job_id}, bucket.value: {"$gte": amount}},
                {
                    "$inc": {bucket.value: -amount, "held": amount},
                    "$push": {"holds": hold, "pending": movement.entry()},
                },
            )
            if not taken.matched_count:
                continue
            if self._outbox.complete(movement):
                return Hold(job_id, user_id, bucket, amount, HoldState.HELD)
            # Taken back: the job is reserved in another wallet (answered like a replay, as the
            # other adapters do), or a grant used its key.
            found = self._find_hold(job_id)
            if found is None:
                raise DuplicateTransaction(f"transaction {movement.key} already exists")
            return found[0]
        found = self._find_hold(job_id)
        if found is None:
            raise QuotaExceeded(f"user {user_id} has not {amount} credit(s) in one bucket")
        existing, pending = found
        self._outbox.complete_pending(existing.user_id, pending, {reserve_key(job_id)})
        return existing

    @storage_call("ledger.capture")
    def capture(self, *, job_id: str) -> bool:
        return self._settle(job_id, HoldState.CAPTURED)

    @storage_call("ledger.release")
    def release(self, *, job_id: str) -> bool:
        return self._settle(job_id, HoldState.RELEASED)

    @storage_call("ledger.hold")
    def hold(self, job_id: str) -> Hold | None:
        found = self._find_hold(job_id)
        return None if found is None else found[0]

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
        for wallet in wallets:
            signup = wallet["signup"]
            if isinstance(signup, dict):
                record = read_transaction({**signup, "user_id": wallet["_id"]})
                records.append((record, signup.get("order") or _FIRST))
        # Oldest first; at one instant, in the order the movements were made in (ObjectIds grow).
        records.sort(key=lambda pair: (pair[0].created_at, pair[1]))
        return [record for record, _ in records]

    @storage_call("ledger.reconcile")
    def reconcile(self) -> int:
        """Complete every movement a crash left between its wallet update and its log record;
        how many there were. Safe to run at any time, also while the bot works."""
        return self._outbox.reconcile()

    def _sign_up(self, user_id: UserId, amount: int, kind: TransactionKind, bucket: Bucket) -> bool:
        """The registration grant: credited and recorded in one guarded upsert of the user's own
        wallet (its key names that user, so the wallet alone can keep it unique). One command, and
        nothing for reconcile() to heal."""
        record = {
            "key": registration_key(user_id),
            "kind": kind.value,
            "source": system_account(_GRANT_SOURCE[bucket]),
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
        """Capture or release: the first guarded update of a held hold wins, later ones match
        nothing."""
        found = self._find_hold(job_id)
        if found is None:
            return False
        hold, pending = found
        keys = {reserve_key(job_id), capture_key(job_id), release_key(job_id)}
        self._outbox.complete_pending(hold.user_id, pending, keys)
        if hold.state is not HoldState.HELD:
            return False
        changes = {"held": -hold.amount}
        if outcome is HoldState.CAPTURED:
            kind, key, target = TransactionKind.CAPTURE, capture_key(job_id), _SPENT
        else:
            kind, key = TransactionKind.RELEASE, release_key(job_id)
            target = user_account(hold.user_id, hold.bucket)
            changes[hold.bucket.value] = hold.amount
        source = user_account(hold.user_id, Bucket.HELD)
        at = self._clock.now()
        movement = Movement(new_op(), key, kind, hold.user_id, source, target, hold.amount, at)
        guard = {
            "_id": hold.user_id,
            "holds": {"$elemMatch": {"job": job_id, "state": HoldState.HELD.value}},
            "held": {"$gte": hold.amount},
        }
        # `holds.$` is the hold the filter matched: the filter names no other array.
        settle = {
            "$set": {"holds.$.state": outcome.value},
            "$inc": changes,
            "$push": {"pending": movement.entry()},
        }
        if not self._wallets.update_one(guard, settle).matched_count:
            again = self._find_hold(job_id)
            if again is not None and again[0].state is HoldState.HELD:
                raise RuntimeError(f"ledger corrupt: wallet of user {hold.user_id} lacks the hold")
            return False
        if not self._outbox.complete(movement):
            raise DuplicateTransaction(f"transaction {key} already exists")
        return True

    def _find_hold(self, job_id: str) -> tuple[Hold, object] | None:
        """The hold of a job and its wallet's pending movements."""
        projection = {"holds": {"$elemMatch": {"job": job_id}}, "pending": 1}
        wallet = retried(lambda: self._wallets.find_one({"holds.job": job_id}, projection))
        hold = None if wallet is None else read_hold(wallet, job_id)
        return None if wallet is None or hold is None else (hold, wallet.get("pending"))
