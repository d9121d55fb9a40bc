"""Payments in MongoDB: one document per provider charge id (`_id`), so the `_id` index decides
which of two racing records of one payment is the first."""

from __future__ import annotations

from datetime import datetime

from pymongo import ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from paintcore.domain.payments import Payment, PaymentState
from paintcore.domain.users import UserId

from .documents import EPOCH, Document, choice, integer, micros, read_time, text, time_fields
from .errors import retried, storage_call

_NEWEST_FIRST = [("created_at_us", -1), ("_id", -1)]


class MongoPayments:
    def __init__(self, payments: Collection[Document]) -> None:
        self._payments = payments

    @storage_call("payments.add")
    def add(self, payment: Payment) -> bool:
        try:
            # Not retried: after a dropped connection a second insert could not tell "mine went
            # through" from "a redelivery's did" (either way the payment is recorded once).
            self._payments.insert_one({"_id": payment.charge_id, **payment_fields(payment)})
        except DuplicateKeyError:
            return False
        return True

    @storage_call("payments.get")
    def get(self, charge_id: str) -> Payment | None:
        found = retried(lambda: self._payments.find_one({"_id": charge_id}))
        return None if found is None else read_payment(found)

    @storage_call("payments.of_user")
    def of_user(self, user_id: UserId, *, limit: int = 10) -> list[Payment]:
        if limit <= 0:
            return []
        query = {"user_id": int(user_id)}
        found = retried(lambda: list(self._payments.find(query).sort(_NEWEST_FIRST).limit(limit)))
        return [read_payment(doc) for doc in found]

    @storage_call("payments.refunded")
    def refunded(
        self, charge_id: str, *, at: datetime, pages: int, shortfall: int
    ) -> Payment | None:
        changes = {
            "state": PaymentState.REFUNDED.value,
            **time_fields("refunded_at", at),
            "refunded_pages": pages,
            "shortfall": shortfall,
        }
        # Guarded on the state: the first refund marks it; a second matches nothing and reads it.
        # Retrying is safe: a repeat of a write that went through matches nothing.
        changed = retried(
            lambda: self._payments.find_one_and_update(
                {"_id": charge_id, "state": PaymentState.PAID.value},
                {"$set": changes},
                return_document=ReturnDocument.AFTER,
            )
        )
        if changed is None:
            changed = retried(lambda: self._payments.find_one({"_id": charge_id}))
        return None if changed is None else read_payment(changed)

    @storage_call("payments.totals")
    def totals(self, *, since: datetime | None = None) -> dict[str, tuple[int, int]]:
        match: Document = {} if since is None else {"created_at_us": {"$gte": micros(since)}}
        refunded = {"$cond": [{"$eq": ["$state", PaymentState.REFUNDED.value]}, "$amount", 0]}
        pipeline: list[Document] = [
            {"$match": match},
            {
                "$group": {
                    "_id": "$currency",
                    "received": {"$sum": "$amount"},
                    "refunded": {"$sum": refunded},
                }
            },
        ]
        found = retried(lambda: list(self._payments.aggregate(pipeline)))
        return {
            str(doc["_id"]): (integer(doc, "received"), integer(doc, "refunded"))
            for doc in sorted(found, key=lambda doc: str(doc["_id"]))
        }


def payment_fields(payment: Payment) -> Document:
    return {
        "provider": payment.provider,
        "user_id": int(payment.user_id),
        "pages": payment.pages,
        "amount": payment.amount,
        "currency": payment.currency,
        **time_fields("created_at", payment.created_at),
        "state": payment.state.value,
        "provider_charge_id": payment.provider_charge_id,
        **time_fields("refunded_at", payment.refunded_at),
        "refunded_pages": payment.refunded_pages,
        "shortfall": payment.shortfall,
    }


def read_payment(doc: Document) -> Payment:
    return Payment(
        charge_id=str(doc["_id"]),
        provider=text(doc, "provider"),
        user_id=UserId(integer(doc, "user_id")),
        pages=integer(doc, "pages"),
        amount=integer(doc, "amount"),
        currency=text(doc, "currency"),
        created_at=read_time(doc, "created_at") or EPOCH,
        state=choice(doc, "state", PaymentState, PaymentState.PAID),
        provider_charge_id=text(doc, "provider_charge_id"),
        refunded_at=read_time(doc, "refunded_at"),
        refunded_pages=integer(doc, "refunded_pages"),
        shortfall=integer(doc, "shortfall"),
    )
