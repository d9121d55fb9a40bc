"""Jobs in MongoDB; one job in flight per user is a unique partial index on `in_flight: true`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from paintcore.domain.errors import JobInFlight
from paintcore.domain.jobs import Job, JobId, JobState, Lease, can_move
from paintcore.domain.users import UserId

from .documents import (
    EPOCH,
    Document,
    choice,
    integer,
    micros,
    optional_text,
    read_time,
    text,
    time_fields,
)
from .errors import retried, storage_call
from .preferences import options_document, read_options

_FINAL = (JobState.SUCCEEDED, JobState.FAILED)
_OLDEST_FIRST = [("created_at_us", 1), ("_id", 1)]
_NEWEST_FIRST = [("created_at_us", -1), ("_id", -1)]


class MongoJobs:
    def __init__(self, jobs: Collection[Document]) -> None:
        self._jobs = jobs

    @storage_call("jobs.add")
    def add(self, job: Job) -> None:
        fields = job_fields(job)
        try:
            # Upserted: a reserve made before the job (a migration replays the ledger first)
            # left a document holding only the hold's record, which the job fills in.
            self._jobs.update_one(
                {"_id": job.id, "state": {"$exists": False}}, {"$set": fields}, upsert=True
            )
        except DuplicateKeyError as error:
            if self._is_duplicate_id(job.id, error):
                raise ValueError(f"job {job.id} exists") from error
            raise JobInFlight(f"user {job.user_id} already has a job in flight") from error

    @storage_call("jobs.get")
    def get(self, job_id: str) -> Job | None:
        found = retried(lambda: self._jobs.find_one({"_id": job_id, "state": {"$exists": True}}))
        return None if found is None else read_job(found)

    @storage_call("jobs.start")
    def start(self, job_id: str, *, at: datetime, lease: Lease | None = None) -> Job | None:
        return self._move(job_id, JobState.RUNNING, start_fields(at, lease))

    @storage_call("jobs.renew")
    def renew(self, job_id: str, *, owner: str, until: datetime) -> bool:
        return renew_lease(self._jobs, job_id, owner=owner, until=until)

    @storage_call("jobs.claim")
    def claim(
        self,
        job_id: str,
        *,
        at: datetime,
        owner: str,
        until: datetime,
        gone: str | None = None,
        unleased_before: datetime,
    ) -> Job | None:
        # The conditions of Job.claimable, in the update's filter: one guarded write.
        claimable: list[Document] = [
            {"lease_owner": None, "started_at_us": {"$lt": micros(unleased_before)}},
            # Documents without the exact field compare by their BSON date.
            {"lease_owner": None, "started_at_us": None, "started_at": {"$lt": unleased_before}},
            {"lease_until_us": {"$lt": micros(at)}},
        ]
        if gone is not None:
            claimable.append({"lease_owner": gone})
        found: Document | None = self._jobs.find_one_and_update(
            {"_id": job_id, "state": JobState.RUNNING.value, "$or": claimable},
            {"$set": {"lease_owner": owner, **time_fields("lease_until", until)}},
            return_document=ReturnDocument.AFTER,
        )
        return None if found is None else read_job(found)

    @storage_call("jobs.finish")
    def finish(self, job_id: str, *, state: JobState, at: datetime, error: str = "") -> Job | None:
        if state not in _FINAL:
            raise ValueError(f"cannot finish a job as {state}")
        return self._move(job_id, state, final_fields(at, error))

    @storage_call("jobs.in_flight")
    def in_flight(self, user_id: UserId) -> Job | None:
        found = retried(lambda: self._jobs.find_one({"user_id": user_id, "in_flight": True}))
        return None if found is None else read_job(found)

    @storage_call("jobs.running")
    def running(self) -> list[Job]:
        query = {"state": JobState.RUNNING.value}
        order = [("started_at_us", 1), ("started_at", 1), ("_id", 1)]
        return [read_job(doc) for doc in retried(lambda: list(self._jobs.find(query).sort(order)))]

    @storage_call("jobs.queued")
    def queued(self) -> list[Job]:
        query = {"state": JobState.QUEUED.value}
        found = retried(lambda: list(self._jobs.find(query).sort(_OLDEST_FIRST)))
        return [read_job(doc) for doc in found]

    @storage_call("jobs.since")
    def since(self, moment: datetime) -> list[Job]:
        query = {"state": {"$exists": True}, "created_at_us": {"$gte": micros(moment)}}
        found = retried(lambda: list(self._jobs.find(query).sort(_OLDEST_FIRST)))
        return [read_job(doc) for doc in found]

    @storage_call("jobs.recent")
    def recent(
        self, *, state: JobState | None = None, user_id: UserId | None = None, limit: int = 10
    ) -> list[Job]:
        if limit <= 0:
            return []
        query: Document = {"state": {"$exists": True} if state is None else state.value}
        if user_id is not None:
            query["user_id"] = int(user_id)
        found = retried(lambda: list(self._jobs.find(query).sort(_NEWEST_FIRST).limit(limit)))
        return [read_job(doc) for doc in found]

    @storage_call("jobs.counts")
    def counts(self) -> dict[JobState, int]:
        pipeline: list[dict[str, Any]] = [{"$group": {"_id": "$state", "n": {"$sum": 1}}}]
        rows = retried(lambda: list(self._jobs.aggregate(pipeline)))
        counted = {row["_id"]: row["n"] for row in rows}
        return {state: int(counted.get(state.value, 0)) for state in JobState}

    def _move(self, job_id: str, target: JobState, changes: Document) -> Job | None:
        found = move(self._jobs, job_id, target, changes)
        return None if found is None else read_job(found)

    def _is_duplicate_id(self, job_id: str, error: DuplicateKeyError) -> bool:
        """Which unique rule refused the insert: a server names the index, mongomock does not."""
        details = error.details if isinstance(error.details, dict) else {}
        pattern = details.get("keyPattern")
        if isinstance(pattern, dict):
            return "_id" in pattern
        query = {"_id": job_id, "state": {"$exists": True}}
        return retried(lambda: self._jobs.find_one(query, {"_id": 1})) is not None


def move(
    jobs: Collection[Document], job_id: str, target: JobState, changes: Document
) -> Document | None:
    """A guarded update: it only matches while the current state may move to `target`; the
    document after it, or None."""
    # No projection: mongomock returns None from a find_one_and_update whose projection
    # leaves out `_id` once the update changed a field of the filter.
    found: Document | None = jobs.find_one_and_update(
        {"_id": job_id, **movable(target)},
        {"$set": {"state": target.value, **changes}},
        return_document=ReturnDocument.AFTER,
    )
    return found


def movable(target: JobState) -> Document:
    """The filter of the jobs whose state may move to `target`."""
    return {"state": {"$in": [state.value for state in JobState if can_move(state, target)]}}


def job_fields(job: Job) -> Document:
    """A job document's fields (all but `_id`, and the hold record Holds keeps there)."""
    return {
        "user_id": int(job.user_id),
        "chat_id": job.chat_id,
        "prompt": job.description,  # the field keeps its first name
        "options": options_document(job.options),
        "state": job.state.value,
        # The field the unique partial index looks at: set while queued or running.
        "in_flight": job.state.in_flight,
        **time_fields("created_at", job.created_at),
        **time_fields("started_at", job.started_at),
        **time_fields("finished_at", job.finished_at),
        "error": job.error,
        "photo_file_id": job.photo_file_id,
    }


