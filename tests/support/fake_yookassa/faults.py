"""What can go wrong at the fake YooKassa: error answers, stalls and dropped connections, queued
and consumed in order, one per request (to one endpoint, or to any)."""

from __future__ import annotations

import threading
import uuid
from collections import deque
from dataclasses import dataclass

from .book import JSON

ENDPOINTS = ("create", "get", "refund")  # POST /payments, GET /payments/{id}, POST /refunds
_CODES = {
    202: "processing",
    400: "invalid_request",
    401: "invalid_credentials",
    403: "forbidden",
    404: "not_found",
    429: "too_many_requests",
}


@dataclass
class Fault:
    on: str | None  # an endpoint, or None: any request
    remaining: int | None  # None: for ever
    status: int = 0  # 0: no error answer (a stall or a drop only)
    body: JSON | None = None
    drop: bool = False  # close the connection without an answer
    after: bool = False  # ... only after the request took effect (the answer is lost)
    stall: float = 0.0  # seconds (or until stop) before going on


class Faults:
    """The fault queue a fake server consults for every request."""

    def __init__(self) -> None:
        self._faults: deque[Fault] = deque()
        self._faults_lock = threading.Lock()
        self._stopping = threading.Event()

    def fail(
        self,
        status: int = 500,
        *,
        times: int | None = 1,
        on: str | None = None,
        description: str = "",
        retry_after_ms: int | None = None,
    ) -> None:
        """Answer the next `times` requests with YooKassa's error body for `status` (a 202
        "processing" body for 202, with `retry_after` in milliseconds when given)."""
        code = _CODES.get(status, "internal_server_error")
        body: JSON = {"type": "processing" if status == 202 else "error"}
        body.update(id=str(uuid.uuid4()), code=code)
        body["description"] = description or f"Injected {status} ({code})"
        if retry_after_ms is not None:
            body["retry_after"] = retry_after_ms
        self._queue(Fault(on, times, status=status, body=body))

    def drop(self, *, times: int | None = 1, on: str | None = None, after: bool = False) -> None:
        """Close the connection of the next `times` requests without answering; with `after`,
        once the request took effect (a payment created, its answer lost on the way)."""
        self._queue(Fault(on, times, drop=True, after=after))

    def stall(self, seconds: float, *, times: int | None = 1, on: str | None = None) -> None:
        """Hold the next requests `seconds` (or until stop), then answer them normally."""
        self._queue(Fault(on, times, stall=seconds))

    def _queue(self, fault: Fault) -> None:
        if fault.on is not None and fault.on not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {fault.on!r}; one of {ENDPOINTS}")
        with self._faults_lock:
            self._faults.append(fault)

    def _next_fault(self, endpoint: str) -> Fault | None:
        with self._faults_lock:
            for fault in self._faults:
                if fault.on is None or fault.on == endpoint:
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining <= 0:
                            self._faults.remove(fault)
                    return fault
            return None
