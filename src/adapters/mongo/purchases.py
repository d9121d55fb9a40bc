"""A purchase in MongoDB in two commands: its payment document, then its wallet's credit.

The payment document (`_id` = the provider's charge id) is the purchase's record: its unique `_id`
makes the purchase exactly-once across users and processes, and its `purchase` field (the key and
the ledger's time) tells it from a payment recorded by `Payments.add` alone, which credits nothing.
The credit is one guarded upsert of the buyer's wallet, `{purchases: {$ne: charge}}`, that adds the
pages and the charge id together, so it happens once however often it runs. A crash between the two
leaves a payment whose wallet lacks its charge: a redelivery (its insert meets the `_id`) or
`reconcile()` runs the credit again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bson import ObjectId
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from paintcore.domain.credits import (
    Bucket,
    SystemAccount,
    Transaction,
    TransactionKind,
    purchase_key,
    system_account,
    user_account,
)
from paintcore.domain.payments import Payment
from paintcore.domain.users import UserId
from paintcore.ports import Clock

from .documents import EPOCH, Document, integer, micros, read_time, text, time_fields
from .errors import retried
from .hold_documents import FIRST
from .payments import payment_fields

log = logging.getLogger(__name__)

# How far back reconcile() looks for a purchase whose credit a crash stopped. It runs at start-up
# and every few minutes, so a week covers any outage; a redelivery heals an older one.
PURCHASE_LOOKBACK = timedelta(days=7)
_NEW_WALLET = {"free": 0, "held": 0, "holds": []}


class Purchases:
    def __init__(
        self, payments: Collection[Document], wallets: Collection[Document], clock: Clock
    ) -> None:
        self._payments = payments
        self._wallets = wallets
        self._clock = clock

    def purchase(self, payment: Payment) -> bool:
        """The payment's document (the record), then the credit; a redelivery or a racer meets
        the `_id` and completes the credit if it is missing (the first attempt died before it)."""
        if payment.pages <= 0:
            raise ValueError("a purchase must credit pages")
        record = {
            "key": purchase_key(payment.charge_id),
            **time_fields("at", self._clock.now()),
            "order": ObjectId(),
        }
        document = {"_id": payment.charge_id, **payment_fields(payment), "purchase": record}
        try:
            # Retried: if the first insert went through, the retry meets the `_id` and the
            # credit below still runs once (it is guarded by the wallet's `purchases`).
            retried(lambda: self._payments.insert_one(document))
        except DuplicateKeyError:
            return self._complete(payment.charge_id)
        return self._credit(payment.user_id, payment.charge_id, payment.pages)

    def transactions(self, user_id: UserId | None = None) -> list[tuple[Transaction, ObjectId]]:
        """The purchases' records (of one user), each with its order among same-time records."""
        query: Document = {"purchase.key": {"$exists": True}}
        if user_id is not None:
            query["user_id"] = int(user_id)
        projection = {"user_id": 1, "pages": 1, "purchase": 1}
        found = retried(lambda: list(self._payments.find(query, projection)))
        records = []
        for doc in found:
            record, buyer = doc["purchase"], UserId(integer(doc, "user_id"))
            transaction = Transaction(
                key=text(record, "key"),
                kind=TransactionKind.PURCHASE,
                user_id=buyer,
                source=system_account(SystemAccount.SALES),
                target=user_account(buyer, Bucket.PAID),
                amount=integer(doc, "pages"),
                created_at=read_time(record, "at") or EPOCH,
            )
            order = record.get("order")
            records.append((transaction, order if isinstance(order, ObjectId) else FIRST))
        return records

    def reconcile(self, grace: timedelta) -> int:
        """Credit the purchases of the last PURCHASE_LOOKBACK (older than `grace`: a younger one
        is most likely still on its way) whose wallet lacks their charge; how many there were."""
        now = self._clock.now()
        window = {"$gte": micros(now - PURCHASE_LOOKBACK), "$lte": micros(now - grace)}
        projection = {"user_id": 1, "pages": 1}
        recent = retried(lambda: list(self._payments.find({"purchase.at_us": window}, projection)))
        if not recent:
            return 0
        buyers = sorted({integer(doc, "user_id") for doc in recent})
        wallets = retried(
            lambda: list(self._wallets.find({"_id": {"$in": buyers}}, {"purchases": 1}))
        )
        credited = {
            (wallet["_id"], charge)
            for wallet in wallets
            for charge in wallet.get("purchases") or []
        }
        healed = 0
        for doc in recent:
            buyer, pages = integer(doc, "user_id"), integer(doc, "pages")
            if (buyer, doc["_id"]) in credited or pages <= 0:
                continue
            log.warning("purchase credited by reconcile", extra={"charge_id": doc["_id"]})
            healed += self._credit(UserId(buyer), str(doc["_id"]), pages)
        return healed

    def _complete(self, charge_id: str) -> bool:
        """A known charge id: credit its purchase if the credit is missing (whoever asks: the
        document's buyer and pages count, not the caller's). A payment recorded without a
        purchase (`Payments.add`, an older version) credits nothing. One aggregate reads the
        payment with its buyer's wallet, so a redelivery of a credited purchase costs 2 commands."""
        pipeline: list[Document] = [
            {"$match": {"_id": charge_id}},
            {"$project": {"user_id": 1, "pages": 1, "purchase": 1}},
            {
                "$lookup": {
                    "from": self._wallets.name,
                    "localField": "user_id",
                    "foreignField": "_id",
                    "as": "wallet",
                }
            },
        ]
        found = retried(lambda: list(self._payments.aggregate(pipeline)))
        if not found or not isinstance(found[0].get("purchase"), dict):
            return False
        doc = found[0]
        pages = integer(doc, "pages")
        credited = any(charge_id in (w.get("purchases") or []) for w in doc.get("wallet") or [])
        if pages <= 0 or credited:
            return False
        return self._credit(UserId(integer(doc, "user_id")), charge_id, pages)

    def _credit(self, user_id: UserId, charge_id: str, pages: int) -> bool:
        """Add the pages and the charge id to the wallet in one update guarded by the charge id
        not being there (creating the wallet); True when this call credited them."""
        guard = {"_id": user_id, "purchases": {"$ne": charge_id}}
        update: Document = {"$inc": {"paid": pages}, "$push": {"purchases": charge_id}}
        try:
            made = retried(
                lambda: self._wallets.update_one(
                    guard, {**update, "$setOnInsert": _NEW_WALLET}, upsert=True
                )
            )
        except DuplicateKeyError:
            # The wallet exists: it holds the charge, or a racer (any movement) made it just now.
            return bool(retried(lambda: self._wallets.update_one(guard, update)).modified_count)
        return bool(made.modified_count or made.upserted_id is not None)
