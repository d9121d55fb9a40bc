"""WebhookServer: waitress serving a WSGI app on one address from a background thread, stopped in
steps (stop accepting, let the answers already made leave, close).

Why waitress: a production WSGI server (Pylons project) in pure Python with no compiled parts,
multi-threaded like the rest of the bot (the UpdateDispatcher and the worker pool are threads, not
asyncio, so a WSGI app needs no bridge, where uvicorn would need an ASGI app and a thread bridge),
and it bounds what a client can make it hold: it reads the whole body before the app runs, and
refuses one over `max_request_body_size` with 413 by Content-Length or, chunked, as soon as it
grows past it. It has no programmatic stop (its `serve()` runs until the process is interrupted),
so this class runs waitress's own event loop (`wasyncore.loop`) one poll at a time on a socket map
of its own, and closes the sockets and the request threads itself.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

import structlog
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server

from .webhook_app import MAX_BODY

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

log = structlog.get_logger(__name__)

POLL_SECONDS = 0.2  # how soon the loop notices a stop; waitress's trigger wakes it for answers
# waitress warns "Task queue depth is N" for every request that waits for a free thread: a flood
# would cost a log line per request. The wait shows as the time to 200 OK instead.
logging.getLogger("waitress.queue").setLevel(logging.ERROR)


class WebhookServer:
    def __init__(
        self,
        app: WSGIApplication,
        *,
        host: str,
        port: int,
        threads: int = 8,
        max_body: int = MAX_BODY,
        connection_limit: int = 1000,
    ) -> None:
        """Bind `host:port` (port 0: any free one) at once: OSError if it is taken."""
        self._map: dict[int, Any] = {}
        self._server = create_server(
            app,
            map=self._map,
            host=host,
            port=port,
            threads=threads,
            # waitress refuses a body of this size or more: `max_body` itself is allowed.
            max_request_body_size=max_body + 1,
            max_request_header_size=64 * 1024,
            connection_limit=connection_limit,
            channel_timeout=60,  # an idle keep-alive connection is closed after a minute
            ident="paintbot",
            expose_tracebacks=False,
            asyncore_use_poll=True,  # select() fails past 1024 descriptors
            # waitress would drop X-Forwarded-For (no trusted_proxy set); YooKassa's address
            # check reads it itself, trusting it only from a proxy on this machine.
            clear_untrusted_proxy_headers=False,
        )
        host, bound = self._listeners()[0].getsockname()
        self.address = (str(host), int(bound))  # the port chosen when 0 was asked for
        self._accepting = True
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="webhook-server", daemon=True)

    def start(self) -> None:
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop_accepting(self) -> None:
        """Close the listening sockets (new connections are refused); open ones go on."""
        self._accepting = False  # the loop thread closes them: sockets belong to it

    def flushed(self) -> bool:
        """No connection has a request in hand or an answer not yet sent."""
        return not any(
            channel.requests or channel.total_outbufs_len
            for channel in list(self._map.values())
            if isinstance(channel, HTTPChannel)
        )

    def close(self, timeout: float = 5.0) -> None:
        """Wait up to `timeout` for answers already made to leave, then close every connection
        and end the loop and the request threads."""
        deadline = time.monotonic() + timeout
        while self._thread.is_alive() and not self.flushed() and time.monotonic() < deadline:
            time.sleep(0.02)
        self._done.set()
        if self._thread.is_alive():
            self._thread.join(timeout=max(1.0, deadline - time.monotonic()))
        # The request threads first: one still answering pulls the loop's trigger.
        self._server.task_dispatcher.shutdown(cancel_pending=True, timeout=2)
        for dispatcher in list(self._map.values()):
            with contextlib.suppress(OSError):
                dispatcher.close()
        self._map.clear()

    def _serve(self) -> None:
        try:
            while not self._done.is_set():
                if not self._accepting:
                    for listener in self._listeners():
                        # Not listener.close(): that also closes the trigger answers need.
                        wasyncore.dispatcher.close(listener)
                if self._map:
                    wasyncore.loop(timeout=POLL_SECONDS, map=self._map, use_poll=True, count=1)
                else:
                    self._done.wait(POLL_SECONDS)
        except Exception:
            log.exception("webhook server failed")

    def _listeners(self) -> list[BaseWSGIServer]:
        return [d for d in list(self._map.values()) if isinstance(d, BaseWSGIServer)]
