"""MongoDB UpdateLog and Flags: which updates were handled, and deployment-wide flags.

Both are one document per key, and `_id` is the key, so the unique index every collection has
decides which of several racing processes records an update or raises a flag first."""

from __future__ import annotations

from datetime import datetime

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from .documents import Document, micros, time_fields
from .errors import retried, storage_call


class MongoUpdateLog:
    """One document per update; `claimed_until_us` is there while it is being handled and
    removed once it was (a document without it is a handled update)."""

    def __init__(self, updates: Collection[Document]) -> None:
        self._updates = updates

    @storage_call("updates.handled")
    def handled(self, update_id: int) -> bool:
        query = {"_id": update_id, "claimed_until_us": {"$exists": False}}
        return retried(lambda: self._updates.find_one(query, {"_id": 1})) is not None

    @storage_call("updates.claim")
    def claim(self, update_id: int, *, at: datetime, until: datetime) -> bool:
        """An upsert guarded by the claim's end: a handled update or a live claim does not match,
        so the upsert's insert collides with the existing `_id` (DuplicateKeyError: False). Not
        retried, as `_insert_once`."""
        query = {"_id": update_id, "claimed_until_us": {"$lte": micros(at)}}
        change = {"$set": {**time_fields("handled_at", at), "claimed_until_us": micros(until)}}
        try:
            self._updates.update_one(query, change, upsert=True)
        except DuplicateKeyError:
            return False
        return True

    @storage_call("updates.record")
    def record(self, update_id: int, *, at: datetime) -> bool:
        if _insert_once(self._updates, {"_id": update_id, **time_fields("handled_at", at)}):
            return True
        claimed = {"_id": update_id, "claimed_until_us": {"$exists": True}}
        change = {"$set": time_fields("handled_at", at), "$unset": {"claimed_until_us": ""}}
        return self._updates.update_one(claimed, change).modified_count == 1

    @storage_call("updates.sweep")
    def sweep(self, before: datetime) -> int:
        query = {"handled_at_us": {"$lt": micros(before)}}
        return retried(lambda: self._updates.delete_many(query)).deleted_count


class MongoFlags:
    def __init__(self, flags: Collection[Document]) -> None:
        self._flags = flags

    @storage_call("flags.raise")
    def raise_flag(self, name: str, *, at: datetime) -> bool:
        return _insert_once(self._flags, {"_id": name, **time_fields("raised_at", at)})

    @storage_call("flags.lower")
    def lower_flag(self, name: str) -> bool:
        return retried(lambda: self._flags.delete_one({"_id": name})).deleted_count == 1


def _insert_once(collection: Collection[Document], document: Document) -> bool:
    """Insert; False when a document with its `_id` exists. Not retried: a retry that found its
    own first attempt would answer False, and nobody would act on the change."""
    try:
        collection.insert_one(document)
    except DuplicateKeyError:
        return False
    return True
