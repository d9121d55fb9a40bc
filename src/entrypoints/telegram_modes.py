"""`paintbot run` and `paintbot get-id`: the bot on Telegram by long polling, and its file_id tool."""

from __future__ import annotations

import signal
import sys
from types import FrameType

import structlog

from adapters.telegram import BotCommandSpec, TelegramPolling, TelegramUnauthorized
from paintcore.dialog import SUPPORTED, Texts, command_menu

from .container import Container
from .lifecycle import WorkerPool, stop_workers
from .metrics import start_metrics
from .recovery import start_recovery
from .settings import Settings, SettingsError

log = structlog.get_logger("paintbot")

# How long a stop waits for pages being drawn; those still running then are refunded.
SHUTDOWN_GRACE = 30.0
# Longer than the container's LONG_POLL_SECONDS: the last poll returns, then updates are confirmed.
STOP_POLLING_TIMEOUT = 15.0
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def commands_by_language(fallback: str) -> dict[str, list[BotCommandSpec]]:
    """The command menu per Telegram language code; "" is for every other language."""
    menus = {
        lang: [BotCommandSpec(c, d) for c, d in command_menu(Texts(lang))] for lang in SUPPORTED
    }
    return {"": menus[fallback], **menus}


def run_bot(container: Container, settings: Settings) -> int:
    container.channel.override("telegram")
    polling = container.telegram_polling()
    store = container.store()
    workers: WorkerPool = container.queue()  # the in-process pool behind the task queue
    started = _prepare(polling, settings, commands_by_language(settings.language))
    if started != EXIT_OK:
        store.close()
        return started
    background = Background(container, settings)
    _stop_on_signals(polling)
    polling.start()
    code = EXIT_OK
    try:
        while not polling.wait(timeout=1.0):
            pass
    except TelegramUnauthorized as exc:
        print(f"paintbot: {exc}", file=sys.stderr)
        code = EXIT_USAGE
    except KeyboardInterrupt:
        pass
    finally:
        log.info("stopping: finishing handlers and pages being drawn", grace_s=SHUTDOWN_GRACE)
        polling.stop(timeout=STOP_POLLING_TIMEOUT)
        background.stop(workers)
    return code


class Background:
    """What a serving bot (polling or webhook) runs beside its source of updates: the metrics
    server (PAINTBOT_METRICS_LISTEN) and the recovery ticker; `stop` ends them with the worker
    pool (pages still drawn after SHUTDOWN_GRACE are refunded) and closes the store."""

    def __init__(self, container: Container, settings: Settings) -> None:
        self._container, self._store = container, container.store()
        try:
            self._served = start_metrics(container, settings)
        except SettingsError:
            self._store.close()
            raise
        self._ticker = start_recovery(container, settings)  # healed before the first update

    def stop(self, workers: WorkerPool) -> None:
        self._ticker.stop()
        refunded = stop_workers(workers, self._container.recover_jobs(), grace=SHUTDOWN_GRACE)
        if refunded:
            log.warning("pages refunded at shutdown", failed=refunded)
        self._store.close()
        if self._served is not None:
            self._served.close()
        log.info("stopped")


def run_get_id(container: Container, settings: Settings) -> int:
    container.channel.override("telegram")
    polling = container.get_id_polling()
    started = _prepare(polling, settings, {})  # leaves the real bot's command menu alone
    if started != EXIT_OK:
        return started
    print(
        "get-id mode: send the bot a photo, document or sticker to get its file_id. Ctrl-C stops."
    )
    _stop_on_signals(polling)
    polling.start()
    try:
        while not polling.wait(timeout=1.0):
            pass
    except TelegramUnauthorized as exc:
        print(f"paintbot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        pass
    finally:
        polling.stop(timeout=STOP_POLLING_TIMEOUT)
    return EXIT_OK


def _prepare(
    polling: TelegramPolling, settings: Settings, commands: dict[str, list[BotCommandSpec]]
) -> int:
    try:
        polling.prepare(commands)
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


def _stop_on_signals(polling: TelegramPolling) -> None:
    def stop(signum: int, frame: FrameType | None) -> None:
        polling.request_stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
