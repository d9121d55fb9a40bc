"""Users in MongoDB: one document per user, keyed by the Telegram user id."""

from __future__ import annotations

import re
from datetime import datetime

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from paintcore.domain.errors import UserNotFound
from paintcore.domain.users import User, UserId

from .documents import EPOCH, Document, flag, micros, read_time, text, time_fields
from .errors import retried, storage_call


class MongoUsers:
    def __init__(self, users: Collection[Document]) -> None:
        self._users = users

    @storage_call("users.add")
    def add(self, user: User) -> bool:
        document = {
            "_id": int(user.id),
            **user_fields(user),
            "username_lower": user.username.lower(),
        }
        try:
            # Not retried: after a dropped connection a second insert could not tell "mine went
            # through" from "someone else's did".
            self._users.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    @storage_call("users.get")
    def get(self, user_id: UserId) -> User | None:
        found = retried(lambda: self._users.find_one({"_id": user_id}))
        return None if found is None else read_user(found)

    @storage_call("users.set_blocked")
    def set_blocked(self, user_id: UserId, blocked: bool) -> None:
        self._set_flag(user_id, "blocked", blocked)

    @storage_call("users.set_banned")
    def set_banned(self, user_id: UserId, banned: bool) -> None:
        self._set_flag(user_id, "banned", banned)

    @storage_call("users.count")
    def count(self) -> int:
        return retried(lambda: self._users.count_documents({}))

    @storage_call("users.find")
    def find(self, username: str) -> User | None:
        wanted = username.strip().removeprefix("@").lower()
        if not wanted:
            return None
        # `username_lower` (indexed) is written since the shop; a document written before it is
        # matched by a case-insensitive pattern, which scans only documents without the field.
        pattern = re.compile(f"^{re.escape(wanted)}$", re.IGNORECASE)
        query = {
            "$or": [
                {"username_lower": wanted},
                {"username_lower": {"$exists": False}, "username": pattern},
            ]
        }
        found = retried(lambda: list(self._users.find(query).sort("_id", 1).limit(1)))
        return read_user(found[0]) if found else None

    @storage_call("users.ids")
    def ids(self, *, after: UserId | None = None, limit: int = 1000) -> list[UserId]:
        if limit <= 0:
            return []
        query = {} if after is None else {"_id": {"$gt": int(after)}}
        found = retried(
            lambda: list(self._users.find(query, {"_id": 1}).sort("_id", 1).limit(limit))
        )
        return [UserId(doc["_id"]) for doc in found]

    @storage_call("users.registered_since")
    def registered_since(self, moment: datetime) -> int:
        # Documents without the exact field compare by their BSON date.
        query = {
            "$or": [
                {"registered_at_us": {"$gte": micros(moment)}},
                {"registered_at_us": None, "registered_at": {"$gte": moment}},
            ]
        }
        return retried(lambda: self._users.count_documents(query))

    @storage_call("users.recipients")
    def recipients(self) -> list[UserId]:
        # `$ne: True` also matches documents without the flag (written before it existed).
        query = {"blocked": {"$ne": True}, "banned": {"$ne": True}}
        found = retried(lambda: list(self._users.find(query, {"_id": 1}).sort("_id", 1)))
        return [UserId(doc["_id"]) for doc in found]

    def _set_flag(self, user_id: UserId, name: str, value: bool) -> None:
        result = retried(lambda: self._users.update_one({"_id": user_id}, {"$set": {name: value}}))
        if result.matched_count == 0:
            raise UserNotFound(f"no user {user_id}")


def user_fields(user: User) -> Document:
    """A user document's fields but `_id` (also the snapshot a page's job keeps of its user)."""
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "username": user.username,
        "language": user.language,
        **time_fields("registered_at", user.registered_at),
        "banned": user.banned,
        "blocked": user.blocked,
    }


def read_user(doc: Document) -> User:
    return User(
        id=UserId(doc["_id"]),
        first_name=text(doc, "first_name"),
        last_name=text(doc, "last_name"),
        username=text(doc, "username"),
        language=text(doc, "language"),
        registered_at=read_time(doc, "registered_at") or EPOCH,
        banned=flag(doc, "banned"),
        blocked=flag(doc, "blocked"),
    )
