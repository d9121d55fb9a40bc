"""Healing what a crash left behind, at start-up and then periodically while the bot runs."""

from __future__ import annotations

import structlog

from .container import Container
from .periodic import Every
from .settings import Settings

log = structlog.get_logger(__name__)


def start_recovery(container: Container, settings: Settings) -> Every:
    """Finish half-done credit movements (MongoDB's outbox; nothing to do on SQLite), then refund
    jobs left running and, at start-up only, re-enqueue queued ones; repeat every
    max(5 s, PAINTBOT_JOB_TIMEOUT / 4) in a background thread. Stop the returned ticker on exit."""
    store, recover = container.store(), container.recover_jobs()

    def heal(*, requeue: bool) -> None:
        healed = store.reconcile()
        if healed:
            log.warning("credit movements completed after a crash", count=healed)
        recover(requeue=requeue)

    heal(requeue=True)
    return Every(
        max(5.0, settings.job_timeout / 4), lambda: heal(requeue=False), name="recovery"
    ).start()
