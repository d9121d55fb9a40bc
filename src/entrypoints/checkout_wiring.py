"""Card payments (YooKassa) in the running bot: the notification endpoint on the webhook server,
the periodic poll of open orders, and the notification URL `paintbot yookassa url` prints."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

import structlog

from adapters.telegram.webhook_app import Route
from adapters.yookassa.notifications import NotificationEndpoint, notification_token
from paintcore.dialog import CardPayments
from paintcore.usecases import PollCheckouts, SettleCheckout, SettleOutcome

from .settings import Settings

log = structlog.get_logger(__name__)

# What YooKassa is answered for each outcome: 200 once the outcome is stored (or there is
# nothing to store), else a status that makes YooKassa deliver the notification again later.
NOTIFICATION_STATUS = {
    SettleOutcome.PAID: 200,
    SettleOutcome.PENDING: 200,  # nothing to do yet (a forged "succeeded" among them)
    SettleOutcome.CANCELED: 200,
    SettleOutcome.REJECTED: 200,
    SettleOutcome.NOT_OURS: 200,  # another system's payment on the same shop: not ours to retry
    SettleOutcome.UNKNOWN: 404,  # YooKassa knows no such payment: forged
    SettleOutcome.REFUND_FAILED: 500,  # the money must go back: ask again later
    SettleOutcome.UNAVAILABLE: 503,  # YooKassa's API did not answer: ask again later
}


def notification_path_and_token(settings: Settings) -> tuple[str, str]:
    """Where notifications are taken, and the token their URL carries: PAINTBOT_YOOKASSA_TOKEN,
    else one derived from the shop id and the secret key."""
    if settings.yookassa_token is not None:
        return settings.yookassa_path, settings.yookassa_token.get_secret_value()
    shop = settings.yookassa_shop_id or ""
    key = settings.yookassa_secret_key.get_secret_value() if settings.yookassa_secret_key else ""
    return settings.yookassa_path, notification_token(shop, key)


def notification_url(settings: Settings) -> str:
    """The URL to paste into YooKassa's settings (HTTP notifications): the webhook's public
    origin, PAINTBOT_YOOKASSA_PATH and the token."""
    path, token = notification_path_and_token(settings)
    origin = ""
    if settings.webhook_url:
        parts = urlsplit(settings.webhook_url)
        origin = f"{parts.scheme}://{parts.netloc}"
    return f"{origin}{path}?token={token}"


def notification_routes(
    settings: Settings, settle: SettleCheckout | None, cards: CardPayments | None
) -> Mapping[str, Route]:
    """YooKassa's notification endpoint, when YooKassa is on; nothing otherwise."""
    if settle is None or cards is None:
        return {}
    path, token = notification_path_and_token(settings)

    def on_payment(payment_id: str) -> int:
        settling = settle.by_payment(payment_id)
        cards.announce(settling)
        return NOTIFICATION_STATUS[settling.outcome]

    endpoint = NotificationEndpoint(
        token=token, on_payment=on_payment, check_ip=settings.yookassa_check_ip
    )
    return {path: endpoint}


def poll_and_announce(poll: PollCheckouts, cards: CardPayments) -> int:
    """Ask YooKassa about every open order and tell the buyers of those that ended; how many."""
    settled = poll()
    for settling in settled:
        cards.announce(settling)
    if settled:
        log.info("checkout orders settled by polling", count=len(settled))
    return len(settled)
