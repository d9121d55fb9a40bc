"""The fake YooKassa's API without the HTTP: authentication, idempotence keys, routes, the
recorded requests and the injected faults (see server.py for the server around it)."""

from __future__ import annotations

import base64
import binascii
import copy
import json
import threading
from dataclasses import dataclass, field, replace
from typing import Any

from . import book
from .book import JSON, Refusal
from .faults import Fault, Faults

ROUTES = {("POST", "payments"): "create", ("POST", "refunds"): "refund"}


@dataclass(frozen=True)
class RecordedRequest:
    """One request as it arrived, and the status answered (None: dropped or stalled)."""

    method: str
    path: str
    endpoint: str  # "create", "get", "refund"; "" for a path the API does not have
    headers: dict[str, str]  # names in lower case, nothing redacted
    json: Any
    status: int | None = None

    @property
    def idempotence_key(self) -> str:
        return self.headers.get("idempotence-key", "")


@dataclass
class _State:
    lock: threading.RLock = field(default_factory=threading.RLock)
    requests: list[RecordedRequest] = field(default_factory=list)
    payments: dict[str, JSON] = field(default_factory=dict)
    captures: dict[str, bool] = field(default_factory=dict)
    refunds: dict[str, JSON] = field(default_factory=dict)
    answered: dict[tuple[str, str], tuple[Any, JSON]] = field(default_factory=dict)


class YooKassaApi(Faults):
    """One shop's API: answers requests, keeps payments and refunds, records every request."""

    def __init__(self, shop_id: str, secret_key: str) -> None:
        super().__init__()
        self.shop_id, self.secret_key = shop_id, secret_key
        self._state = _State()

    def serve(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> Any:
        """(status, body), or None to drop the connection unanswered."""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        route = path.split("?", 1)[0].removeprefix("/v3/").strip("/")
        endpoint = ROUTES.get((method, route), "")
        if method == "GET" and route.startswith("payments/"):
            endpoint = "get"
        with self._state.lock:
            index = len(self._state.requests)
            self._state.requests.append(RecordedRequest(method, path, endpoint, headers, body))
        fault = self._next_fault(endpoint)
        answer = self._answer(method, route, endpoint, headers, body, fault)
        if fault is not None and fault.drop:
            answer = None
        with self._state.lock:
            status = None if answer is None else answer[0]
            self._state.requests[index] = replace(self._state.requests[index], status=status)
        return answer

    def _answer(
        self,
        method: str,
        route: str,
        endpoint: str,
        headers: dict[str, str],
        body: Any,
        fault: Fault | None,
    ) -> tuple[int, JSON] | None:
        if fault is not None:
            if fault.stall:
                self._stopping.wait(fault.stall)
            if fault.status:
                return fault.status, fault.body or {}
            if fault.drop and not fault.after:
                return None
        try:
            if not endpoint:
                raise Refusal(404, "not_found", f"Unknown endpoint {method} /v3/{route}")
            self._authenticate(headers.get("authorization", ""))
            if endpoint == "get":
                with self._state.lock:
                    return 200, self._payment(route.removeprefix("payments/"))
            return 200, self._post(endpoint, headers.get("idempotence-key", ""), body)
        except Refusal as refusal:
            return refusal.status, refusal.body

    def _authenticate(self, header: str) -> None:
        scheme, _, token = header.partition(" ")
        try:
            login, _, password = base64.b64decode(token, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            login = password = ""
        if scheme != "Basic" or (login, password) != (self.shop_id, self.secret_key):
            description = "Basic authentication failed: Illegal login or password"
            raise Refusal(401, "invalid_credentials", description, "Authorization")

    def _payment(self, payment_id: str) -> JSON:
        payment = self._state.payments.get(payment_id)
        if payment is None:
            description = "Incorrect payment_id. Payment doesn't exist or access denied."
            raise Refusal(404, "not_found", description, "payment_id")
        return copy.deepcopy(payment)

    def _post(self, endpoint: str, key: str, body: Any) -> JSON:
        if not key or len(key) > book.KEY_MAX:
            raise Refusal(400, "invalid_request", "Invalid Idempotence-Key", "Idempotence-Key")
        if not isinstance(body, dict):
            raise Refusal(400, "invalid_request", "The body must be a JSON object")
        with self._state.lock:
            seen = self._state.answered.get((endpoint, key))
            if seen is not None:  # YooKassa answers a repeated key with the first answer
                if seen[0] != body:
                    raise Refusal(
                        400, "invalid_request", "Idempotence key duplicated", "Idempotence-Key"
                    )
                return copy.deepcopy(seen[1])
            answer = self._create(body) if endpoint == "create" else self._refund(body)
            self._state.answered[(endpoint, key)] = (copy.deepcopy(body), copy.deepcopy(answer))
            return answer

    def _create(self, body: JSON) -> JSON:
        payment = book.new_payment(body, book.check_payment_request(body), self.shop_id)
        self._state.payments[payment["id"]] = payment
        self._state.captures[payment["id"]] = bool(body.get("capture"))
        return copy.deepcopy(payment)

    def _refund(self, body: JSON) -> JSON:
        payment = self._state.payments.get(str(body.get("payment_id")))
        if payment is None:
            raise Refusal(404, "not_found", "Payment doesn't exist or access denied.", "payment_id")
        refund = book.new_refund(payment, body)
        self._state.refunds[refund["id"]] = refund
        return copy.deepcopy(refund)
