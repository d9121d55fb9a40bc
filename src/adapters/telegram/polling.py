"""TelegramPolling: long polling with our own dispatch, so handlers never block the poll.

Each update goes to one of N dialog workers chosen by chat id: a chat's messages are handled in
order (the button, then the description), different chats in parallel. Updates are confirmed to
Telegram only after they were handed to a worker; on stop, workers finish what they hold and the
processed updates are confirmed, so a restart neither loses nor repeats them.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import requests
import structlog
import telebot
from telebot import apihelper, types

from paintcore.dialog import IncomingCallback, IncomingMessage

from .updates import to_callback, to_message

log = structlog.get_logger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
_IDLE = object()


class TelegramUnauthorized(Exception):
    """Telegram refused the token (401/404): nothing to retry, the operator must fix BOT_TOKEN."""


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
        workers: int = 8,
        long_poll: int = 20,
        max_backoff: float = 30.0,
    ) -> None:
        self._bot = bot
        self._on_message = on_message
        self._on_callback = on_callback
        self._apology = apology
        self._long_poll = long_poll
        self._max_backoff = max_backoff
        self._stop = threading.Event()
        self._queues: list[queue.Queue[object]] = [queue.Queue() for _ in range(max(1, workers))]
        self._threads: list[threading.Thread] = []
        self._poller: threading.Thread | None = None
        self._offset: int | None = None
        self._fatal: BaseException | None = None

    def prepare(self, commands: Mapping[str, Sequence[BotCommandSpec]]) -> types.User:
        """Delete any webhook, register the command menu per language ("" = default), say who we are."""
        me = self._guarded(self._bot.get_me)
        self._bot.delete_webhook(drop_pending_updates=False)
        for language, specs in commands.items():
            self._bot.set_my_commands(
                [types.BotCommand(s.command, s.description) for s in specs],
                language_code=language or None,
            )
        log.info("telegram bot ready", bot_id=me.id, username=me.username)
        return me

    def start(self) -> None:
        for n, inbox in enumerate(self._queues):
            thread = threading.Thread(
                target=self._work, args=(inbox,), name=f"dialog-{n}", daemon=True
            )
            thread.start()
            self._threads.append(thread)
        self._poller = threading.Thread(target=self._poll, name="telegram-poll", daemon=True)
        self._poller.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until stop() or a fatal error; True if stopped. Re-raises a fatal error."""
        stopped = self._stop.wait(timeout)
        if self._fatal is not None:
            raise self._fatal
        return stopped

    def request_stop(self) -> None:
        """Ask the poll to end (safe from a signal handler); stop() then finishes the work."""
        self._stop.set()

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop polling, let workers finish the updates they hold, confirm them; False on timeout."""
        self._stop.set()
        deadline = time.monotonic() + timeout
        if self._poller is not None:  # its current long poll returns within long_poll seconds
            self._poller.join(timeout=max(0.0, deadline - time.monotonic()))
        drained = all(self._drained(inbox, deadline) for inbox in self._queues)
        if self._offset is not None and self._fatal is None and not self._poller_alive():
            # One more getUpdates confirms everything below the offset (while another poll is
            # waiting it would be refused with 409); it returns at most one update, unconfirmed.
            try:
                self._bot.get_updates(
                    offset=self._offset, limit=1, timeout=5, long_polling_timeout=1
                )
            except Exception as exc:
                log.warning("could not confirm the last updates", error=type(exc).__name__)
        return drained and not self._poller_alive()

    def _poller_alive(self) -> bool:
        return self._poller is not None and self._poller.is_alive()

    def _poll(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                updates = self._bot.get_updates(
                    offset=self._offset,
                    timeout=self._long_poll,
                    long_polling_timeout=self._long_poll,
                    allowed_updates=ALLOWED_UPDATES,
                )
                failures = 0
            except apihelper.ApiTelegramException as exc:
                if exc.error_code in (401, 404):
                    self._fatal = TelegramUnauthorized(
                        f"Telegram refused BOT_TOKEN: {exc.description}"
                    )
                    self._stop.set()
                    return
                retry_after = (exc.result_json.get("parameters") or {}).get("retry_after")
                failures += 1
                delay = float(retry_after) if retry_after else self._backoff(failures)
                log.warning(
                    "polling refused", code=exc.error_code, description=exc.description, wait=delay
                )
                self._stop.wait(delay)
                continue
            except (requests.RequestException, apihelper.ApiException) as exc:
                failures += 1
                delay = self._backoff(failures)
                log.warning("polling network error", error=type(exc).__name__, wait=round(delay, 1))
                self._stop.wait(delay)
                continue
            if self._stop.is_set():
                return  # not handed to anyone, so not confirmed: Telegram delivers them again
            for update in updates:
                chat = _chat_of(update)
                self._queues[chat % len(self._queues)].put(update)
                self._offset = update.update_id + 1

    def _work(self, inbox: queue.Queue[object]) -> None:
        while True:
            update = inbox.get()
            try:
                if isinstance(update, types.Update):
                    self._dispatch(update)
            finally:
                inbox.task_done()

    def _dispatch(self, update: types.Update) -> None:
        started = time.perf_counter()
        structlog.contextvars.bind_contextvars(update_id=update.update_id)
        try:
            if update.message is not None:
                event = to_message(update.update_id, update.message)
                if event is not None:
                    self._on_message(event)
            elif update.callback_query is not None and self._on_callback is not None:
                self._on_callback(to_callback(update.update_id, update.callback_query))
        except Exception:  # the dialog answers its own errors; this is the adapter's last resort
            log.exception("update failed", update_id=update.update_id)
            self._apologise(update)
        finally:
            log.info(
                "update handled",
                update_id=update.update_id,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
            structlog.contextvars.unbind_contextvars("update_id")

    def _apologise(self, update: types.Update) -> None:
        chat = _chat_of(update)
        sender = update.message.from_user if update.message else None
        language = (sender.language_code if sender else None) or ""
        try:
            self._bot.send_message(chat, self._apology(language))
        except Exception:
            log.warning("apology not delivered", update_id=update.update_id)

    def _backoff(self, failures: int) -> float:
        return float(min(self._max_backoff, 0.5 * 2 ** min(failures, 10)))

    @staticmethod
    def _drained(inbox: queue.Queue[object], deadline: float) -> bool:
        while inbox.unfinished_tasks:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def _guarded(self, call: Callable[[], types.User]) -> types.User:
        try:
            return call()
        except apihelper.ApiTelegramException as exc:
            if exc.error_code in (401, 404):
                raise TelegramUnauthorized(
                    f"Telegram refused BOT_TOKEN: {exc.description}"
                ) from exc
            raise


def _chat_of(update: types.Update) -> int:
    if update.message is not None:
        return int(update.message.chat.id)
    if update.callback_query is not None:
        query = update.callback_query
        return int(query.message.chat.id if query.message is not None else query.from_user.id)
    return 0
