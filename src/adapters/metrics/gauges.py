"""Gauges read when Prometheus scrapes, not kept up to date by the code: the task queue's depth and
the recipients left in the running broadcast (both read from the ports that know them)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import structlog
from prometheus_client.metrics_core import GaugeMetricFamily, Metric

from paintcore.ports import Broadcasts, TaskQueue

log = structlog.get_logger(__name__)

QUEUE_DEPTH = "paintbot_queue_depth"
BROADCAST_REMAINING = "paintbot_broadcast_recipients_remaining"


class ReadWhenScraped:
    """A collector: each scrape asks the queue and the store. A read that fails (storage down)
    leaves its gauge out of that scrape (logged), so the rest still answers."""

    def __init__(self, *, queue: TaskQueue | None, broadcasts: Broadcasts | None) -> None:
        self._gauges: list[tuple[str, str, Callable[[], float]]] = []
        if queue is not None:
            self._gauges.append(
                (QUEUE_DEPTH, "Tasks waiting or running in the queue.", queue.depth)
            )
        if broadcasts is not None:
            self._gauges.append(
                (
                    BROADCAST_REMAINING,
                    "Recipients the running broadcast has left (0: none is running).",
                    lambda: _remaining(broadcasts),
                )
            )

    def describe(self) -> Iterable[Metric]:
        return [GaugeMetricFamily(name, text) for name, text, _ in self._gauges]

    def collect(self) -> Iterable[Metric]:
        for name, text, read in self._gauges:
            try:
                value = read()
            except Exception as exc:  # a store or a queue that does not answer
                log.warning("metric not read", metric=name, error=repr(exc))
                continue
            yield GaugeMetricFamily(name, text, value=value)


def _remaining(broadcasts: Broadcasts) -> int:
    running = broadcasts.current()
    return 0 if running is None else broadcasts.counts(running.id).pending
