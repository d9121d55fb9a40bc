"""TelegramPolling: the bot by long polling, an update source feeding the UpdateDispatcher.

LongPolling fetches, UpdateDispatcher handles (per-chat order, fair between chats), and a
Watermark joins them: an update is confirmed to Telegram only once it was handled, and one handled
above an older update still in hand is recorded in the UpdateLog and skipped when it comes again.
So a stop or a crash with a backlog neither loses nor repeats updates: the unconfirmed ones are
delivered again to the next start, which skips those the UpdateLog knows. One window remains: a
crash while an update is handled, or after and before it is recorded, repeats that update. (With
no UpdateLog, repeats are caught within one run only.) stop() logs how many updates it leaves.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import structlog
import telebot
from telebot import apihelper, types

from paintcore.dialog import IncomingCallback, IncomingMessage, PreCheckoutQuery, SuccessfulPayment
from paintcore.metrics import NO_METRICS
from paintcore.ports import Clock, Metrics, UpdateLog

from .api import refusal
from .dispatcher import UpdateDispatcher, too_fast_notice
from .update_source import LongPolling
from .watermark import Watermark

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class BotCommandSpec:
    command: str
    description: str


class TelegramPolling:
    def __init__(
        self,
        bot: telebot.TeleBot,
        *,
        on_message: Callable[[IncomingMessage], None],
        on_callback: Callable[[IncomingCallback], None] | None = None,
        apology: Callable[[str], str] = lambda language: "Sorry, something went wrong.",
        too_fast: Callable[[str], str] = too_fast_notice,
        updates: UpdateLog | None = None,  # None: repeats are only caught within one run
        clock: Clock | None = None,
        workers: int = 8,
        max_waiting: int = 50,
        long_poll: int = 20,
        max_backoff: float = 30.0,
        on_payment: Callable[[PreCheckoutQuery | SuccessfulPayment], None] | None = None,
        metrics: Metrics = NO_METRICS,  # counts the updates handled and dropped
    ) -> None:
        self._bot = bot
        self._watermark = Watermark()
        self.dispatcher = UpdateDispatcher(
            bot,
            on_message=on_message,
            on_callback=on_callback,
            apology=apology,
            too_fast=too_fast,
            updates=updates,
            clock=clock,
            workers=workers,
            max_waiting=max_waiting,
            settled=self._watermark.settle,
            on_payment=on_payment,
            metrics=metrics,
        )
        self._source = LongPolling(
            bot,
            submit=self.dispatcher.submit,
            stalled=self.dispatcher.shed,
            watermark=self._watermark,
            long_poll=long_poll,
            max_backoff=max_backoff,
        )

    def prepare(self, commands: Mapping[str, Sequence[BotCommandSpec]]) -> types.User:
        """Delete any webhook, register the command menu per language ("" = default), say who we are."""
        try:
            me = self._bot.get_me()
        except apihelper.ApiTelegramException as exc:
            refused = refusal(exc)
            if refused.token_refused:
                raise refused.unauthorized() from exc
            raise
        self._bot.delete_webhook(drop_pending_updates=False)
        for language, specs in commands.items():
            self._bot.set_my_commands(
                [types.BotCommand(s.command, s.description) for s in specs],
                language_code=language or None,
            )
        log.info("telegram bot ready", bot_id=me.id, username=me.username)
        return me

    def start(self) -> None:
        self.dispatcher.start()
        self._source.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until stop() or a fatal error; True if stopped. Re-raises a fatal error."""
        stopped = self._source.stopping.wait(timeout)
        if self._source.fatal is not None:
            raise self._source.fatal
        return stopped

    def request_stop(self) -> None:
        """Ask the poll to end (safe from a signal handler); stop() then finishes the work."""
        self._source.request_stop()

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop fetching, handle the backlog until `timeout` (a handler running then gets 2 s
        more), confirm what was handled; False if updates were left for the next start (logged)
        or the poll did not end in time."""
        self._source.request_stop()
        deadline = time.monotonic() + timeout
        # Its current long poll returns within long_poll seconds; meanwhile the backlog drains.
        polled_out = self._source.join(timeout=max(0.0, deadline - time.monotonic()))
        left = self.dispatcher.stop(deadline)
        if polled_out and self._source.fatal is None:
            self._source.confirm()
        if left:
            log.warning("updates left unhandled for the next start", count=left)
        return polled_out and not left
