"""The /metrics endpoint: prometheus_client's own HTTP server (a thread), stoppable."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from wsgiref.simple_server import WSGIServer

from prometheus_client import start_http_server
from prometheus_client.registry import Collector


@dataclass(frozen=True, slots=True)
class MetricsServer:
    host: str
    port: int  # as bound (the free one chosen when 0 was asked for)
    _server: WSGIServer
    _thread: threading.Thread

    def close(self) -> None:
        """Stop serving and free the port; safe to call twice."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def serve(registry: Collector, host: str, port: int) -> MetricsServer:
    """Serve `registry` in the Prometheus text format (any path; /metrics by convention) on
    host:port; OSError when the address cannot be bound (in use, not this machine's)."""
    server, thread = start_http_server(port, addr=host, registry=registry)
    return MetricsServer(host, server.server_address[1], server, thread)
