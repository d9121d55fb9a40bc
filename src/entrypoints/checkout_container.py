"""Card and SBP payments (YooKassa) wired on `UseCases`: each provider here is None when YooKassa
is off (YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY unset), and the shop then sells for Stars only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import structlog
from dependency_injector import providers

from paintcore.ports import CheckoutGateway
from paintcore.usecases import PollCheckouts, SettleCheckout, StartCheckout

from .settings import Settings
from .usecases_container import UseCases

log = structlog.get_logger(__name__)
T = TypeVar("T")


def _if_checkout(
    kind: Callable[..., T], gateway: CheckoutGateway | None, **ports: object
) -> T | None:
    return None if gateway is None else kind(gateway=gateway, **ports)


def _poller(settle: SettleCheckout | None, orders: Any, clock: Any) -> PollCheckouts | None:
    if settle is None:
        return None
    return PollCheckouts(
        settle=settle, orders=orders, clock=clock, provider=settle.gateway.provider
    )


def return_url(settings: Settings, channel: str, bot: Callable[[], Any]) -> str:
    """Where YooKassa's page sends the buyer back: PAINTBOT_YOOKASSA_RETURN_URL, else the bot's
    own t.me link (asked of Telegram once), else Telegram itself."""
    if settings.yookassa_return_url:
        return settings.yookassa_return_url
    if channel == "telegram":
        try:
            username = bot().get_me().username
        except Exception as exc:  # a checkout still works; the buyer returns by hand
            log.warning("bot username unknown for the return URL", error=type(exc).__name__)
        else:
            if username:
                return f"https://t.me/{username}"
    return "https://t.me"


class Checkouts(UseCases):
    checkout_return_url = providers.Singleton(
        return_url, UseCases.settings, UseCases.channel, UseCases.telegram_bot.provider
    )
    start_checkout = providers.Singleton(
        _if_checkout,
        StartCheckout,
        UseCases.checkout_gateway,
        orders=UseCases.checkout_orders,
        users=UseCases.users,
        clock=UseCases.clock,
        packs=UseCases.settings.provided.packs_rub,
        return_url=checkout_return_url,
        receipt_email=providers.Callable(
            lambda s: s.yookassa_receipt_email or "", UseCases.settings
        ),
    )
    settle_checkout = providers.Singleton(
        _if_checkout,
        SettleCheckout,
        UseCases.checkout_gateway,
        orders=UseCases.checkout_orders,
        ledger=UseCases.ledger,
        users=UseCases.users,
        clock=UseCases.clock,
        metrics=UseCases.metrics,
    )
    poll_checkouts = providers.Singleton(
        _poller, settle_checkout, UseCases.checkout_orders, UseCases.clock
    )
