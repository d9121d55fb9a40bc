"""`paintbot yookassa url`: the notification URL to paste into YooKassa's settings;
`paintbot yookassa poll`: ask YooKassa about every open order now (what the bot does every
PAINTBOT_YOOKASSA_POLL_SECONDS), crediting and telling the buyers of those that ended."""

from __future__ import annotations

import argparse
from typing import TextIO

from .checkout_wiring import notification_url, poll_and_announce
from .container import Container
from .settings import Settings, SettingsError

EXIT_OK = 0
NOT_ENABLED = (
    "Invalid settings:\n  YOOKASSA_SHOP_ID, YOOKASSA_SECRET_KEY: both are required for YooKassa"
)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    yookassa = sub.add_parser("yookassa", help="card and SBP payments through YooKassa")
    actions = yookassa.add_subparsers(dest="yookassa_command", required=True, metavar="ACTION")
    actions.add_parser("url", help="print the HTTP notification URL for YooKassa's settings")
    actions.add_parser("poll", help="ask YooKassa about every open order now (needs BOT_TOKEN)")


def run_yookassa(container: Container, settings: Settings, action: str, out: TextIO) -> int:
    """SettingsError when YooKassa is off, or `poll` without BOT_TOKEN (exit 2)."""
    if not settings.yookassa_enabled:
        raise SettingsError(NOT_ENABLED)
    if action == "url":
        url = notification_url(settings)
        print(url, file=out)
        if not url.startswith("http"):
            print(
                "(put the public origin of the webhook server in front; "
                "PAINTBOT_WEBHOOK_URL is not set)",
                file=out,
            )
        return EXIT_OK
    settings.require_bot_token()
    container.channel.override("telegram")
    poll, cards = container.poll_checkouts(), container.card_payments()
    store = container.store()
    try:
        count = poll_and_announce(poll, cards) if poll and cards else 0
        left = len(container.checkout_orders().open_orders(provider="yookassa", limit=10_000))
    finally:
        store.close()
    print(f"orders settled now: {count}; still open: {left}", file=out)
    return EXIT_OK
