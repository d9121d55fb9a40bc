"""Healing what a crash left behind, at start-up and then periodically while the bot runs."""

from __future__ import annotations

from datetime import timedelta

import structlog

from paintcore.domain.conversation import EXPECTATION_LIFETIME
from paintcore.usecases import ReconcilePayments, ReconciliationReport

from .checkout_wiring import poll_and_announce
from .container import Container
from .periodic import Every, PeriodLock, in_turn
from .settings import Settings

log = structlog.get_logger(__name__)

# Telegram keeps an unconfirmed update for 24 hours; a record of a handled one is kept twice that,
# so a redelivery is always recognised, and then forgotten.
HANDLED_UPDATES_KEPT = timedelta(hours=48)
# Telegram drops an undelivered update after 24 hours; the provider's list of charges is read
# this often (the first time one interval after start) to credit payments whose update was lost.
PAYMENTS_RECONCILED_EVERY = timedelta(hours=1)
# How often a running broadcast that nobody is sending (its lease ran out: a worker hung or its
# task was lost) is picked up; a dead process's lease is taken over at once by the next look.
BROADCAST_WATCH_SECONDS = 10.0


class Tickers:
    """The background tickers recovery runs, stopped together."""

    def __init__(self, *tickers: Every) -> None:
        self._tickers = tickers

    def stop(self) -> None:
        for ticker in self._tickers:
            ticker.stop()


def reconcile_payments(container: Container) -> ReconciliationReport | None:
    """Credit what the provider settled and the bot never saw, then tell the buyers and the
    admins (refunds, failed refunds, refunds made outside the bot); None without a provider."""
    reconcile: ReconcilePayments | None = container.reconcile_payments()
    if reconcile is None:
        return None
    report = reconcile()
    if report.needs_attention:
        log.warning(
            "payments reconciled",
            credited=len(report.credited),
            refunded=len(report.refunded),
            refund_failed=len(report.refund_failed),
            refunded_outside=len(report.refunded_outside),
        )
    container.shop().announce(report)
    return report


def start_recovery(
    container: Container,
    settings: Settings,
    *,
    reconcile_every: timedelta = PAYMENTS_RECONCILED_EVERY,
) -> Tickers:
    """Finish half-done credit movements (MongoDB's outbox; nothing to do on SQLite), then refund
    jobs left running and, at start-up only, re-enqueue queued ones, then forget expectations a day
    old (the dialog ignores them anyway) and records of updates handled two days ago; repeat every
    max(5 s, PAINTBOT_JOB_TIMEOUT / 4) in a background thread, and on the first tick after each
    `reconcile_every` also reconcile payments. A running broadcast nobody is sending is resumed
    at start-up and looked for every BROADCAST_WATCH_SECONDS. Stop the returned tickers on exit.

    Every process that runs tasks or takes updates runs these tickers (run, webhook, worker); with
    REDIS_URL each period's run happens in one of them (`period_lock`: a Redis key per task name
    per period), and the periodic recovery also hands queued pages to the queue again, as the
    start-up one does: RQ keeps its jobs, but one that failed for good (its retries spent while
    storage was down) would leave its page queued, its credit held, forever."""
    store, recover = container.store(), container.recover_jobs()
    resume_broadcast = container.resume_broadcast()
    conversations, clock = container.conversations(), container.clock()
    lock = container.period_lock()
    durable_queue = container.queue_kind() == "rq"
    next_reconciliation = [clock.now() + reconcile_every]

    def reconcile() -> None:
        try:
            reconcile_payments(container)
        except Exception:  # the provider or the network: the next hour tries again
            log.exception("payment reconciliation failed")

    reconcile_in_turn = in_turn(
        lock, "payments-reconciliation", reconcile_every.total_seconds(), reconcile
    )

    def reconcile_when_due() -> None:
        if clock.now() < next_reconciliation[0]:
            return
        next_reconciliation[0] = clock.now() + reconcile_every
        reconcile_in_turn()

    def heal(*, requeue: bool) -> None:
        healed = store.reconcile()
        if healed:
            log.warning("credit movements completed after a crash", count=healed)
        recover(requeue=requeue)
        # Expectations the dialog no longer acts on (a day old) need not be kept.
        swept = conversations.sweep(clock.now() - EXPECTATION_LIFETIME)
        if swept:
            log.info("stale expectations forgotten", count=swept)
        forgotten = store.updates.sweep(clock.now() - HANDLED_UPDATES_KEPT)
        if forgotten:
            log.info("records of old updates forgotten", count=forgotten)
        reconcile_when_due()

    heal(requeue=True)  # this process's start: not waiting for a turn (a restart after kill -9)
    resume_broadcast()
    every = max(5.0, settings.job_timeout / 4)
    checkout_poller = _checkout_poller(container, settings, lock)
    return Tickers(
        *checkout_poller,
        Every(
            every,
            in_turn(lock, "recovery", every, lambda: heal(requeue=durable_queue)),
            name="recovery",
        ).start(),
        Every(
            BROADCAST_WATCH_SECONDS,
            in_turn(lock, "broadcast-watch", BROADCAST_WATCH_SECONDS, resume_broadcast),
            name="broadcast-watch",
        ).start(),
    )


def _checkout_poller(container: Container, settings: Settings, lock: PeriodLock) -> list[Every]:
    """With YooKassa on: ask it about open orders every PAINTBOT_YOOKASSA_POLL_SECONDS (once per
    period across the deployment), the only way a payment is seen without a webhook server."""
    poll, cards = container.poll_checkouts(), container.card_payments()
    if poll is None or cards is None:
        return []
    seconds = settings.yookassa_poll_seconds

    def run() -> None:
        try:
            poll_and_announce(poll, cards)
        except Exception:  # storage or the provider: the next period tries again
            log.exception("checkout poll failed")

    return [
        Every(seconds, in_turn(lock, "checkout-poll", seconds, run), name="checkout-poll").start()
    ]
