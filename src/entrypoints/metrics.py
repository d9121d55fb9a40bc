"""/metrics for a long-running process (`paintbot run`, `webhook`, `worker`) on
PAINTBOT_METRICS_LISTEN: this process's counters and histogram, and gauges read when scraped.

Each process keeps its own counts and serves them on its own port (several processes on one host
need one port each, and Prometheus scrapes them all: docs/DEPLOYMENT.md, "Metrics"). Never on the
webhook's port: settings refuse that, so /metrics is not on the public path.
"""

from __future__ import annotations

import structlog

from adapters.metrics import MetricsServer, PrometheusMetrics

from .settings import Settings, SettingsError
from .usecases_container import UseCases

log = structlog.get_logger("paintbot")


def start_metrics(container: UseCases, settings: Settings) -> MetricsServer | None:
    """Serve /metrics when PAINTBOT_METRICS_LISTEN is set (None when it is not); SettingsError
    (exit 2) when its address cannot be listened on (taken, not this machine's). Close the
    server returned when the process stops."""
    address = settings.metrics_address
    if address is None:
        return None
    metrics = container.metrics()
    if not isinstance(metrics, PrometheusMetrics):  # the container chose, or a test replaced it
        raise TypeError(f"PAINTBOT_METRICS_LISTEN needs PrometheusMetrics, not {metrics!r}")
    metrics.watch(queue=container.queue(), broadcasts=container.broadcasts())
    host, port = address
    try:
        server = metrics.serve(host, port)
    except OSError as exc:
        raise SettingsError(
            f"Invalid settings:\n  PAINTBOT_METRICS_LISTEN: cannot listen on "
            f"{settings.metrics_listen}: {exc.strerror or exc}"
        ) from None
    log.info("metrics served", host=host, port=server.port, path="/metrics")
    return server
