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
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import BulkWriteError, DuplicateKeyError

from paintcore.domain.broadcasts import (
    Audience,
    Broadcast,
    BroadcastCounts,
    BroadcastId,
    BroadcastState,
    CopiedMessage,
    Delivery,
)
from paintcore.domain.errors import BroadcastRunning
from paintcore.domain.users import UserId

from .documents import EPOCH, Document, choice, flag, integer, micros, read_time, time_fields
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
                {"_id": _key(broadcast.id, u), "b": broadcast.id, "u": u, "state": "pending"}
                for u in chunk
            ]
            try:
                self._deliveries.insert_many(documents, ordered=False)
            except BulkWriteError as error:  # only duplicates of an earlier attempt of this id
                if any(e.get("code") != 11000 for e in error.details.get("writeErrors", [])):
                    raise
            total += len(chunk)
        document = _document(broadcast, total)
        try:
            self._broadcasts.insert_one(document)
        except DuplicateKeyError as error:
            self._deliveries.delete_many({"b": broadcast.id})
            if "running" in str(error):
                raise BroadcastRunning("another broadcast is running") from error
            raise ValueError(f"broadcast {broadcast.id} exists") from error
        return _from_document(document)

    @storage_call("broadcasts.get")
    def get(self, broadcast_id: BroadcastId) -> Broadcast | None:
        return self._one({"_id": broadcast_id})

    @storage_call("broadcasts.current")
    def current(self) -> Broadcast | None:
        return self._one({"running": True})

    @storage_call("broadcasts.latest")
    def latest(self) -> Broadcast | None:
        found = retried(lambda: list(self._broadcasts.find({}).sort("started_at_us", -1).limit(1)))
        return _from_document(found[0]) if found else None

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
            {"_id": _key(broadcast_id, user_id), "state": "pending"},
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
        return None if found is None else _from_document(found)

    def _recipients(self, audience: Audience) -> Iterator[int]:
        """The ids of the users the audience names, in id order, read a chunk at a time."""
        query: Document = {"blocked": {"$ne": True}, "banned": {"$ne": True}}
        if audience.language is not None:
            query["language"] = audience.language
        if audience.active_since is None:
            for document in self._users.find(query, {"_id": 1}).sort("_id", 1).batch_size(CHUNK):
                yield document["_id"]
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
            wanted = {**query, "_id": {"$in": chunk}}
            for document in self._users.find(wanted, {"_id": 1}).sort("_id", 1):
                yield document["_id"]


def _batched(values: Iterable[int], size: int) -> Iterator[list[int]]:
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _key(broadcast_id: str, user_id: int) -> str:
    return f"{broadcast_id}:{user_id}"


def _document(broadcast: Broadcast, total: int) -> Document:
    audience = broadcast.audience
    return {
        "_id": broadcast.id,
        "admin_id": broadcast.admin_id,
        "message": {
            "from_chat_id": broadcast.message.from_chat_id,
            "message_id": broadcast.message.message_id,
        },
        "audience": {
            "language": audience.language,
            **time_fields("active_since", audience.active_since),
        },
        "paid": broadcast.paid,
        "state": BroadcastState.RUNNING.value,
        "running": True,
        **time_fields("created_at", broadcast.created_at),
        **time_fields("started_at", broadcast.started_at),
        **time_fields("finished_at", None),
        "total": total,
    }


def _from_document(document: Document) -> Broadcast:
    message: Any = document.get("message") or {}
    audience: Any = document.get("audience") or {}
    language = audience.get("language")
    return Broadcast(
        id=BroadcastId(document["_id"]),
        admin_id=UserId(integer(document, "admin_id")),
        message=CopiedMessage(integer(message, "from_chat_id"), integer(message, "message_id")),
        audience=Audience(
            language=language if isinstance(language, str) else None,
            active_since=read_time(audience, "active_since"),
        ),
        created_at=read_time(document, "created_at") or EPOCH,
        started_at=read_time(document, "started_at") or EPOCH,
        paid=flag(document, "paid"),
        state=choice(document, "state", BroadcastState, BroadcastState.DONE),
        finished_at=read_time(document, "finished_at"),
        total=integer(document, "total"),
    )
