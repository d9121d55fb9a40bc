"""Paying by card or SBP (YooKassa) in a unit-test World: choose a pack and the card, find the
order, pay or cancel it at the fake provider, and let the bot hear of it the three ways it can:
the «Проверить оплату» button, a notification through the real endpoint, the poller."""

from __future__ import annotations

import io
import json
from wsgiref.util import setup_testing_defaults

from entrypoints.checkout_wiring import notification_path_and_token, poll_and_announce
from paintcore.domain.checkout import CheckoutOrder
from paintcore.domain.users import UserId

from .shop import press
from .world import World


def choose_card(world: World, uid: int, pages: int = 10, *, language: str = "ru") -> str:
    """Press the pack and then «Картой или СБП»: the notice of the second press."""
    press(world, uid, f"pack:{pages}", language=language)
    return press(world, uid, f"paycard:{pages}", language=language)


def last_order(world: World, uid: int) -> CheckoutOrder:
    """The user's newest checkout order, as stored now (of several made in the same instant,
    any: use what `order_by_card` returned then)."""
    orders = world.checkout_orders.of_user(UserId(uid), limit=1)
    assert orders, f"user {uid} has no checkout order"
    return orders[0]


def order_by_card(
    world: World, uid: int, pages: int = 10, *, language: str = "ru"
) -> CheckoutOrder:
    """The order the user made by choosing `pages` and the card (PENDING, its link sent; NEW
    when the provider could not create the payment)."""
    before = set(world.checkout_orders.by_id)
    choose_card(world, uid, pages, language=language)
    [made] = [o for i, o in world.checkout_orders.by_id.items() if i not in before]
    return made


def check(world: World, uid: int, order_id: str, *, language: str = "ru") -> str:
    """Press «Проверить оплату» under the order's link: the notice."""
    return press(world, uid, f"paycheck:{order_id}", language=language)


def notify(world: World, payment_id: str, event: str = "payment.succeeded") -> int:
    """YooKassa's notification of the payment, through the endpoint the webhook server mounts
    (the container's routes, token and all): the HTTP status it answers."""
    routes = world.container.checkout_routes()
    [(path, endpoint)] = routes.items()
    _, token = notification_path_and_token(world.container.settings())
    body = json.dumps(
        {"type": "notification", "event": event, "object": {"id": payment_id}}
    ).encode()
    environ: dict[str, object] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "QUERY_STRING": f"token={token}",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    setup_testing_defaults(environ)
    status, _ = endpoint(environ)
    return status


def poll(world: World) -> int:
    """One round of the poller, as the bot runs it: the orders settled and announced."""
    poller, cards = world.container.poll_checkouts(), world.container.card_payments()
    assert poller is not None and cards is not None, "YooKassa is off in this world"
    return poll_and_announce(poller, cards)
