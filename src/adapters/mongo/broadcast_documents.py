"""A broadcast as a MongoDB document and back, and the `_id` of one delivery's document.

The lease (`lease_owner`, `lease_until`/`lease_until_us`) is null until a worker claims the
broadcast; documents written before the lease existed lack the fields and read as unleased (a
filter on `lease_owner: null` matches a missing field too)."""

from __future__ import annotations

from typing import Any

from paintcore.domain.broadcasts import (
    Audience,
    Broadcast,
    BroadcastId,
    BroadcastState,
    CopiedMessage,
)
from paintcore.domain.users import UserId

from .documents import EPOCH, Document, choice, flag, integer, optional_text, read_time, time_fields


def delivery_key(broadcast_id: str, user_id: int) -> str:
    return f"{broadcast_id}:{user_id}"


def broadcast_document(broadcast: Broadcast, total: int) -> Document:
    """A started broadcast: running (holding the one-running slot), unleased, `total` recipients."""
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
        "status_message_id": broadcast.status_message_id,
        "lease_owner": None,
        **time_fields("lease_until", None),
    }


def read_broadcast(document: Document) -> Broadcast:
    message: Any = document.get("message") or {}
    audience: Any = document.get("audience") or {}
    language = audience.get("language")
    status = document.get("status_message_id")
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
        status_message_id=status
        if isinstance(status, int) and not isinstance(status, bool)
        else None,
        lease_owner=optional_text(document, "lease_owner"),
        lease_until=read_time(document, "lease_until"),
    )
