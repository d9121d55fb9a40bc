"""NotificationEndpoint: YooKassa's HTTP notifications, served on the webhook server.

Nothing in a notification is believed but the payment id it names: the endpoint hands that id
to `on_payment`, which fetches the payment from YooKassa's API and acts on its status there (the
verification YooKassa itself recommends). Before any of that, and before the body is read:

1. the URL's own token (`?token=`, an HMAC of the shop id under the secret key, so only someone
   who was given the URL knows it), compared in constant time: wrong or missing -> 403;
2. optionally, the caller's address among YooKassa's published ranges (YOOKASSA_NETWORKS; behind
   a reverse proxy on this machine, the last X-Forwarded-For hop): else 403;
3. application/json (415), a size within `max_body` (413), a JSON object of YooKassa's shape:
   type "notification", a known event, an object with a payment id (else 400).

`on_payment` answers the HTTP status: 200 only once the outcome is stored, anything else makes
YooKassa deliver the notification again later (it retries for 24 hours).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import structlog

from adapters.wsgi_parts import Occasional, read_at_most

from .gateway import PAYMENT_ID

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

log = structlog.get_logger(__name__)

MAX_NOTIFICATION = 64 << 10  # a payment object is a few KiB
PAYMENT_EVENTS = frozenset({"payment.succeeded", "payment.canceled", "payment.waiting_for_capture"})
OTHER_EVENTS = frozenset({"refund.succeeded", "payout.succeeded", "payout.canceled", "deal.closed"})
# https://yookassa.ru/developers/using-api/webhooks#ip (as published in 2026).
YOOKASSA_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in (
        "185.71.76.0/27",
        "185.71.77.0/27",
        "77.75.153.0/25",
        "77.75.156.11/32",
        "77.75.156.35/32",
        "77.75.154.128/25",
        "2a02:5180::/32",
    )
)


_STATUS = {"application/json only": 415, "too large": 413}


def notification_token(shop_id: str, secret_key: str) -> str:
    """The token the notification URL carries: only the shop's owner can make it, and it
    changes with the key."""
    message = f"paintbot-yookassa-notifications:{shop_id}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()[:40]


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8", "replace")).digest()


def client_address(environ: WSGIEnvironment) -> str:
    """The caller: REMOTE_ADDR, or behind a reverse proxy on this machine (REMOTE_ADDR loopback)
    the last X-Forwarded-For hop, the one the proxy itself appended."""
    remote = str(environ.get("REMOTE_ADDR", ""))
    forwarded = str(environ.get("HTTP_X_FORWARDED_FOR", ""))
    try:
        local = ipaddress.ip_address(remote).is_loopback
    except ValueError:
        local = False
    if local and forwarded:
        return forwarded.rsplit(",", maxsplit=1)[-1].strip()
    return remote


def from_yookassa(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in YOOKASSA_NETWORKS)


class NotificationEndpoint:
    def __init__(
        self,
        *,
        token: str,
        on_payment: Callable[[str], int],
        check_ip: bool = False,
        max_body: int = MAX_NOTIFICATION,
    ) -> None:
        self._token = _digest(token)
        self._on_payment, self._check_ip, self._max_body = on_payment, check_ip, max_body
        self._forbidden = Occasional("yookassa notifications refused: wrong token or address")

    def __call__(self, environ: WSGIEnvironment) -> tuple[int, dict[str, object] | None]:
        given = parse_qs(str(environ.get("QUERY_STRING", ""))).get("token", [""])[-1]
        caller = client_address(environ)
        if not hmac.compare_digest(_digest(given), self._token) or (
            self._check_ip and not from_yookassa(caller)
        ):
            self._forbidden.note(remote=caller)
            return 403, {"error": "forbidden"}
        event, payment_id, problem = self._read(environ)
        if problem:
            log.warning("yookassa notification refused", reason=problem, remote=caller)
            return _STATUS.get(problem, 400), {"error": problem}
        if payment_id is None:  # an event we do not act on (a refund we made, a payout)
            log.info("yookassa notification ignored", notification_event=event)
            return 200, None
        try:
            status = self._on_payment(payment_id)
        except Exception:  # storage or a bug: YooKassa delivers it again later
            log.exception("yookassa notification failed", payment_id=payment_id)
            return 500, {"error": "not stored; deliver it again later"}
        log.info(
            "yookassa notification", notification_event=event, payment_id=payment_id, status=status
        )
        return status, None

    def _read(self, environ: WSGIEnvironment) -> tuple[str, str | None, str]:
        """(event, payment id or None for an event we ignore, problem or "")."""
        media = str(environ.get("CONTENT_TYPE", "")).split(";", 1)[0].strip().lower()
        if media != "application/json":
            return "", None, "application/json only"
        declared = str(environ.get("CONTENT_LENGTH") or "0").strip()
        if not (declared.isascii() and declared.isdigit()):
            return "", None, "bad Content-Length"
        if int(declared) > self._max_body:
            return "", None, "too large"
        try:
            data = json.loads(read_at_most(environ["wsgi.input"], int(declared)).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return "", None, "not UTF-8 JSON"
        if not isinstance(data, dict) or data.get("type") != "notification":
            return "", None, "not a YooKassa notification"
        event, body = data.get("event"), data.get("object")
        if not isinstance(event, str) or not isinstance(body, dict):
            return "", None, "not a YooKassa notification: no event or object"
        if event in OTHER_EVENTS:
            return event, None, ""
        if event not in PAYMENT_EVENTS:
            return event, None, f"unknown event {event[:40]!r}"
        payment_id = body.get("id")
        if not isinstance(payment_id, str) or not PAYMENT_ID.fullmatch(payment_id):
            return event, None, "no payment id"
        return event, payment_id, ""
