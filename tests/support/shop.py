"""Buying in a unit-test World: press a pack, answer a checkout, take and deliver a payment."""

from __future__ import annotations

from paintcore.dialog import IncomingCallback, PreCheckoutQuery, SuccessfulPayment
from paintcore.domain.payments import InvoicePayload, Pack
from paintcore.domain.users import Profile, UserId

from .world import World


def profile(uid: int, language: str = "ru") -> Profile:
    return Profile(UserId(uid), first_name="Аня", username=f"u{uid}", language_code=language)


def press(
    world: World, uid: int, data: str, *, language: str = "ru", message_id: int | None = None
) -> str:
    """Press a button carrying `data` (under message `message_id`, if given); the notice."""
    world.update_id += 1
    callback_id = f"cb{world.update_id}"
    callback = IncomingCallback(
        world.update_id, uid, profile(uid, language), callback_id, data, message_id
    )
    world.dialog.handle_callback(callback)
    return next(text for cid, text in world.messenger.callback_answers if cid == callback_id)


def payload(uid: int, pages: int = 10, price: int = 50) -> str:
    return InvoicePayload(Pack(pages, price), UserId(uid)).encode()


def pre_checkout(
    world: World,
    uid: int,
    text: str,
    *,
    total: int = 50,
    currency: str = "XTR",
    language: str = "ru",
) -> str | None:
    """The error the payer is shown (None: accepted)."""
    world.update_id += 1
    query = f"q{world.update_id}"
    world.dialog.handle_payment(
        PreCheckoutQuery(world.update_id, query, profile(uid, language), currency, total, text)
    )
    [error] = [e for q, e in world.gateway.answers if q == query]
    return error


def take(
    world: World, uid: int, charge: str, *, text: str | None = None, total: int = 50
) -> SuccessfulPayment:
    """The provider takes the money (listed for reconciliation); the update is returned, not sent."""
    text = text if text is not None else payload(uid)
    world.gateway.charge(
        charge, user_id=UserId(uid), amount=total, payload=text, at=world.clock.now()
    )
    world.update_id += 1
    return SuccessfulPayment(
        world.update_id, uid, profile(uid), "XTR", total, text, charge, f"p-{charge}"
    )


def pay(
    world: World, uid: int, charge: str, *, text: str | None = None, total: int = 50
) -> SuccessfulPayment:
    """The money is taken and the update delivered."""
    paid = take(world, uid, charge, text=text, total=total)
    world.dialog.handle_payment(paid)
    return paid
