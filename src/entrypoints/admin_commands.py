"""`paintbot stats` and `paintbot ledger verify`: the operators' view of the store in use."""

from __future__ import annotations

import argparse
from typing import TextIO

from paintcore.dialog.admin_reports import stats_text
from paintcore.dialog.texts import Texts, pick_language
from paintcore.usecases import LedgerCheck

from .container import Container

EXIT_OK, EXIT_FAILED = 0, 1
COMMANDS = ("stats", "ledger")


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser("stats", help="print what /stats shows (users, pages, timings, Stars)")
    ledger = sub.add_parser("ledger", help="check the credit ledger")
    actions = ledger.add_subparsers(dest="ledger_action", required=True, metavar="ACTION")
    actions.add_parser(
        "verify",
        help="recompute every wallet from its transactions; print the differences, exit 1 on any "
        "(run it while the bot is stopped or quiet: a movement in flight may show)",
    )


def run_admin_command(container: Container, args: argparse.Namespace, out: TextIO) -> int:
    """Run `stats` or `ledger verify` on the store the settings choose; the exit code."""
    store = container.store()
    try:
        if args.command == "stats":
            language = pick_language(container.settings().language, "ru")
            print(stats_text(container.stats()(), Texts(language)), file=out)
            return EXIT_OK
        check = container.verify_ledger()()
    finally:
        store.close()
    for line in ledger_lines(check):
        print(line, file=out)
    return EXIT_OK if check.ok else EXIT_FAILED


def ledger_lines(check: LedgerCheck) -> list[str]:
    """What `paintbot ledger verify` prints: one line per difference, then the verdict."""
    lines = [
        f"user {d.user_id}: stored free={d.stored.free} paid={d.stored.paid} "
        f"held={d.stored.held}; from transactions free={d.recomputed.free} "
        f"paid={d.recomputed.paid} held={d.recomputed.held}"
        for d in check.differences
    ]
    if check.total:
        lines.append(f"sum over all accounts: {check.total} (should be 0)")
    if check.ok:
        lines.append(f"ledger consistent: {check.users_checked} users checked")
    else:
        lines.append(
            f"ledger NOT consistent: {len(check.differences)} of {check.users_checked} "
            "wallets differ from their transactions"
        )
    return lines
