"""TelegramWebhook: the bot by webhook, an update source feeding the UpdateDispatcher polling uses.

waitress (webhook_server.py) serves WebhookApp (webhook_app.py), which checks each request and
hands the update to the dispatcher: per-chat order, fairness between chats and the UpdateLog's
"each update once" are the same as with long polling. Telegram is told where to deliver with
setWebhook (the URL, the secret it sends back, the kinds of update the bot handles) only once
the server listens. Several instances behind one URL are safe together: the UpdateLog is in
shared storage, so an update Telegram delivers twice, to this or another instance, is handled
once (up to the one window polling has too: a crash while it is being handled).

An update is answered 200 before it is handled, so Telegram never waits for a handler; the cost
is that a process killed outright (SIGKILL, OOM) loses the updates it accepted and had not yet
handled (a payment among them is credited by the hourly reconciliation). A stop (SIGTERM) loses
none: new deliveries get 503 and are delivered again later, the accepted ones are handled first.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import unquote, urlsplit

import structlog
import telebot
from telebot import apihelper, types

from paintcore.dialog import IncomingCallback, IncomingMessage, PreCheckoutQuery, SuccessfulPayment
from paintcore.metrics import NO_METRICS
from paintcore.ports import Clock, Metrics, UpdateLog

from .api import refusal
from .dispatcher import UpdateDispatcher, too_fast_notice
from .polling import BotCommandSpec
from .update_source import ALLOWED_UPDATES
from .webhook_app import MAX_BACKLOG, MAX_BODY, Route, WebhookApp
from .webhook_server import WebhookServer

log = structlog.get_logger(__name__)

# Requests answered at once while the process stops are few; this bounds the wait for them.
IDLE_WAIT = 5.0


class WebhookRefused(Exception):
    """Telegram refused setWebhook (a URL it cannot use): the operator must fix the settings."""


def webhook_path(url: str) -> str:
    """The path the server answers at: the URL's, as it arrives (percent-decoded)."""
    return unquote(urlsplit(url).path) or "/"


class TelegramWebhook:
    def __init__(
        self,
        bot: telebot.TeleBot,
        *,
        url: str,
        secret: str,
        listen: tuple[str, int],
        ready: Callable[[], Mapping[str, bool]],
        on_message: Callable[[IncomingMessage], None],
        on_callback: Callable[[IncomingCallback], None] | None = None,
        on_payment: Callable[[PreCheckoutQuery | SuccessfulPayment], None] | None = None,
        apology: Callable[[str], str] = lambda language: "Sorry, something went wrong.",
        too_fast: Callable[[str], str] = too_fast_notice,
        updates: UpdateLog | None = None,
        clock: Clock | None = None,
        workers: int = 8,
        max_waiting: int = 50,
        threads: int = 8,
        max_body: int = MAX_BODY,
        max_backlog: int = MAX_BACKLOG,
        metrics: Metrics = NO_METRICS,
        routes: Mapping[str, Route] | None = None,
    ) -> None:
        self._bot, self._url, self._secret = bot, url, secret
        self._listen, self._threads, self._max_body = listen, threads, max_body
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
            on_payment=on_payment,
            metrics=metrics,
        )
        self.app = WebhookApp(
            path=webhook_path(url),
            secret=secret,
            submit=self.dispatcher.submit,
            ready=ready,
            backlog=lambda: self.dispatcher.in_flight,
            max_body=max_body,
            max_backlog=max_backlog,
            routes=routes,
        )
        self._server: WebhookServer | None = None
        self._stopping = threading.Event()

    def prepare(self, commands: Mapping[str, Sequence[BotCommandSpec]]) -> types.User:
        """Say who we are (TelegramUnauthorized if the token is refused) and register the command
        menu per language ("" = default). The webhook itself is set by register()."""
        try:
            me = self._bot.get_me()
        except apihelper.ApiTelegramException as exc:
            refused = refusal(exc)
            if refused.token_refused:
                raise refused.unauthorized() from exc
            raise
        for language, specs in commands.items():
            self._bot.set_my_commands(
                [types.BotCommand(s.command, s.description) for s in specs],
                language_code=language or None,
            )
        log.info("telegram bot ready", bot_id=me.id, username=me.username)
        return me

    def listen(self) -> tuple[str, int]:
        """Bind the address (OSError if it is taken): connections wait in the backlog until
        start(). The (host, port) bound (the port chosen when 0 was asked for)."""
        return self._bind().address

    def start(self) -> tuple[str, int]:
        """Handle updates and serve (binding first if listen() was not called)."""
        server = self._server or self._bind()
        self.dispatcher.start()
        server.start()
        return server.address

    def _bind(self) -> WebhookServer:
        host, port = self._listen
        self._server = WebhookServer(
            self.app, host=host, port=port, threads=self._threads, max_body=self._max_body
        )
        return self._server

    def register(self) -> None:
        """Ask Telegram to deliver here, once start() listens: the URL, the secret it sends back,
        the kinds of update the bot handles. WebhookRefused if it will not (a URL it cannot use)."""
        try:
            self._bot.set_webhook(
                url=self._url,
                secret_token=self._secret,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )
        except apihelper.ApiTelegramException as exc:
            refused = refusal(exc)
            if refused.token_refused:
                raise refused.unauthorized() from exc
            raise WebhookRefused(f"Telegram refused the webhook: {refused.description}") from exc
        log.info("webhook set", allowed_updates=ALLOWED_UPDATES)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until request_stop() (True) or `timeout` (False); RuntimeError if the server
        stopped on its own."""
        stopped = self._stopping.wait(timeout)
        if not stopped and self._server is not None and not self._server.running:
            raise RuntimeError("the webhook server stopped")
        return stopped

    def request_stop(self) -> None:
        """Ask wait() to return (safe from a signal handler); stop() then finishes the work."""
        self._stopping.set()

    def stop(self, timeout: float = 30.0) -> bool:
        """Turn new deliveries away (503) and stop listening, handle what was accepted until
        `timeout` (a handler running then gets 2 s more), close the server. The webhook stays
        set: other instances go on, and Telegram keeps updates for this one's restart. False if
        accepted updates were left unhandled (logged)."""
        deadline = time.monotonic() + timeout
        self.app.refuse()
        if self._server is not None:
            self._server.stop_accepting()
        self.app.wait_idle(min(IDLE_WAIT, timeout))
        left = self.dispatcher.stop(deadline)
        if self._server is not None:
            self._server.close(timeout=max(0.5, min(IDLE_WAIT, deadline - time.monotonic())))
        if left:
            log.warning("accepted updates left unhandled", count=left)
        return not left
