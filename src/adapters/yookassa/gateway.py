"""YooKassaGateway: the CheckoutGateway port over the yookassa SDK (payments paid on YooKassa's
page, read back by id, refunded).

The SDK's `Payment` and `Refund` build and validate the requests and parse the answers; they call
through this gateway's own ShopClient, so the SDK's global `Configuration` is never set or read
and two gateways (two shops, a test's fake) live side by side. The SDK's errors become core
errors here: what another try may fix (no answer, 202, 429, 5xx) is DeliveryFailed, a refusal
(400, 401, 403, 404, ...) PaymentRefused with YooKassa's own description. Neither the secret key
nor the Authorization header ever reaches a message, a log line or a repr.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

from yookassa import Payment, Refund
from yookassa.domain.exceptions import ApiError, NotFoundError
from yookassa.domain.request import PaymentRequest, RefundRequest

from paintcore.domain.checkout import CheckoutOrder, CheckoutPayment, Receipt
from paintcore.domain.errors import DeliveryFailed, PaintError, PaymentRefused

from .client import RETRYABLE, Patience, ShopClient, Unreachable, http_status
from .convert import payment_params, refund_params, to_checkout_payment

PROVIDER = "yookassa"
DEFAULT_API_URL = "https://api.yookassa.ru/v3"
# YooKassa's payment ids are UUID-shaped ("2d9a1f3c-000f-5000-8000-1b8f2e4c7a90"); anything else
# is refused before it can become part of a URL path.
PAYMENT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
T = TypeVar("T")


def bind(resource: Any, client: ShopClient) -> Any:
    """The SDK resource class (`Payment`, `Refund`) calling through `client`: its classmethods
    build `cls()`, whose `__init__` would otherwise make an ApiClient from the global
    Configuration."""

    def use_client(self: Any) -> None:
        self.client = client

    return type(resource.__name__, (resource,), {"__init__": use_client})


class YooKassaGateway:
    """One YooKassa shop. `timeout` bounds each HTTP request, `budget` a whole call with its
    `attempts` tries (the same idempotence key each time), `backoff` the first wait between."""

    def __init__(
        self,
        shop_id: str,
        secret_key: str,
        *,
        api_url: str = DEFAULT_API_URL,
        timeout: float = 5.0,
        budget: float = 12.0,
        attempts: int = 3,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not shop_id.strip() or not secret_key.strip():
            raise ValueError("a YooKassa shop id and secret key are required")
        if not api_url.startswith(("https://", "http://")):
            raise ValueError(f"a YooKassa API URL must be http(s), not {api_url!r}")
        patience = Patience(timeout=timeout, budget=budget, attempts=attempts, backoff=backoff)
        client = ShopClient(shop_id, secret_key, api_url=api_url, patience=patience, sleep=sleep)
        self._shop_id = shop_id
        self._api_url = client.endpoint
        self._payments = bind(Payment, client)
        self._refunds = bind(Refund, client)

    def __repr__(self) -> str:
        return f"YooKassaGateway(shop_id={self._shop_id!r}, api_url={self._api_url!r})"

    @property
    def provider(self) -> str:
        return PROVIDER

    def create_payment(
        self,
        order: CheckoutOrder,
        *,
        description: str,
        return_url: str,
        receipt: Receipt | None = None,
    ) -> CheckoutPayment:
        what = f"create payment for order {order.order_id}"
        request = _request(
            what,
            PaymentRequest,
            lambda: payment_params(
                order, description=description, return_url=return_url, receipt=receipt
            ),
        )
        response = _call(what, lambda: self._payments.create(request, order.order_id))
        return _read(what, response)

    def payment(self, payment_id: str) -> CheckoutPayment | None:
        if not PAYMENT_ID.fullmatch(payment_id):
            return None
        what = f"get payment {payment_id}"
        try:
            response = _call(what, lambda: self._payments.find_one(payment_id), missing_ok=True)
        except PaymentRefused as exc:
            # The port: a payment that cannot be read is "cannot be asked" (bad credentials...).
            raise DeliveryFailed(str(exc)) from None
        if response is None:
            return None
        found = _read(what, response)
        if found.payment_id != payment_id:
            raise DeliveryFailed(f"{what}: the answer is about payment {found.payment_id}")
        return found

    def refund(self, payment_id: str, *, amount_minor: int, currency: str, key: str) -> None:
        if not PAYMENT_ID.fullmatch(payment_id):
            raise PaymentRefused(f"refund payment {payment_id!r}: not a YooKassa payment id")
        what = f"refund payment {payment_id}"
        request = _request(
            what, RefundRequest, lambda: refund_params(payment_id, amount_minor, currency)
        )
        _call(what, lambda: self._refunds.create(request, key))


def _request(what: str, kind: Any, params: Callable[[], dict[str, Any]]) -> Any:
    """The SDK's request object, validated: what it rejects YooKassa would refuse too."""
    try:
        request = kind(params())
        request.validate()
    except (ValueError, TypeError) as exc:
        raise PaymentRefused(f"{what}: invalid request: {exc}") from None
    return request


def _call(what: str, fn: Callable[[], T], *, missing_ok: bool = False) -> T | None:
    """Run one SDK call; only core errors leave (and None for a 404 when `missing_ok`)."""
    try:
        return fn()
    except NotFoundError as exc:
        if missing_ok:
            return None
        error: PaintError = judge(exc, what)
    except ApiError as exc:
        error = judge(exc, what)
    except Unreachable as exc:
        error = DeliveryFailed(f"{what}: YooKassa unreachable: {exc}")
    except (ValueError, TypeError, KeyError) as exc:  # the SDK could not parse the answer
        error = DeliveryFailed(f"{what}: unreadable answer: {type(exc).__name__}: {exc}")
    raise error from None  # from None: the SDK's exceptions hold the request and its headers


def judge(exc: Any, what: str) -> PaintError:
    """An SDK ApiError as a core error: try later (DeliveryFailed) or refused (PaymentRefused)."""
    status = http_status(exc)
    error = exc.error
    code = str(getattr(error, "code", None) or "")
    description = str(getattr(error, "description", None) or "")
    parameter = str(getattr(error, "parameter", None) or "")
    detail = " ".join(part for part in (code, description) if part) or type(exc).__name__
    message = f"{what}: HTTP {status} {detail}" + (f" ({parameter})" if parameter else "")
    if status in RETRYABLE or status >= 500:
        return DeliveryFailed(message)
    return PaymentRefused(message)


def _read(what: str, response: Any) -> CheckoutPayment:
    try:
        return to_checkout_payment(response)
    except (ValueError, TypeError) as exc:
        raise DeliveryFailed(f"{what}: unreadable payment: {exc}") from None
