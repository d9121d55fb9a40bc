"""ShopClient: the SDK's HTTP client, per gateway instead of per process, with bounded time.

The SDK's own `ApiClient` reads the process-wide `yookassa.Configuration` (one shop per process,
set by `Configuration.configure`, and a logger there would log the Authorization header), sends
with no timeout (requests then waits for ever), retries only 202 and only over https, and turns a
refused connection into an AttributeError (it reads `.response` of a ConnectionError: None).

The SDK's resource classes (`Payment`, `Refund`) only call `self.client.request(...)`, so this
class stands in for `ApiClient` there: the same request objects (validated the same way), the same
headers and the SDK's own exception classes for HTTP errors, but its own shop, a timeout on every
request, and retries with the same idempotence key for what another try may fix (no answer, 202,
429, 5xx), all within one time budget.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests
import structlog
from yookassa.client import ApiClient
from yookassa.domain.common import RequestObject, UserAgent
from yookassa.domain.exceptions import (
    ApiError,
    BadRequestError,
    ForbiddenError,
    GoneError,
    InternalServerError,
    NotFoundError,
    ResponseProcessingError,
    TooManyRequestsError,
    UnauthorizedError,
)

log = structlog.get_logger(__name__)

RETRYABLE = frozenset({202, 429, 500, 502, 503, 504})
_ERRORS: dict[int, Any] = {
    error.HTTP_CODE: error
    for error in (
        BadRequestError,
        UnauthorizedError,
        ForbiddenError,
        NotFoundError,
        GoneError,
        TooManyRequestsError,
        InternalServerError,
        ResponseProcessingError,
    )
}


class Unreachable(Exception):
    """No usable answer: the connection was refused, dropped or timed out, or the body was not
    JSON."""


@dataclass(frozen=True, slots=True)
class Patience:
    """How long one gateway call may take, and how often it tries."""

    timeout: float = 5.0  # one HTTP request (to connect, and between bytes of the answer)
    budget: float = 12.0  # the whole call: no try starts or lasts past it
    attempts: int = 3  # tries in all, each with the same idempotence key
    backoff: float = 0.5  # seconds before the second try; doubles (202's retry_after wins)

    def __post_init__(self) -> None:
        if min(self.timeout, self.budget) <= 0 or self.backoff < 0 or self.attempts < 1:
            raise ValueError(f"invalid patience {self}")


def http_status(error: Any) -> int:
    """The HTTP status an SDK ApiError was raised for (the SDK's base class itself has none)."""
    return int(getattr(error, "status", 0) or error.HTTP_CODE)


class ShopClient:
    """Calls one shop's API at `api_url`; raises the SDK's ApiError subclasses and Unreachable."""

    def __init__(
        self,
        shop_id: str,
        secret_key: str,
        *,
        api_url: str,
        patience: Patience,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.endpoint = api_url.rstrip("/")
        self._authorization = ApiClient.basic_auth(shop_id, secret_key)
        self._secrets = (secret_key, self._authorization.removeprefix("Basic "))
        self._user_agent = UserAgent().get_header_string()
        self._patience = patience
        self._sleep = sleep
        self._clock = clock

    def __repr__(self) -> str:
        return f"ShopClient(endpoint={self.endpoint!r})"

    def request(
        self,
        method: str = "",
        path: str = "",
        query_params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> dict[str, Any]:
        """What `ApiClient.request` does: the answer's JSON object, or the SDK's error."""
        if isinstance(body, RequestObject):
            body.validate()
            body = dict(body)
        sent = {
            "Content-Type": "application/json",
            "Authorization": self._authorization,
            "YM-User-Agent": self._user_agent,
            **(headers or {}),
        }
        what = f"{method.upper()} {path}"
        patience, started = self._patience, self._clock()
        for attempt in range(1, patience.attempts + 1):
            left = patience.budget - (self._clock() - started)
            failure: Exception
            hint: float | None = None
            try:
                with requests.Session() as session:
                    response = session.request(
                        method,
                        self.endpoint + path,
                        params=query_params,
                        headers=sent,
                        json=body,
                        timeout=max(0.01, min(patience.timeout, left)),
                    )
            except requests.RequestException as exc:
                failure = Unreachable(f"{what}: {type(exc).__name__}")
            else:
                if response.status_code == 200:
                    return self._answer(response, what)
                failure = self._error(response)
                if response.status_code not in RETRYABLE:
                    raise failure
                hint = _retry_after(failure)
            wait = hint if hint is not None else patience.backoff * 2 ** (attempt - 1)
            if attempt == patience.attempts or self._clock() - started + wait >= patience.budget:
                raise failure
            log.warning(
                "yookassa call failed, retrying",
                call=what,
                error=str(failure),
                attempt=attempt,
                wait=round(wait, 3),
            )
            self._sleep(wait)
        raise AssertionError("unreachable: attempts >= 1")

    def _answer(self, response: requests.Response, what: str) -> dict[str, Any]:
        try:
            decoded = response.json()
        except ValueError:
            decoded = None
        if not isinstance(decoded, dict):
            raise Unreachable(f"{what}: HTTP 200 without a JSON object")
        return decoded

    def _error(self, response: requests.Response) -> Any:
        """The SDK's exception for this status, built from the body with our secrets scrubbed."""
        text = response.text
        for secret in self._secrets:
            text = text.replace(secret, "***")
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = {"type": "error", "code": "unreadable", "description": response.reason or ""}
        error = _ERRORS.get(response.status_code, ApiError)(body)
        error.status = response.status_code
        return error


def _retry_after(error: Any) -> float | None:
    """YooKassa's suggested wait (`retry_after`, milliseconds, with 202), in seconds."""
    value = (error.content or {}).get("retry_after")
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value) / 1000
    return None
