"""`paintbot worker`: runs the tasks (pages, broadcast steps) that every process enqueues on Redis.

One RQ worker per process, on the queue `paintbot`, built from the same container as the bot (so
it draws with the same backend and delivers through the same Telegram bot); run as many processes
as pages should be drawn at once. SIGTERM (or Ctrl-C) is a warm shutdown: the task being run is
finished, then the process exits; a second signal stops at once (what a kill -9 leaves behind is
recovered: job leases, RQ's abandoned-job cleanup).
"""

from __future__ import annotations

import sys

import structlog

from .container import Container
from .metrics import start_metrics
from .recovery import start_recovery
from .rq_jobs import bind, unbind
from .settings import Settings, SettingsError

log = structlog.get_logger("paintbot")
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def run_worker(container: Container, settings: Settings) -> int:
    """Work until stopped (0); 1 when RQ gave up on its own (Redis lost mid-job); 2 without
    REDIS_URL (or BOT_TOKEN: SettingsError, by the CLI)."""
    if settings.redis_url is None:
        print(
            "paintbot worker: REDIS_URL is not set; workers take their tasks from Redis "
            "(e.g. REDIS_URL=redis://127.0.0.1:6379/0, the same for the bot and its workers)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    container.channel.override("telegram")  # pages go to Telegram users, whoever runs them
    container.telegram_messenger()  # BOT_TOKEN is checked now, not at the first page
    store = container.store()
    try:
        served = start_metrics(container, settings)  # PAINTBOT_METRICS_LISTEN, else None
    except SettingsError:
        store.close()
        raise
    bind(container.task_handlers(), container.queue())
    ticker = start_recovery(container, settings)
    worker = container.rq_worker()
    log.info("worker started", worker=worker.name)
    try:
        worker.work(level=settings.log_level)
    finally:
        ticker.stop()
        unbind()
        store.close()
        if served is not None:
            served.close()
        log.info("worker stopped", worker=worker.name)
    if not worker.stop_requested:
        # RQ gave up on its own (Redis lost in the middle of a job): not a clean stop, so that a
        # supervisor (systemd's Restart=on-failure) starts the worker again.
        log.error("worker ended without being asked to stop", worker=worker.name)
        return EXIT_FAILED
    return EXIT_OK