def renew_lease(jobs: Collection[Document], job_id: str, *, owner: str, until: datetime) -> bool:
    """Extend a running job's lease while `owner` holds it: one guarded update."""
    result = jobs.update_one(
        {"_id": job_id, "state": JobState.RUNNING.value, "lease_owner": owner},
        {"$set": time_fields("lease_until", until)},
    )
    return result.matched_count == 1


def start_fields(at: datetime, lease: Lease | None) -> Document:
    """What taking a job sets besides its state: when, and the worker's lease."""
    return {
        **time_fields("started_at", at),
        "lease_owner": None if lease is None else lease.owner,
        **time_fields("lease_until", None if lease is None else lease.until),
    }


def final_fields(at: datetime, error: str) -> Document:
    """What finishing a job sets besides its state (and frees its one-in-flight slot)."""
    return {**time_fields("finished_at", at), "error": error, "in_flight": False}


def read_job(doc: Document) -> Job:
    options = doc.get("options")
    return Job(
        id=JobId(str(doc["_id"])),
        user_id=UserId(integer(doc, "user_id")),
        chat_id=integer(doc, "chat_id"),
        description=text(doc, "prompt"),
        options=read_options(options if isinstance(options, dict) else {}),
        state=choice(doc, "state", JobState, JobState.FAILED),
        created_at=read_time(doc, "created_at") or EPOCH,
        started_at=read_time(doc, "started_at"),
        finished_at=read_time(doc, "finished_at"),
        error=text(doc, "error"),
        photo_file_id=optional_text(doc, "photo_file_id"),
        lease=_lease(doc),
    )


def _lease(doc: Document) -> Lease | None:
    owner, until = doc.get("lease_owner"), read_time(doc, "lease_until")
    return Lease(owner, until) if isinstance(owner, str) and until is not None else None
