"""FakeYooKassa: YooKassa's API v3 over real HTTP on loopback (for the real SDK), with the
controls a test needs: the buyer pays or gives up, the server fails, stalls or drops."""

from __future__ import annotations

import contextlib
import copy
import json
import socket
import threading
from typing import Any

from support.local_http import FastHandler, LocalServer, ServedFake

from . import book
from .api import RecordedRequest, YooKassaApi
from .book import JSON


class FakeYooKassa(ServedFake, YooKassaApi):
    """YooKassa's API for one shop on 127.0.0.1: `api_url` is what the SDK's api_url is set to.
    Binds a free port at construction; `start()` serves on a daemon thread; `stop()` (or the
    end of the `with` block) wakes stalled requests and closes every connection."""

    thread_name = "fake-yookassa"

    def __init__(self, shop_id: str = "100500", secret_key: str = "test_SECRET-fake-key") -> None:
        super().__init__(shop_id, secret_key)
        self._server = _Server(("127.0.0.1", 0), self)
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------
    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v3"

    # -- what happened ----------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        with self._state.lock:
            return list(self._state.requests)

    def requests_to(self, endpoint: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.endpoint == endpoint]

    @property
    def idempotence_keys(self) -> list[str]:
        """Every Idempotence-Key sent, in order, repeats included."""
        return [r.idempotence_key for r in self.requests if r.idempotence_key]

    @property
    def payments(self) -> dict[str, JSON]:
        """Every payment by id, as GET /payments/{id} would answer now (copies)."""
        with self._state.lock:
            return copy.deepcopy(self._state.payments)

    @property
    def refunds(self) -> dict[str, JSON]:
        with self._state.lock:
            return copy.deepcopy(self._state.refunds)

    # -- the buyer and the bank -------------------------------------------------------------
    def succeed(self, payment_id: str) -> JSON:
        """The buyer paid: succeeded (or waiting_for_capture when created without capture)."""
        with self._state.lock:
            payment = self._state.payments[payment_id]
            book.paid(payment, capture=self._state.captures[payment_id])
            return copy.deepcopy(payment)

    def cancel(
        self, payment_id: str, reason: str = "expired_on_confirmation", party: str = "yoo_money"
    ) -> JSON:
        """The payment is canceled: declined, abandoned, expired."""
        with self._state.lock:
            book.canceled(self._state.payments[payment_id], reason=reason, party=party)
            return copy.deepcopy(self._state.payments[payment_id])

    def tamper(self, payment_id: str, **fields: Any) -> None:
        """Overwrite fields of a stored payment (a mismatched amount, foreign metadata...)."""
        with self._state.lock:
            self._state.payments[payment_id].update(copy.deepcopy(fields))

    def set_amount(self, payment_id: str, value: str, currency: str = "RUB") -> None:
        self.tamper(payment_id, amount={"value": value, "currency": currency})

    def notification(self, payment_id: str, event: str | None = None) -> JSON:
        """The body YooKassa POSTs to the shop's notification URL about this payment now:
        {"type": "notification", "event": "payment.succeeded", "object": {...payment...}}."""
        with self._state.lock:
            return book.notification(self._state.payments[payment_id], event)


class _Handler(FastHandler):
    server: _Server

    def do_GET(self) -> None:
        self._reply("GET")

    def do_POST(self) -> None:
        self._reply("POST")

    def _reply(self, method: str) -> None:
        headers = {name.lower(): value for name, value in self.headers.items()}
        answer = self.server.fake.serve(method, self.path, headers, self._body())
        if answer is None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        status, body = answer
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Server(LocalServer):
    def __init__(self, address: tuple[str, int], fake: FakeYooKassa) -> None:
        self.fake = fake
        super().__init__(address, _Handler)
