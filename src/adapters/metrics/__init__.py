"""Prometheus metrics (the official client): the Metrics port's counters and histogram, gauges
read when scraped, and the /metrics endpoint, all on a registry of the adapter's own."""

from .gauges import BROADCAST_REMAINING, QUEUE_DEPTH, ReadWhenScraped
from .prometheus import GENERATION_BUCKETS, PREFIX, PrometheusMetrics
from .server import MetricsServer, serve

__all__ = [
    "BROADCAST_REMAINING",
    "GENERATION_BUCKETS",
    "PREFIX",
    "QUEUE_DEPTH",
    "MetricsServer",
    "PrometheusMetrics",
    "ReadWhenScraped",
    "serve",
]
