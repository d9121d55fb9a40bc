"""Holds and log records read back from wallet and transaction documents, with defaults."""

from __future__ import annotations

from paintcore.domain.credits import Bucket, Hold, HoldState, Transaction, TransactionKind
from paintcore.domain.users import UserId

from .documents import EPOCH, Document, choice, integer, read_time, text


def read_hold(wallet: Document, job_id: str) -> Hold | None:
    """The hold of `job_id` in a wallet projected with `{"holds": {"$elemMatch": ...}}`."""
    holds = wallet.get("holds")
    found = (
        next(
            (h for h in holds if isinstance(h, dict) and h.get("job") == job_id),
            None,
        )
        if isinstance(holds, list)
        else None
    )
    if found is None:
        return None
    return Hold(
        job_id=job_id,
        user_id=UserId(wallet["_id"]),
        bucket=choice(found, "bucket", Bucket, Bucket.FREE),
        amount=integer(found, "amount"),
        state=choice(found, "state", HoldState, HoldState.HELD),
    )


def read_transaction(doc: Document) -> Transaction:
    return Transaction(
        key=text(doc, "key"),
        kind=choice(doc, "kind", TransactionKind, TransactionKind.ADMIN_GRANT),
        user_id=UserId(integer(doc, "user_id")),
        source=text(doc, "source"),
        target=text(doc, "target"),
        amount=integer(doc, "amount"),
        created_at=read_time(doc, "created_at") or EPOCH,
    )
