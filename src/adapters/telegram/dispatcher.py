"""UpdateDispatcher: Telegram updates from any source -> dialog events, fairly and each once.

A source (long polling today, a webhook later: `submit(types.Update.de_json(body))`) hands every
update to `submit()`. Updates wait in one queue per chat (at most `max_waiting`), served
round-robin by `workers` threads, so a chat's updates are handled in order and one chat's backlog
never holds up another chat. A chat past its bound loses the excess (as does a flood that `shed()`
clears): it is told once that it writes too fast, and the dropped updates count as handled. Each
update is settled once — handled, dropped, or found in the UpdateLog as handled before — and is
recorded in the UpdateLog before it is reported to `settled` (the poller's watermark). A thread
claims its update in the UpdateLog before handling it, so of several webhook instances given the
same update at once only one handles it; the others look again later (HandledLog, Rechecks).

Payments go to `on_payment` as typed events. A successful payment is a message of the payer's chat
and waits in its order, but is never dropped or shed (the user paid). A pre-checkout query, which
Telegram drops after 10 s, jumps its chat's line and every chat's turn (FairChatQueues' URGENT
lane): it waits only for the update its chat may be handling and for a free thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import structlog
import telebot
from telebot import types

from paintcore.dialog import IncomingCallback, IncomingMessage, PreCheckoutQuery, SuccessfulPayment
from paintcore.domain.metrics import Fact, UpdateKind
from paintcore.metrics import NO_METRICS
from paintcore.ports import Clock, Metrics, UpdateLog

from .chat_queues import FairChatQueues, Lane
from .handled_log import Claim, HandledLog, Rechecks
from .updates import chat_of, language_of, payment_of, to_callback, to_message

log = structlog.get_logger(__name__)

SHED_AT = 10  # waiting updates of one chat that make a flood, not a busy moment


def lane_of(update: types.Update) -> Lane:
    if update.pre_checkout_query is not None:
        return Lane.URGENT
    if update.message is not None and update.message.successful_payment is not None:
        return Lane.KEPT
    return Lane.NORMAL


def too_fast_notice(language: str) -> str:
    if language.startswith("en"):
        return "You are writing faster than I can answer: I skipped some messages. Please wait."
    return (
        "Вы пишете быстрее, чем я успеваю отвечать: часть сообщений пропущена. Подождите немного."
    )


class UpdateDispatcher:
    def __init__(
        self,
        bot: telebot.TeleBot,
        *,
        on_message: Callable[[IncomingMessage], None],
        on_callback: Callable[[IncomingCallback], None] | None = None,
        apology: Callable[[str], str] = lambda language: "Sorry, something went wrong.",
        too_fast: Callable[[str], str] = too_fast_notice,
        updates: UpdateLog | None = None,
        clock: Clock | None = None,
        workers: int = 8,
        max_waiting: int = 50,
        settled: Callable[[int], None] = lambda update_id: None,
        on_payment: Callable[[PreCheckoutQuery | SuccessfulPayment], None] | None = None,
        metrics: Metrics = NO_METRICS,
        rechecks: Rechecks | None = None,
    ) -> None:
        self._bot = bot
        self._metrics = metrics
        self._on_message, self._on_callback = on_message, on_callback
        self._on_payment = on_payment
        self._apology, self._too_fast = apology, too_fast
        self._log = HandledLog(updates, clock)
        self._rechecks = rechecks or Rechecks()
        self._settled = settled
        self._queues: FairChatQueues[types.Update] = FairChatQueues(max_waiting)
        self._threads = [
            threading.Thread(target=self._work, name=f"dialog-{n}", daemon=True)
            for n in range(max(1, workers))
        ]
        self._in_flight: set[int] = set()  # submitted, not yet settled
        self._warned: set[int] = set()  # chats told they write too fast, until they catch up
        self._owed: dict[int, str] = {}  # chat -> language of a too-fast notice still to send
        self._closing = False
        self._lock = threading.Condition()

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def submit(self, update: types.Update) -> bool:
        """Take an update to handle; False if it is already in hand here, handled before, or
        refused because the dispatcher is stopping (then it is left for the next start)."""
        update_id = update.update_id
        with self._lock:
            if self._closing or update_id in self._in_flight:
                return False
            self._in_flight.add(update_id)
        if self._log.handled_before(update_id):
            log.info("update already handled", update_id=update_id)
            self._settle(update_id)
            return False
        if self._queues.put(chat_of(update), update, lane_of(update)):
            return True
        self._drop(update)
        return False

    def shed(self) -> int:
        """Drop the longest backlog if it is a flood (SHED_AT or more waiting); how many. Long
        polling calls this when 100 updates, all in hand or handled, hide the ones behind them."""
        dropped = self._queues.shed(SHED_AT)
        for update in dropped:
            self._drop(update)
        return len(dropped)

    def stop(self, deadline: float, *, grace: float = 2.0) -> int:
        """Refuse new updates and handle queued ones until `deadline` (time.monotonic); then the
        threads only finish the update each holds, for up to `grace` seconds more (cutting a
        handler short would leave a half-done answer). How many updates were left unhandled."""
        with self._lock:
            self._closing = True
            for update_id in self._rechecks.cancel_all():  # another instance's: not ours to wait
                self._in_flight.discard(update_id)
            self._lock.wait_for(
                lambda: not self._in_flight, timeout=max(0.0, deadline - time.monotonic())
            )
        self._queues.close()
        finish_by = time.monotonic() + grace
        for thread in self._threads:
            if thread.ident is not None:  # started
                thread.join(timeout=max(0.0, finish_by - time.monotonic()))
        with self._lock:
            return len(self._in_flight)

    @property
    def in_flight(self) -> int:
        with self._lock:
            return len(self._in_flight)

    def _work(self) -> None:
        while (taken := self._queues.take()) is not None:
            chat, update = taken
            try:
                claim = self._log.claim(update.update_id)
                if claim is Claim.TAKEN:
                    self._handle(update)
                    self._log.record(update.update_id)
                elif claim is Claim.HELD:
                    self._hold(update)
                    continue
                else:
                    log.info("update already handled", update_id=update.update_id)
                self._settle(update.update_id)
                self._send_owed_notice(chat)
            finally:
                if not self._queues.release(chat):
                    with self._lock:
                        self._warned.discard(chat)  # caught up: a new flood is told again

    def _handle(self, update: types.Update) -> None:
        started = time.perf_counter()
        structlog.contextvars.bind_contextvars(update_id=update.update_id)
        kind = UpdateKind.OTHER
        try:
            if (payment := payment_of(update)) is not None:
                kind = UpdateKind.PAYMENT
                self._pay(payment)
            elif update.message is not None:
                kind = UpdateKind.MESSAGE
                event = to_message(update.update_id, update.message)
                if event is not None:
                    self._on_message(event)
            elif update.callback_query is not None:
                kind = UpdateKind.CALLBACK
                if self._on_callback is not None:
                    self._on_callback(to_callback(update.update_id, update.callback_query))
        except Exception:  # the dialog answers its own errors; this is the adapter's last resort
            log.exception("update failed", update_id=update.update_id)
            self._send(chat_of(update), self._apology(language_of(update)), "apology")
        finally:
            self._metrics.count(Fact.UPDATES_HANDLED, kind=kind)
            log.info(
                "update handled",
                update_id=update.update_id,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
            structlog.contextvars.unbind_contextvars("update_id")

    def _hold(self, update: types.Update) -> None:
        """Another instance is handling this update now: look again later (it stays in flight
        here meanwhile, so a redelivery is not taken twice)."""
        log.info("update in hand elsewhere", update_id=update.update_id)

        def again() -> None:
            with self._lock:
                if self._closing:
                    self._in_flight.discard(update.update_id)
                    self._lock.notify_all()
                    return
            if not self._queues.put(chat_of(update), update, lane_of(update)):
                self._drop(update)

        self._rechecks.schedule(update.update_id, again)

    def _pay(self, event: PreCheckoutQuery | SuccessfulPayment) -> None:
        """No apology here: the dialog answers a payment's errors itself (a pre-checkout query
        left unanswered is refused by Telegram after 10 s, and nobody is charged)."""
        kind = type(event).__name__
        if self._on_payment is None:
            log.warning("payment update not handled", update_id=event.update_id, kind=kind)
            return
        try:
            self._on_payment(event)
        except Exception:
            log.exception(
                "payment update failed",
                update_id=event.update_id,
                user_id=event.sender.id,
                kind=kind,
            )

    def _drop(self, update: types.Update) -> None:
        """Settle an update unhandled, as handled: the chat is told once that it writes too fast."""
        chat = chat_of(update)
        with self._lock:
            first = chat not in self._warned
            if first:
                self._warned.add(chat)
                self._owed[chat] = language_of(update)
        if first:
            log.warning("chat writes too fast: dropping updates", chat_id=chat)
        log.debug("update dropped", update_id=update.update_id, chat_id=chat)
        self._metrics.count(Fact.UPDATES_DROPPED)
        self._log.record(update.update_id)
        self._settle(update.update_id)

    def _send_owed_notice(self, chat: int) -> None:
        with self._lock:
            language = self._owed.pop(chat, None)
        if language is not None:
            self._send(chat, self._too_fast(language), "too-fast notice")

    def _send(self, chat: int, text: str, what: str) -> None:
        try:
            self._bot.send_message(chat, text)
        except Exception as exc:
            log.warning(f"{what} not delivered", chat_id=chat, error=type(exc).__name__)

    def _settle(self, update_id: int) -> None:
        with self._lock:
            self._in_flight.discard(update_id)
            self._lock.notify_all()
        self._settled(update_id)
