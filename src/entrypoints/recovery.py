"""Healing what a crash left behind, at start-up and then periodically while the bot runs."""

from __future__ import annotations

from datetime import timedelta

import structlog

from paintcore.domain.conversation import EXPECTATION_LIFETIME

from .container import Container
from .periodic import Every
from .settings import Settings

log = structlog.get_logger(__name__)

# Telegram keeps an unconfirmed update for 24 hours; a record of a handled one is kept twice that,
# so a redelivery is always recognised, and then forgotten.
HANDLED_UPDATES_KEPT = timedelta(hours=48)


def start_recovery(container: Container, settings: Settings) -> Every:
    """Finish half-done credit movements (MongoDB's outbox; nothing to do on SQLite), then refund
    jobs left running and, at start-up only, re-enqueue queued ones, then forget expectations a day
    old (the dialog ignores them anyway) and records of updates handled two days ago; repeat every
    max(5 s, PAINTBOT_JOB_TIMEOUT / 4) in a background thread. Stop the returned ticker on exit."""
    store, recover = container.store(), container.recover_jobs()
    conversations, clock = container.conversations(), container.clock()

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

    heal(requeue=True)
    return Every(
        max(5.0, settings.job_timeout / 4), lambda: heal(requeue=False), name="recovery"
    ).start()
