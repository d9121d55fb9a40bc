"""Checkout orders in MongoDB: one document per order id (`_id`); every move of an order is one
`find_one_and_update` guarded by its state, so of two processes moving one order (a notification
and the poller) one does. `open: true` marks the orders the poller reads (a partial index)."""

from __future__ import annotations

from datetime import datetime

from pymongo import ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from paintcore.domain.checkout import CheckoutOrder, OrderState
from paintcore.domain.payments import Pack
from paintcore.domain.users import UserId

from .documents import EPOCH, Document, choice, integer, read_time, text, time_fields
from .errors import retried, storage_call

_OPEN_STATES = [OrderState.NEW.value, OrderState.PENDING.value]
_OLDEST_FIRST = [("created_at_us", 1), ("_id", 1)]
_NEWEST_FIRST = [("created_at_us", -1), ("_id", -1)]


class MongoCheckoutOrders:
    def __init__(self, orders: Collection[Document]) -> None:
        self._orders = orders

    @storage_call("checkout_orders.add")
    def add(self, order: CheckoutOrder) -> bool:
        try:
            # Not retried: after a dropped connection a second insert could not tell "mine went
            # through" from "another caller's did".
            self._orders.insert_one({"_id": order.order_id, **order_fields(order)})
        except DuplicateKeyError:
            return False
        return True

    @storage_call("checkout_orders.get")
    def get(self, order_id: str) -> CheckoutOrder | None:
        found = retried(lambda: self._orders.find_one({"_id": order_id}))
        return None if found is None else read_order(found)

    @storage_call("checkout_orders.by_payment")
    def by_payment(self, provider: str, payment_id: str) -> CheckoutOrder | None:
        if not payment_id:
            return None  # orders without a payment yet have "": that names none
        query = {"provider": provider, "payment_id": payment_id}
        found = retried(lambda: self._orders.find_one(query))
        return None if found is None else read_order(found)

    @storage_call("checkout_orders.attach")
    def attach(
        self, order_id: str, *, payment_id: str, confirmation_url: str, at: datetime
    ) -> CheckoutOrder | None:
        changes = {
            "state": OrderState.PENDING.value,
            "payment_id": payment_id,
            "confirmation_url": confirmation_url,
            **time_fields("updated_at", at),
        }
        # Retrying is safe: a repeat of a write that went through matches nothing and reads the
        # order holding this payment, the answer the first would have given.
        try:
            changed = retried(
                lambda: self._orders.find_one_and_update(
                    {"_id": order_id, "state": OrderState.NEW.value},
                    {"$set": changes},
                    return_document=ReturnDocument.AFTER,
                )
            )
        except DuplicateKeyError:  # another order has this payment: this one cannot take it
            changed = None
        if changed is None:
            changed = retried(lambda: self._orders.find_one({"_id": order_id}))
        if changed is None:
            return None
        order = read_order(changed)
        attached = order.state is OrderState.PENDING and order.payment_id == payment_id
        return order if attached else None

    @storage_call("checkout_orders.settle")
    def settle(
        self, order_id: str, *, state: OrderState, at: datetime, reason: str = ""
    ) -> CheckoutOrder | None:
        if state.open:
            raise ValueError(f"an order settles to a final state, not {state.value}")
        # Not retried: a repeat of a write that went through would match nothing and answer None,
        # telling the caller that somebody else settled the order.
        changed = self._orders.find_one_and_update(
            {"_id": order_id, "state": {"$in": _OPEN_STATES}},
            {
                "$set": {
                    "state": state.value,
                    "open": False,
                    **time_fields("updated_at", at),
                    "reason": reason,
                }
            },
            return_document=ReturnDocument.AFTER,
        )
        return None if changed is None else read_order(changed)

    @storage_call("checkout_orders.open_orders")
    def open_orders(self, *, provider: str, limit: int = 100) -> list[CheckoutOrder]:
        if limit <= 0:
            return []  # limit(0) would mean no limit
        query = {"provider": provider, "open": True}
        found = retried(lambda: list(self._orders.find(query).sort(_OLDEST_FIRST).limit(limit)))
        return [read_order(doc) for doc in found]

    @storage_call("checkout_orders.of_user")
    def of_user(self, user_id: UserId, *, limit: int = 10) -> list[CheckoutOrder]:
        if limit <= 0:
            return []
        query = {"user_id": int(user_id)}
        found = retried(lambda: list(self._orders.find(query).sort(_NEWEST_FIRST).limit(limit)))
        return [read_order(doc) for doc in found]


def order_fields(order: CheckoutOrder) -> Document:
    return {
        "provider": order.provider,
        "user_id": int(order.user_id),
        "chat_id": order.chat_id,
        "pages": order.pack.pages,
        "price": order.pack.price,
        "currency": order.pack.currency,
        "state": order.state.value,
        "open": order.state.open,
        "payment_id": order.payment_id,
        "confirmation_url": order.confirmation_url,
        **time_fields("created_at", order.created_at),
        **time_fields("updated_at", order.updated_at),
        "reason": order.reason,
    }


def read_order(doc: Document) -> CheckoutOrder:
    return CheckoutOrder(
        order_id=str(doc["_id"]),
        provider=text(doc, "provider"),
        user_id=UserId(integer(doc, "user_id")),
        chat_id=integer(doc, "chat_id"),
        pack=Pack(integer(doc, "pages"), integer(doc, "price"), text(doc, "currency")),
        created_at=read_time(doc, "created_at") or EPOCH,
        # A state this version does not know is a later one's final state: nothing to act on.
        state=choice(doc, "state", OrderState, OrderState.EXPIRED),
        payment_id=text(doc, "payment_id"),
        confirmation_url=text(doc, "confirmation_url"),
        updated_at=read_time(doc, "updated_at"),
        reason=text(doc, "reason"),
    )
