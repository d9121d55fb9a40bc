"""WebhookApp: the WSGI application Telegram calls; a checked update goes to the UpdateDispatcher.

POST <the webhook's path>: the `X-Telegram-Bot-Api-Secret-Token` header first, compared in
constant time (wrong or missing: 403, the body neither parsed nor decoded), then the content type
(application/json, else 415), the size (Content-Length over `max_body`: 413; the server never
reads more than that, see webhook_server.py), UTF-8 JSON (400) that is an update, with an integer
`update_id` (400). Then `submit` — the same dispatcher long polling feeds, which skips an update
it holds or its UpdateLog knows — and 200 at once: the dispatcher handles it on its own threads,
so Telegram never waits for a handler. While the process stops, or holds `max_backlog` updates
not yet handled, 503: Telegram delivers the update again later, to this instance or another one.

Other POST routes (`routes`: YooKassa's notifications) are answered by their own handler, or
503 while the process stops. GET /healthz (for load balancers): 200 when every readiness check answers, else 503; the body
names each check. Anything else is 404, or 405 for a known path with the wrong method. Refusals
are counted (`counts()`) and logged at most once a minute each, so a flood costs no log line per
request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING

import structlog
from telebot import types

from adapters.wsgi_parts import QUIET_SECONDS, Occasional, read_at_most

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

log = structlog.get_logger(__name__)

MAX_BODY = 1 << 20  # 1 MiB: Telegram's updates are a few KiB (a message holds 4096 characters)
HEALTH_PATH = "/healthz"
SECRET_HEADER = "HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN"  # X-Telegram-Bot-Api-Secret-Token
UPDATE_ID_LIMIT = 2**63  # what every store keeps as an integer
# Updates accepted and not yet handled, past which new ones get 503 (Telegram sends them again
# later): polling fetches only what it can hold, a webhook must say "not now" to stay bounded.
MAX_BACKLOG = 2000


# Another POST endpoint on the same server (YooKassa's notifications): environ -> (status, body).
Route = Callable[["WSGIEnvironment"], tuple[int, Mapping[str, object] | None]]


def _digest(value: bytes) -> bytes:
    # Equal-length digests: compare_digest then takes the same time whatever the header's length.
    return hashlib.sha256(value).digest()


class WebhookApp:
    def __init__(
        self,
        *,
        path: str,
        secret: str,
        submit: Callable[[types.Update], bool],
        ready: Callable[[], Mapping[str, bool]],
        backlog: Callable[[], int] = lambda: 0,
        max_body: int = MAX_BODY,
        max_backlog: int = MAX_BACKLOG,
        quiet_seconds: float = QUIET_SECONDS,
        routes: Mapping[str, Route] | None = None,
    ) -> None:
        if path == HEALTH_PATH:
            raise ValueError(f"the webhook's path cannot be {HEALTH_PATH}")
        self._routes = dict(routes or {})
        if {path, HEALTH_PATH} & set(self._routes):
            raise ValueError(f"another route cannot take {path} or {HEALTH_PATH}")
        self._path, self._submit, self._ready = path, submit, ready
        self._backlog, self._max_backlog = backlog, max_backlog
        self._secret = _digest(secret.encode("ascii"))
        self._max_body = max_body
        self._lock = threading.Condition()
        self._refusing = False
        self._submitting = 0  # requests inside `submit` right now
        self._counts = dict.fromkeys(
            ("accepted", "skipped", "forbidden", "rejected", "unavailable"), 0
        )
        self._forbidden = Occasional("webhook requests with a wrong secret refused", quiet_seconds)
        self._rejected = {
            status: Occasional("webhook requests refused", quiet_seconds)
            for status in (400, 413, 415)
        }

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO") or "/", environ.get("REQUEST_METHOD", "GET")
        if path == self._path:
            if method != "POST":
                return _reply(start_response, 405, {"error": "POST only"}, allow="POST")
            status, body = self._update(environ)
            return _reply(start_response, status, body)
        if path in self._routes:
            if method != "POST":
                return _reply(start_response, 405, {"error": "POST only"}, allow="POST")
            with self._lock:
                refusing = self._refusing
            if refusing:
                return _reply(start_response, 503, {"error": "stopping; deliver it again later"})
            return _reply(start_response, *self._routes[path](environ))
        if path == HEALTH_PATH:
            if method not in ("GET", "HEAD"):
                return _reply(start_response, 405, {"error": "GET only"}, allow="GET, HEAD")
            checks = self._checks()
            status = 200 if all(checks.values()) else 503
            return _reply(start_response, status, checks, head=method == "HEAD")
        return _reply(start_response, 404, {"error": "not found"})

    def refuse(self) -> None:
        """Answer 503 to every update from now on (the process stops); safe from any thread."""
        with self._lock:
            self._refusing = True

    def wait_idle(self, timeout: float) -> bool:
        """After `refuse()`: wait until no request is handing an update over; False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._submitting == 0, timeout=timeout)

    def counts(self) -> dict[str, int]:
        """Updates accepted and skipped (held or handled already, or dropped from a flooding
        chat), and requests forbidden (wrong secret), rejected (other 4xx) and turned away (503:
        stopping, or `max_backlog` updates in hand), since the start."""
        with self._lock:
            return dict(self._counts)

    def _update(self, environ: WSGIEnvironment) -> tuple[int, dict[str, object] | None]:
        given = str(environ.get(SECRET_HEADER, "")).encode("latin-1", "replace")
        if not hmac.compare_digest(_digest(given), self._secret):
            self._count("forbidden")
            self._forbidden.note(remote=environ.get("REMOTE_ADDR", ""))
            return 403, {"error": "forbidden"}
        update, problem = self._read(environ)
        if update is None:
            self._count("rejected")
            self._rejected[problem[0]].note(status=problem[0], reason=problem[1])
            return problem[0], {"error": problem[1]}
        with self._lock:
            busy = self._refusing or self._backlog() >= self._max_backlog
            if busy:
                self._counts["unavailable"] += 1
                return 503, {"error": "stopping or busy; deliver it again later"}
            self._submitting += 1
        try:
            fresh = self._submit(update)
        finally:
            with self._lock:
                self._submitting -= 1
                self._counts["accepted" if fresh else "skipped"] += 1
                self._lock.notify_all()
        return 200, None

    def _read(self, environ: WSGIEnvironment) -> tuple[types.Update | None, tuple[int, str]]:
        """The update a request carries, or None and (status, why)."""
        media = str(environ.get("CONTENT_TYPE", "")).split(";", 1)[0].strip().lower()
        if media != "application/json":
            return None, (415, "application/json only")
        declared = str(environ.get("CONTENT_LENGTH") or "0").strip()
        if not (declared.isascii() and declared.isdigit()):
            return None, (400, "bad Content-Length")
        if int(declared) > self._max_body:
            return None, (413, f"at most {self._max_body} bytes")
        body = read_at_most(environ["wsgi.input"], int(declared))
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None, (400, "not UTF-8 JSON")
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if type(update_id) is not int or not 0 <= update_id < UPDATE_ID_LIMIT:
            return None, (400, "not an update: no integer update_id")
        try:
            update: types.Update = types.Update.de_json(data)  # type: ignore[no-untyped-call]
            return update, (200, "")
        except Exception:  # a field of the wrong shape: telebot's parser raises anything
            return None, (400, "not an update telebot can read")

    def _checks(self) -> dict[str, bool]:
        try:
            return {name: bool(ok) for name, ok in self._ready().items()}
        except Exception:
            log.exception("readiness check failed")
            return {"ready": False}

    def _count(self, what: str) -> None:
        with self._lock:
            self._counts[what] += 1


def _reply(
    start_response: StartResponse,
    status: int,
    body: Mapping[str, object] | None,
    *,
    allow: str | None = None,
    head: bool = False,
) -> Iterable[bytes]:
    payload = json.dumps(body, separators=(",", ":")).encode() if body is not None else b""
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    if allow is not None:
        headers.append(("Allow", allow))
    if status == 503:
        headers.append(("Retry-After", "5"))
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    return [] if head else [payload]
