"""Conversations in MongoDB: what each user is expected to send next, one document per user."""

from __future__ import annotations

from datetime import datetime

from pymongo.collection import Collection

from paintcore.domain.conversation import (
    Awaiting,
    ConversationState,
    payload_from_json,
    payload_to_json,
)
from paintcore.domain.users import UserId

from .documents import EPOCH, Document, choice, micros, read_time, time_fields
from .errors import retried, storage_call


class MongoConversations:
    def __init__(self, conversations: Collection[Document]) -> None:
        self._conversations = conversations

    @storage_call("conversations.expect")
    def expect(self, state: ConversationState) -> None:
        document = {
            "awaiting": state.awaiting.value,
            "payload": payload_to_json(state.payload),
            **time_fields("updated_at", state.updated_at),
        }
        retried(
            lambda: self._conversations.replace_one({"_id": state.user_id}, document, upsert=True)
        )

    @storage_call("conversations.current")
    def current(self, user_id: UserId) -> ConversationState | None:
        found = retried(lambda: self._conversations.find_one({"_id": user_id}))
        if found is None:
            return None
        return ConversationState(
            user_id=user_id,
            awaiting=choice(found, "awaiting", Awaiting, Awaiting.DESCRIPTION),
            updated_at=read_time(found, "updated_at") or EPOCH,
            payload=payload_from_json(found.get("payload")),  # none in documents from before it
        )

    @storage_call("conversations.clear")
    def clear(self, user_id: UserId) -> None:
        retried(lambda: self._conversations.delete_one({"_id": user_id}))

    @storage_call("conversations.sweep")
    def sweep(self, before: datetime) -> int:
        query = {
            "$or": [
                {"updated_at_us": {"$lt": micros(before)}},
                # Documents without the exact field compare by their BSON date.
                {"updated_at_us": None, "updated_at": {"$lt": before}},
            ]
        }
        return retried(lambda: self._conversations.delete_many(query)).deleted_count
