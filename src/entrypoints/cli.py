"""The `paintbot` command: console chat, one-shot generation, health check, the bot, moves."""

from __future__ import annotations

import argparse
import getpass
import signal
import sys
from pathlib import Path
from types import FrameType

import structlog

from paintcore.domain.errors import StorageUnavailable
from paintcore.domain.users import Profile, UserId

from .admin_commands import COMMANDS as ADMIN_COMMANDS
from .admin_commands import add_parsers as add_admin_parsers
from .admin_commands import run_admin_command
from .broadcast_cli import add_parser as add_broadcast_parser
from .broadcast_cli import run_broadcast_cli
from .container import Container
from .generate import add_parser as add_generate_parser
from .generate import run_generate
from .lifecycle import WorkerPool
from .logging import Redactor, configure_logging
from .migrate import add_parser as add_migrate_parser
from .migrate import run_migrate
from .payments_cli import add_parser as add_payments_parser
from .payments_cli import run_payments
from .recovery import start_recovery
from .settings import Settings, SettingsError, telegram_id, url_secrets
from .settings_loading import load_settings
from .telegram_modes import run_bot, run_get_id
from .webhook_mode import run_webhook
from .worker_mode import run_worker
from .yookassa_cli import add_parser as add_yookassa_parser
from .yookassa_cli import run_yookassa

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# Commands that use the task queue: with REDIS_URL, Redis must answer before they start.
REDIS_COMMANDS = ("run", "webhook", "worker", "check")
log = structlog.get_logger("paintbot")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paintbot", description="Coloring pages from a short description."
    )
    parser.add_argument(
        "--env-file", default=None, help="settings file to read (default: .env, if there is one)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    console = sub.add_parser("console", help="chat with the bot in the terminal (stdin/stdout)")
    console.add_argument(
        "--user-id",
        type=_user_id,
        default=1,
        help="the Telegram-like id you chat as (default 1)",
    )
    console.add_argument("--name", default=None, help="your first name in the chat")
    console.add_argument(
        "--admin", action="store_true", help="chat as an admin (sees /check details)"
    )

    add_generate_parser(sub)

    sub.add_parser("check", help="check storage, image backend and queue; exit 1 when unhealthy")
    sub.add_parser("run", help="run the bot on Telegram (long polling; needs BOT_TOKEN)")
    sub.add_parser(
        "webhook",
        help="run the bot on Telegram by webhook (needs BOT_TOKEN, PAINTBOT_WEBHOOK_URL and _SECRET)",
    )
    sub.add_parser(
        "worker",
        help="run pages and broadcasts from the Redis queue (needs REDIS_URL and BOT_TOKEN)",
    )
    sub.add_parser(
        "get-id", help="answer every photo/document/sticker sent to the bot with its file_id"
    )
    add_migrate_parser(sub)
    add_admin_parsers(sub)  # stats, ledger verify
    add_payments_parser(sub)  # payments reconcile
    add_yookassa_parser(sub)  # yookassa url | poll
    add_broadcast_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # The default .env may be absent; a file named on the command line must be there.
    env_file = args.env_file if args.env_file is not None else _default_env_file()
    try:
        settings = load_settings(env_file)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    # The terminal is the interface (a chat, a progress bar): logs only when something is wrong.
    quiet = (
        args.command in ("console", "broadcast") and "log_level" not in settings.model_fields_set
    )
    secrets = settings.secrets()
    if getattr(args, "mongodb_uri", None):  # `migrate --mongodb-uri` is as secret as MONGODB_URI
        secrets += url_secrets(args.mongodb_uri)
    configure_logging(
        fmt=settings.log_format,
        level="WARNING" if quiet else settings.log_level,
        secrets=secrets,
    )
    if args.command == "console" and args.admin:
        settings = settings.model_copy(update={"admin_ids": (*settings.admin_ids, args.user_id)})
    container = Container(settings=settings)
    try:
        if args.command in REDIS_COMMANDS and settings.redis_url is not None:
            try:
                container.redis()  # pinged once: unreachable -> one message, exit 2
            except StorageUnavailable as exc:
                print(f"paintbot: {Redactor(secrets).text(str(exc))}", file=sys.stderr)
                return EXIT_USAGE
        if args.command == "migrate":
            return run_migrate(settings, args, container.mongo_connector())
        if args.command == "console":
            return _console(container, settings, args)
        if args.command == "generate":
            return run_generate(container, args)
        if args.command == "run":
            return run_bot(container, settings)
        if args.command == "webhook":
            return run_webhook(container, settings)
        if args.command == "worker":
            return run_worker(container, settings)
        if args.command == "get-id":
            return run_get_id(container, settings)
        if args.command == "payments":
            return run_payments(container, settings, sys.stdout)
        if args.command == "yookassa":
            return run_yookassa(container, settings, args.yookassa_command, sys.stdout)
        if args.command == "broadcast":
            return run_broadcast_cli(container, settings, args)
        if args.command in ADMIN_COMMANDS:
            return run_admin_command(container, args, sys.stdout)
        return _check(container)
    except SettingsError as exc:  # a setting only this command needs, e.g. BOT_TOKEN for run
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except StorageUnavailable as exc:
        print(f"paintbot: storage unavailable: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        log.exception("paintbot failed", command=args.command)
        # A client library's message may quote a URL with the token in it.
        shown = Redactor(secrets).text(str(exc))
        print(f"paintbot: {type(exc).__name__}: {shown}", file=sys.stderr)
        return EXIT_FAILED


def _default_env_file() -> str | None:
    return ".env" if Path(".env").exists() else None


def _user_id(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    try:  # beyond Telegram's range every message would fail in storage
        return telegram_id(number)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _console(container: Container, settings: Settings, args: argparse.Namespace) -> int:
    from adapters.console import PROMPT, ConsoleChat

    interactive = sys.stdin.isatty()
    container.channel.override("console")  # also when BOT_TOKEN is set: this chat is the terminal
    container.queue_kind.override("in_process")  # and its pages are drawn here, for it
    if interactive:
        container.prompt.override(PROMPT)
    store = container.store()
    workers: WorkerPool = container.queue()  # the in-process pool behind the task queue
    ticker = start_recovery(container, settings)
    profile = Profile(
        UserId(args.user_id),
        first_name=args.name or getpass.getuser(),
        username="console",
        language_code=settings.language,
    )
    if interactive:
        print(
            "PaintBot console. Type /start, then press the buttons by typing their labels. Ctrl-D quits."
        )
    signal.signal(signal.SIGTERM, _raise_interrupt)
    chat = ConsoleChat(
        container.dialog().handle, profile, sys.stdin.buffer, sys.stdout if interactive else None
    )
    try:
        chat.run()
    finally:
        ticker.stop()
        # End of input is not the end of the work: pages being drawn are delivered first.
        if not workers.close(timeout=settings.job_timeout):
            log.warning(
                "jobs still running at exit; they are refunded by the next start's recovery"
            )
        store.close()
    return EXIT_OK


def _check(container: Container) -> int:
    report = container.health()()
    print(f"storage: {report.storage_detail} ({report.storage_ms} ms), users: {report.users}")
    print(f"image backend: {report.image_backend}")
    print(f"queue depth: {report.queue_depth}, jobs running: {report.jobs_running}")
    return EXIT_OK if report.ok else EXIT_FAILED


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
