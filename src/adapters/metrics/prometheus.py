"""PrometheusMetrics: the Metrics port on the official client, in a registry of its own.

Its own registry (not the client's global one) so that a test can build as many as it likes and a
process exposes exactly what it registered: our counters and histogram, the gauges read when
scraped (`watch`), and the client's process, platform and garbage-collector collectors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from paintcore.domain.broadcasts import Delivery
from paintcore.domain.metrics import Fact, Timing, UpdateKind, labels_of
from paintcore.ports import Broadcasts, TaskQueue

from .gauges import ReadWhenScraped
from .server import MetricsServer, serve

PREFIX = "paintbot_"

# A page takes about a second offline and 10 to 60 s from an image API; one drawing may retry
# for up to 300 s and a page may be drawn twice, so the top buckets catch the slow tail.
GENERATION_BUCKETS = (0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600)

HELP: Mapping[Fact | Timing, str] = {
    Fact.UPDATES_HANDLED: "Telegram updates handled, by kind (message, callback, payment, other).",
    Fact.UPDATES_DROPPED: "Updates dropped unhandled: their chat wrote faster than it was answered.",
    Fact.PAGES_REQUESTED: "Pages requested: a job opened with one credit held.",
    Fact.PAGES_DELIVERED: "Pages delivered to their user (the picture, at least).",
    Fact.PAGES_FAILED: "Pages that failed: by their worker, by recovery, or at enqueueing.",
    Fact.PAGES_REFUNDED: "Failed pages whose held credit was given back.",
    Fact.PAYMENTS_CREDITED: "Payments credited (each once), by currency.",
    Fact.PAYMENTS_REFUNDED: "Payments refunded (by /refund, or unhonoured ones), by currency.",
    Fact.BROADCAST_MESSAGES: "Broadcast messages by outcome (sent, blocked, failed).",
    Timing.GENERATION: "Seconds from taking a page's job to delivering the page.",
}

# Label values known in advance start at zero, so a rate is defined before the first event.
KNOWN: Mapping[Fact, Sequence[str]] = {
    Fact.UPDATES_HANDLED: [kind.value for kind in UpdateKind],
    Fact.BROADCAST_MESSAGES: [d.value for d in Delivery if d is not Delivery.PENDING],
}


class PrometheusMetrics:
    def __init__(
        self,
        *,
        buckets: Sequence[float] = GENERATION_BUCKETS,
        process: bool = True,  # the client's process, platform and GC metrics
    ) -> None:
        self.registry = CollectorRegistry()
        self._counters = {
            fact: Counter(PREFIX + fact.value, HELP[fact], labels_of(fact), registry=self.registry)
            for fact in Fact
        }
        for fact, values in KNOWN.items():
            for value in values:
                self._counters[fact].labels(value)
        self._histograms = {
            timing: Histogram(
                PREFIX + timing.value, HELP[timing], buckets=buckets, registry=self.registry
            )
            for timing in Timing
        }
        self._watching: ReadWhenScraped | None = None
        if process:
            ProcessCollector(registry=self.registry)
            PlatformCollector(registry=self.registry)
            GCCollector(registry=self.registry)

    def count(self, fact: Fact, amount: int = 1, **labels: str) -> None:
        counter = self._counters[fact]
        if labels or labels_of(fact):
            # .labels() refuses missing or unknown names (ValueError), as the port says.
            counter.labels(**labels).inc(amount)
        else:
            counter.inc(amount)

    def observe(self, timing: Timing, seconds: float) -> None:
        self._histograms[timing].observe(seconds)

    def watch(self, *, queue: TaskQueue | None, broadcasts: Broadcasts | None) -> None:
        """Also report, read at each scrape, the queue's depth and the recipients the running
        broadcast has left. Once per instance (a second call is a ValueError)."""
        if self._watching is not None:
            raise ValueError("already watching")
        self._watching = ReadWhenScraped(queue=queue, broadcasts=broadcasts)
        self.registry.register(self._watching)

    def serve(self, host: str, port: int) -> MetricsServer:
        """Serve this registry at /metrics on host:port (port 0: any free one), in a thread."""
        return serve(self.registry, host, port)
