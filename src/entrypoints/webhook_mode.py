"""`paintbot webhook`: the bot on Telegram by webhook, served by waitress on PAINTBOT_WEBHOOK_LISTEN
behind a reverse proxy that terminates TLS (docs/DEPLOYMENT.md). Like `paintbot run` in all
else: the token checked, the command menu registered, recovery ticking, pages drawn by this
process's worker pool (or RQ workers when REDIS_URL is set), a stop that loses nothing."""

from __future__ import annotations

import signal
import sys
from types import FrameType

import structlog

from adapters.telegram import TelegramUnauthorized, TelegramWebhook, WebhookRefused

from .container import Container
from .lifecycle import WorkerPool
from .settings import Settings
from .telegram_modes import Background, commands_by_language

log = structlog.get_logger("paintbot")

# How long a stop goes on handling the updates already answered 200 (Telegram will not send them
# again); a handler still running then gets 2 s more.
STOP_TIMEOUT = 15.0
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def run_webhook(container: Container, settings: Settings) -> int:
    settings.require_webhook()  # SettingsError (exit 2) naming each of the three that is missing
    container.channel.override("telegram")
    webhook: TelegramWebhook = container.telegram_webhook()
    store = container.store()
    workers: WorkerPool = container.queue()  # this process's pool (with REDIS_URL: nothing to stop)
    started = _prepare(webhook, settings)
    if started != EXIT_OK:
        store.close()
        return started
    background = Background(container, settings)
    _stop_on_signals(webhook)
    code = EXIT_OK
    try:
        code = _start(webhook, settings)
        while code == EXIT_OK and not webhook.wait(timeout=1.0):
            pass
    except RuntimeError as exc:  # the server's loop ended on its own
        print(f"paintbot: {exc}", file=sys.stderr)
        code = EXIT_FAILED
    except KeyboardInterrupt:
        pass
    finally:
        log.info("stopping: finishing accepted updates and pages being drawn")
        webhook.stop(timeout=STOP_TIMEOUT)
        background.stop(workers)
    return code


def _prepare(webhook: TelegramWebhook, settings: Settings) -> int:
    """Bind the address first (taken: exit 2 before anything else happens), then check the
    token and register the command menu."""
    try:
        webhook.listen()
    except OSError as exc:  # taken, or not an address of this machine
        print(
            "Invalid settings:\n  PAINTBOT_WEBHOOK_LISTEN: cannot listen on "
            f"{settings.webhook_listen}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        webhook.prepare(commands_by_language(settings.language))
    except TelegramUnauthorized as exc:
        print(f"paintbot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # network, DNS, a wrong PAINTBOT_TELEGRAM_API_URL
        print(
            f"paintbot: cannot reach the Bot API at {settings.telegram_api_url}: {type(exc).__name__}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


def _start(webhook: TelegramWebhook, settings: Settings) -> int:
    """Serve, then setWebhook: exit 2 when Telegram refuses what the operator must fix."""
    host, port = webhook.start()
    try:
        webhook.register()
    except (TelegramUnauthorized, WebhookRefused) as exc:
        print(f"paintbot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # network, DNS
        print(
            f"paintbot: cannot set the webhook at {settings.telegram_api_url}: {type(exc).__name__}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    log.info("webhook mode: serving", host=host, port=port, url=settings.webhook_url)
    return EXIT_OK


def _stop_on_signals(webhook: TelegramWebhook) -> None:
    def stop(signum: int, frame: FrameType | None) -> None:
        webhook.request_stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
