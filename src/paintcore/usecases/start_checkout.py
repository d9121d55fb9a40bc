"""StartCheckout: a user chose to pay a pack on the provider's page (YooKassa: card or SBP).

Order, and why nothing is left unexplained by a crash: the order is stored FIRST (NEW), then the
provider is asked to create its payment (the order id is the idempotence key, so asking again
for the same order gets the same payment), then the payment is attached (PENDING) and only then
is the buyer given the link. A crash before the attach leaves a NEW order whose link nobody ever
saw, so nobody could pay it; the poller expires it (`PollCheckouts`)."""

from __future__ import annotations

import enum
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from ..domain.checkout import CheckoutOrder, OrderState, Receipt
from ..domain.errors import PaintError
from ..domain.payments import Pack
from ..domain.users import UserId
from ..ports import CheckoutGateway, CheckoutOrders, Clock, Users
from .payment_rules import pack_on_sale

log = logging.getLogger(__name__)


def _new_order_id() -> str:
    return uuid.uuid4().hex


class CheckoutStart(enum.StrEnum):
    READY = "ready"  # the payment exists: `order.confirmation_url` is where the buyer pays
    NO_PACK = "no_pack"  # no pack of that many pages is on sale for this provider
    REFUSED = "refused"  # a banned or unknown buyer buys nothing
    UNAVAILABLE = "unavailable"  # the provider could not create it now; the order stays NEW


@dataclass(frozen=True, slots=True)
class Checkout:
    outcome: CheckoutStart
    order: CheckoutOrder | None = None
    error: str = ""


@dataclass(frozen=True, slots=True)
class StartCheckout:
    gateway: CheckoutGateway
    orders: CheckoutOrders
    users: Users
    clock: Clock
    packs: tuple[Pack, ...]  # the provider's packs (RUB)
    return_url: str  # where the provider's page sends the buyer back (the bot's t.me link)
    receipt_email: str = ""  # a 54-FZ receipt's contact when set
    new_id: Callable[[], str] = field(default=_new_order_id)

    def __call__(self, *, buyer: UserId, chat_id: int, pages: int, description: str) -> Checkout:
        pack = pack_on_sale(self.packs, pages)
        if pack is None:
            return Checkout(CheckoutStart.NO_PACK)
        user = self.users.get(buyer)
        if user is None or user.banned:
            log.warning("checkout refused", extra={"user_id": buyer, "banned": bool(user)})
            return Checkout(CheckoutStart.REFUSED)
        order = CheckoutOrder(
            order_id=self.new_id(),
            provider=self.gateway.provider,
            user_id=buyer,
            chat_id=chat_id,
            pack=pack,
            created_at=self.clock.now(),
        )
        if not self.orders.add(order):  # an id taken already: never hand out another's link
            log.error("checkout order id taken already", extra={"order_id": order.order_id})
            return Checkout(CheckoutStart.UNAVAILABLE, None, "order id taken")
        receipt = Receipt(email=self.receipt_email, description=description)
        try:
            payment = self.gateway.create_payment(
                order,
                description=description,
                return_url=self.return_url,
                receipt=receipt if self.receipt_email else None,
            )
        except PaintError as exc:  # DeliveryFailed or PaymentRefused: nobody can pay this order
            log.warning(
                "checkout payment not created",
                extra={"order_id": order.order_id, "error": type(exc).__name__},
            )
            return Checkout(CheckoutStart.UNAVAILABLE, order, str(exc))
        attached = self.orders.attach(
            order.order_id,
            payment_id=payment.payment_id,
            confirmation_url=payment.confirmation_url,
            at=self.clock.now(),
        )
        if attached is None or attached.state is not OrderState.PENDING:
            return Checkout(CheckoutStart.UNAVAILABLE, order, "the order moved meanwhile")
        log.info(
            "checkout started",
            extra={"order_id": order.order_id, "payment_id": payment.payment_id, "user_id": buyer},
        )
        return Checkout(CheckoutStart.READY, attached)
