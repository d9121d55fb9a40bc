"""MongoDB Broadcasts: a document per broadcast, and one small document per delivery.

A delivery is its own document (`_id` "<broadcast>:<user>") so that recording it is one
`update_one` guarded by `state: "pending"` on the `_id` index: the exactly-once guard costs one
command and no document grows with the audience (100 000 recipients in chunks of an array would
rewrite a large array per delivery). The recipients are written before the broadcast document,
whose insert (the one-running unique index) is what makes the broadcast exist: a crash in
between leaves deliveries of a broadcast nobody can see, never a broadcast with half its list."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice

from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, DuplicateKeyError

from paintcore.domain.broadcasts import (
    Audience,
    Broadcast,
    BroadcastCounts,
    BroadcastId,
    BroadcastState,
    Delivery,
)
from paintcore.domain.errors import BroadcastRunning
from paintcore.domain.users import UserId

from .broadcast_documents import broadcast_document, delivery_key, read_broadcast
from .documents import Document, micros, time_fields
from .errors import retried, storage_call

CHUNK = 1000  # recipients written (and users read) per command while fixing the list


class MongoBroadcasts:
    def __init__(
        self,
        broadcasts: Collection[Document],
        deliveries: Collection[Document],
        users: Collection[Document],
        jobs: Collection[Document],
    ) -> None:
        self._broadcasts = broadcasts
        self._deliveries = deliveries
        self._users = users
        self._jobs = jobs

    @storage_call("broadcasts.start")
    def start(self, broadcast: Broadcast) -> Broadcast:
        if self._broadcasts.find_one({"_id": broadcast.id}, {"_id": 1}) is not None:
            raise ValueError(f"broadcast {broadcast.id} exists")
        if self._broadcasts.find_one({"running": True}, {"_id": 1}) is not None:
            raise BroadcastRunning("another broadcast is running")
        total = 0
        for chunk in _batched(self._recipients(broadcast.audience), CHUNK):
            documents = [
                {
                    "_id": delivery_key(broadcast.id, u),
                    "b": broadcast.id,
                    "u": u,
                    "state": "pending",
                }
                for u in chunk
            ]
            try:
                self._deliveries.insert_many(documents, ordered=False)
            except BulkWriteError as error:  # only duplicates of an earlier attempt of this id
                if any(e.get("code") != 11000 for e in error.details.get("writeErrors", [])):
                    raise
            total += len(chunk)
        document = broadcast_document(broadcast, total)
        try:
            self._broadcasts.insert_one(document)
        except DuplicateKeyError as error:
            self._deliveries.delete_many({"b": broadcast.id})
            if "running" in str(error):
                raise BroadcastRunning("another broadcast is running") from error
            raise ValueError(f"broadcast {broadcast.id} exists") from error
        return read_broadcast(document)

    @storage_call("broadcasts.get")
    def get(self, broadcast_id: BroadcastId) -> Broadcast | None:
        return self._one({"_id": broadcast_id})

    @storage_call("broadcasts.audience_size")
    def audience_size(self, audience: Audience) -> int:
        return retried(
            lambda: sum(self._users.count_documents(q) for q in self._selections(audience))
        )

    @storage_call("broadcasts.claim")
    def claim(
        self,
        broadcast_id: BroadcastId,
        owner: str,
        *,
        until: datetime,
        now: datetime,
        replacing: str | None = None,
    ) -> bool:
        # Free, ran out, renewed or taken over, in the update's filter: one guarded write (not
        # retried, like every write here whose answer a repeat could change).
        claimable: list[Document] = [
            {"lease_owner": None},  # also a document without the field
            {"lease_until_us": {"$lte": micros(now)}},
            {"lease_owner": owner},
        ]
        if replacing is not None:
            claimable.append({"lease_owner": replacing})
        result = self._broadcasts.update_one(
            {"_id": broadcast_id, "state": BroadcastState.RUNNING.value, "$or": claimable},
            {"$set": {"lease_owner": owner, **time_fields("lease_until", until)}},
        )
        return result.matched_count == 1  # a renewal to the same instant modifies nothing

    @storage_call("broadcasts.release")
    def release(self, broadcast_id: BroadcastId, owner: str) -> bool:
        # In any state: a finished broadcast's holder lets go too. Not retried: a repeat of a
        # release that went through would answer False.
        result = self._broadcasts.update_one(
            {"_id": broadcast_id, "lease_owner": owner},
            {"$set": {"lease_owner": None, **time_fields("lease_until", None)}},
        )
        return result.matched_count == 1

    @storage_call("broadcasts.current")
    def current(self) -> Broadcast | None:
        return self._one({"running": True})

    @storage_call("broadcasts.latest")
    def latest(self) -> Broadcast | None:
        found = retried(lambda: list(self._broadcasts.find({}).sort("started_at_us", -1).limit(1)))
        return read_broadcast(found[0]) if found else None

    @storage_call("broadcasts.pending")
    def pending(
        self, broadcast_id: BroadcastId, *, after: UserId | None = None, limit: int = 100
    ) -> list[UserId]:
        if limit <= 0:
            return []
        query: Document = {"b": broadcast_id, "state": "pending"}
        if after is not None:
            query["u"] = {"$gt": after}
        found = retried(
            lambda: list(self._deliveries.find(query, {"u": 1}).sort("u", 1).limit(limit))
        )
        return [UserId(document["u"]) for document in found]

    @storage_call("broadcasts.record")
    def record(
        self, broadcast_id: BroadcastId, user_id: UserId, outcome: Delivery, *, at: datetime
    ) -> bool:
        if outcome is Delivery.PENDING:
            raise ValueError("a delivery is recorded with its outcome, not as pending")
        # Not retried: a retry that found its own first attempt would answer False.
        result = self._deliveries.update_one(
            {"_id": delivery_key(broadcast_id, user_id), "state": "pending"},
            {"$set": {"state": outcome.value, **time_fields("at", at)}},
        )
        return result.modified_count == 1

    @storage_call("broadcasts.counts")
    def counts(self, broadcast_id: BroadcastId) -> BroadcastCounts:
        pipeline: list[Document] = [
            {"$match": {"b": broadcast_id}},
            {"$group": {"_id": "$state", "n": {"$sum": 1}}},
        ]
        found = {
            d["_id"]: d["n"] for d in retried(lambda: list(self._deliveries.aggregate(pipeline)))
        }
        return BroadcastCounts(
            sent=found.get("sent", 0),
            blocked=found.get("blocked", 0),
            failed=found.get("failed", 0),
            pending=found.get("pending", 0),
        )

    @storage_call("broadcasts.cancel")
    def cancel(self, broadcast_id: BroadcastId, *, at: datetime) -> bool:
        return self._end(broadcast_id, BroadcastState.CANCELLED, at)

    @storage_call("broadcasts.finish")
    def finish(self, broadcast_id: BroadcastId, *, at: datetime) -> bool:
        return self._end(broadcast_id, BroadcastState.DONE, at)

    def _end(self, broadcast_id: BroadcastId, state: BroadcastState, at: datetime) -> bool:
        result = self._broadcasts.update_one(
            {"_id": broadcast_id, "state": "running"},
            {
                "$set": {"state": state.value, **time_fields("finished_at", at)},
                "$unset": {"running": ""},  # frees the one-running slot in the same write
            },
        )
        return result.modified_count == 1

    def _one(self, query: Document) -> Broadcast | None:
        found = retried(lambda: self._broadcasts.find_one(query))
        return None if found is None else read_broadcast(found)

    def _recipients(self, audience: Audience) -> Iterator[int]:
        """The ids of the users the audience names, in id order, read a chunk at a time."""
        for query in self._selections(audience):
            for document in self._users.find(query, {"_id": 1}).sort("_id", 1).batch_size(CHUNK):
                yield document["_id"]

    def _selections(self, audience: Audience) -> Iterator[Document]:
        """Queries on users whose matches, one query after the other, are the audience in id
        order: `start` lists them, `audience_size` counts them, so the two cannot disagree. One
        query for everyone or a language; for the active users one per chunk of their ids."""
        query: Document = {"blocked": {"$ne": True}, "banned": {"$ne": True}}
        if audience.language is not None:
            query["language"] = audience.language
        if audience.active_since is None:
            yield query
            return
        # Active: the users with a page requested since, grouped (one per user) in id order.
        active = self._jobs.aggregate(
            [
                {
                    "$match": {
                        "created_at_us": {"$gte": micros(audience.active_since)},
                        "state": {"$exists": True},
                    }
                },
                {"$group": {"_id": "$user_id"}},
                {"$sort": {"_id": 1}},
            ],
            allowDiskUse=True,
        )
        for chunk in _batched((d["_id"] for d in active), CHUNK):
            yield {**query, "_id": {"$in": chunk}}


def _batched(values: Iterable[int], size: int) -> Iterator[list[int]]:
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk
