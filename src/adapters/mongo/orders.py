"""MongoOrders: a page's credit held, taken and settled in three commands each way.

open  = read the user with their wallet (one aggregate with $lookup), take the credit from the
        bucket that has it (one guarded update of the wallet), insert the job with its hold's
        record and a snapshot of the user and of the credits left (one insert);
take  = move the job to running (one guarded update), which returns all a worker needs;
close = finish the job and settle its hold's record (one guarded update of the job), then the
        wallet (one guarded update).
The credit is held, recorded and settled by Holds, as for Ledger.reserve/capture/release; see
holds.py for why a crash between any two of the commands loses nothing, and docs/MONGO.md.
"""

from __future__ import annotations

from datetime import datetime

from pymongo.collection import Collection

from paintcore.domain.credits import Bucket, HoldState
from paintcore.domain.errors import (
    JobInFlight,
    QuotaExceeded,
    StorageUnavailable,
    UserBanned,
    UserNotFound,
)
from paintcore.domain.jobs import ClosedJob, Job, JobState, Lease, TakenJob
from paintcore.domain.users import User, UserId
from paintcore.ports import Clock

from .documents import Document, integer
from .errors import retried, storage_call
from .hold_documents import HoldEntry, read_record
from .holds import Holds
from .jobs import final_fields, job_fields, movable, move, read_job, renew_lease, start_fields
from .outbox import new_op
from .users import read_user, user_fields

_FINAL = (JobState.SUCCEEDED, JobState.FAILED)
_OUTCOME = {JobState.SUCCEEDED: HoldState.CAPTURED, JobState.FAILED: HoldState.RELEASED}
# Each failed guarded update means another movement changed the wallet since it was read, so
# the loop makes progress; this many in a row is a storm worth an error rather than a spin.
_ATTEMPTS = 8
_WALLET_FIELDS = {"free": 1, "paid": 1}


class MongoOrders:
    def __init__(
        self,
        users: Collection[Document],
        wallets: Collection[Document],
        jobs: Collection[Document],
        holds: Holds,
        clock: Clock,
    ) -> None:
        self._users = users
        self._wallets = wallets
        self._jobs = jobs
        self._holds = holds
        self._clock = clock

    @storage_call("orders.open")
    def open(self, job: Job) -> Job:
        for _ in range(_ATTEMPTS):
            user, wallet = self._user_and_wallet(job.user_id)
            bucket = next((b for b in (Bucket.FREE, Bucket.PAID) if integer(wallet, b) >= 1), None)
            if bucket is None:
                if retried(lambda: self._jobs.find_one(_in_flight(job.user_id), {"_id": 1})):
                    raise JobInFlight(f"user {job.user_id} already has a job in flight")
                raise QuotaExceeded(f"user {job.user_id} has no credits")
            entry = HoldEntry(job.id, job.user_id, bucket, 1, new_op(), job.created_at, True)
            after = self._holds.take(entry)
            if after is not None:
                credits_left = integer(after, "free") + integer(after, "paid")
                self._store(job, entry, user, credits_left)
                return job
        raise StorageUnavailable(f"the wallet of user {job.user_id} kept changing; try again")

    @storage_call("orders.take")
    def take(self, job_id: str, *, at: datetime, lease: Lease | None = None) -> TakenJob | None:
        found = move(self._jobs, job_id, JobState.RUNNING, start_fields(at, lease))
        if found is None:
            return None
        job, record = read_job(found), read_record(found)
        held = record is not None and record.state is HoldState.HELD
        credits_left = found.get("credits_left")
        if not isinstance(credits_left, int) or isinstance(credits_left, bool):
            # A job not opened here (moved from SQLite): read what the snapshot would have said.
            wallet = retried(lambda: self._wallets.find_one({"_id": job.user_id}, _WALLET_FIELDS))
            credits_left = integer(wallet or {}, "free") + integer(wallet or {}, "paid")
        return TakenJob(job, self._user_of(found, job), held, credits_left)

    @storage_call("orders.renew")
    def renew(self, job_id: str, *, owner: str, until: datetime) -> bool:
        return renew_lease(self._jobs, job_id, owner=owner, until=until)

    @storage_call("orders.close")
    def close(
        self, job_id: str, *, state: JobState, at: datetime, error: str = ""
    ) -> ClosedJob | None:
        if state not in _FINAL:
            raise ValueError(f"cannot close a job as {state}")
        changes = {"state": state.value, **final_fields(at, error)}
        found = self._holds.settle(
            job_id, _OUTCOME[state], at, guard=movable(state), changes=changes
        )
        settled = found is not None and read_record(found) is not None
        if found is None:
            # No held credit to settle (lost by a crash before the record, or never reserved).
            found = move(self._jobs, job_id, state, final_fields(at, error))
            if found is None:
                return None
        job = read_job(found)
        return ClosedJob(job, self._user_of(found, job), settled=settled)

    def _user_and_wallet(self, user_id: UserId) -> tuple[User, Document]:
        """The user and their wallet in one command; UserNotFound, UserBanned."""
        pipeline: list[Document] = [
            {"$match": {"_id": user_id}},
            {
                "$lookup": {
                    "from": self._wallets.name,
                    "localField": "_id",
                    "foreignField": "_id",
                    "as": "w",
                }
            },
            {"$project": {"w.holds": 0, "w.pending": 0, "w.signup": 0}},
        ]
        found = retried(lambda: list(self._users.aggregate(pipeline)))
        if not found:
            raise UserNotFound(f"no user {user_id}")
        user = read_user(found[0])
        if user.banned:
            raise UserBanned(f"user {user_id} is banned")
        wallets = found[0].get("w")
        return user, wallets[0] if isinstance(wallets, list) and wallets else {}

    def _store(self, job: Job, entry: HoldEntry, user: User, credits_left: int) -> None:
        """Insert the job carrying its hold's record; when that is refused, the credit goes back
        and the reason is raised (JobInFlight; ValueError for a job id that exists;
        StorageUnavailable when reconcile() undid this page while the request stalled)."""
        fields = {**job_fields(job), "user": user_fields(user), "credits_left": credits_left}
        found = self._holds.write_record(entry, job=fields)
        record = None if found is None else read_record(found)
        ours = record is not None and record.entry.op == entry.op
        if ours and found is not None and "state" in found:
            return  # stored (by this attempt, or by its first try before a dropped connection)
        self._holds.give(entry, HoldState.RELEASED)
        if found is None:
            raise JobInFlight(f"user {job.user_id} already has a job in flight")
        if ours:  # its record says released, written by reconcile() (see Holds.complete)
            raise StorageUnavailable("the request took too long and was undone")
        raise ValueError(f"job {job.id} exists")

    def _user_of(self, found: Document, job: Job) -> User | None:
        """The snapshot the job keeps of its user; read for a job not opened here."""
        snapshot = found.get("user")
        if isinstance(snapshot, dict):
            return read_user({**snapshot, "_id": job.user_id})
        stored = retried(lambda: self._users.find_one({"_id": job.user_id}))
        return None if stored is None else read_user(stored)


def _in_flight(user_id: UserId) -> Document:
    return {"user_id": int(user_id), "in_flight": True}
