"""`paintbot payments reconcile`: credit Stars payments whose update was lost, report refunds."""

from __future__ import annotations

import argparse
from typing import TextIO

from .container import Container
from .recovery import reconcile_payments
from .settings import Settings, SettingsError

EXIT_OK = 0


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    payments = sub.add_parser("payments", help="Telegram Stars payments (needs BOT_TOKEN)")
    actions = payments.add_subparsers(dest="payments_command", required=True, metavar="ACTION")
    actions.add_parser(
        "reconcile",
        help="credit payments of the last 48 h whose update was lost (once each); "
        "report refunds made outside the bot",
    )


def run_payments(container: Container, settings: Settings, out: TextIO) -> int:
    """SettingsError without BOT_TOKEN (the caller prints it and exits 2)."""
    settings.require_bot_token()
    store = container.store()
    try:
        report = reconcile_payments(container)
    finally:
        store.close()
    if report is None:  # the container found no payment provider
        raise SettingsError("Invalid settings:\n  BOT_TOKEN: payments need Telegram")
    print(
        f"payments listed: {report.seen}, known already: {report.known}, "
        f"credited now: {len(report.credited)}, refunded now: {len(report.refunded)}, "
        f"refunds failed: {len(report.refund_failed)}, "
        f"refunded outside the bot: {len(report.refunded_outside)}",
        file=out,
    )
    for done in report.refund_failed:
        print(f"refund failed: {done.payment.charge_id} ({done.error})", file=out)
    for payment in report.refunded_outside:
        print(
            f"refunded outside the bot: {payment.charge_id} (user {payment.user_id} still has "
            f"its {payment.pages} pages: /refund {payment.charge_id} force)",
            file=out,
        )
    return EXIT_OK
