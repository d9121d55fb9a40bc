"""LongPolling: getUpdates in a loop on its own thread, each new update handed to a dispatcher.

The offset it sends comes from a Watermark, so it confirms only updates already handled. Until
they are, Telegram returns the updates still in hand at once, however long the poll; then the loop
waits for the watermark to move, or a moment for newcomers queued behind them, before asking again.
A getUpdates returns at most 100 updates, so a full page of known ones hides everything behind it
until the oldest is handled; then `stalled` asks the dispatcher to drop a flooding chat's backlog.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import requests
import structlog
import telebot
from telebot import apihelper, types

from .api import refusal
from .watermark import Watermark

log = structlog.get_logger(__name__)

ALLOWED_UPDATES = ["message", "callback_query", "pre_checkout_query"]
PAGE = 100  # the most updates one getUpdates returns


class LongPolling:
    def __init__(
        self,
        bot: telebot.TeleBot,
        *,
        submit: Callable[[types.Update], object],
        stalled: Callable[[], object] = lambda: None,
        watermark: Watermark,
        long_poll: int = 20,
        max_backoff: float = 30.0,
        repoll: float = 0.25,
    ) -> None:
        self._bot = bot
        self._submit = submit
        self._stalled = stalled
        self._watermark = watermark
        self._long_poll = long_poll
        self._max_backoff = max_backoff
        self._repoll = repoll
        self.stopping = threading.Event()  # set by request_stop() or a fatal error
        self.fatal: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="telegram-poll", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request_stop(self) -> None:
        """End the loop after the current getUpdates; what it returns is not handed on."""
        self.stopping.set()

    def join(self, timeout: float) -> bool:
        """Wait for the loop to end; True if it has."""
        if self._thread.ident is not None:
            self._thread.join(timeout=timeout)
        return not self._thread.is_alive()

    def confirm(self) -> None:
        """Confirm the watermark with one last getUpdates (the loop must have ended: Telegram
        refuses a second concurrent poll with 409). It returns at most one update, unconfirmed."""
        offset = self._watermark.offset
        if offset is None:
            return
        try:
            self._bot.get_updates(offset=offset, limit=1, timeout=5, long_polling_timeout=1)
        except Exception as exc:
            log.warning("could not confirm the last updates", error=type(exc).__name__)

    def _run(self) -> None:
        failures = 0
        while not self.stopping.is_set():
            offset = self._watermark.offset
            try:
                updates = self._bot.get_updates(
                    offset=offset,
                    limit=PAGE,
                    timeout=self._long_poll,
                    long_polling_timeout=self._long_poll,
                    allowed_updates=ALLOWED_UPDATES,
                )
                failures = 0
            except apihelper.ApiTelegramException as exc:
                refused = refusal(exc)
                if refused.token_refused:
                    self.fatal = refused.unauthorized()
                    self.stopping.set()
                    return
                failures += 1
                delay = refused.retry_after or self._backoff(failures)
                log.warning(
                    "polling refused",
                    code=refused.code,
                    description=refused.description,
                    wait=delay,
                )
                self.stopping.wait(delay)
                continue
            except (requests.RequestException, apihelper.ApiException) as exc:
                failures += 1
                delay = self._backoff(failures)
                log.warning("polling network error", error=type(exc).__name__, wait=round(delay, 1))
                self.stopping.wait(delay)
                continue
            if self.stopping.is_set():
                return  # not handed to anyone, so not confirmed: Telegram delivers them again
            fresh = [u for u in updates if self._watermark.take(u.update_id)]
            for update in fresh:
                self._submit(update)
            if len(updates) >= PAGE and not fresh:
                self._stalled()  # nothing behind these 100 shows until some are handled
            if updates and not fresh:
                self._watermark.wait_moved(offset, timeout=self._repoll)

    def _backoff(self, failures: int) -> float:
        return float(min(self._max_backoff, 0.5 * 2 ** min(failures, 10)))
