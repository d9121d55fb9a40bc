"""YooKassa's notifications on the webhook server: NotificationEndpoint mounted on a real
WebhookApp, called over WSGI (checked by wsgiref's validator). Random callers are turned away
before the body is read (the URL's token, optionally YooKassa's addresses), a body of the wrong
shape is refused, and only a payment id ever reaches `on_payment`, whose status is answered."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest
from structlog.testing import capture_logs

from adapters.telegram.webhook_app import WebhookApp
from adapters.yookassa.notifications import NotificationEndpoint, notification_token

PATH = "/yookassa/notifications"
TOKEN = notification_token("123456", "test_secret-key-1")
PAYMENT = "2d2b6f3c-000f-5000-9000-1b68e7b15f3f"
YOOKASSA_IP = "185.71.76.10"


def notification(event: str = "payment.succeeded", **payment: object) -> dict[str, object]:
    return {"type": "notification", "event": event, "object": {"id": PAYMENT, **payment}}


@dataclass
class Endpoint:
    app: WebhookApp
    asked: list[str] = field(default_factory=list)

    def call(
        self,
        body: object = None,
        *,
        token: str | None = TOKEN,
        method: str = "POST",
        content_type: str = "application/json",
        length: str | None = None,
        remote: str = YOOKASSA_IP,
        forwarded: str | None = None,
        validate: bool = True,  # wsgiref's validator refuses what no server sends (a bad length)
    ) -> tuple[int, dict[str, str], bytes]:
        data = (
            body
            if isinstance(body, bytes)
            else json.dumps(notification() if body is None else body).encode()
        )
        environ: dict[str, object] = {
            "REQUEST_METHOD": method,
            "SCRIPT_NAME": "",
            "PATH_INFO": PATH,
            "QUERY_STRING": "" if token is None else f"token={token}",
            "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(len(data)) if length is None else length,
            "REMOTE_ADDR": remote,
            "wsgi.input": io.BytesIO(data),
        }
        if forwarded is not None:
            environ["HTTP_X_FORWARDED_FOR"] = forwarded
        setup_testing_defaults(environ)
        answered: list[tuple[str, list[tuple[str, str]]]] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: object = None
        ) -> Callable[[bytes], None]:
            answered.append((status, headers))
            return lambda _: None

        app = validator(self.app) if validate else self.app
        result = app(environ, start_response)
        try:
            payload = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
        status, headers = answered[0]
        return int(status.split()[0]), dict(headers), payload


def mount(on_payment: Callable[[str], int] | None = None, *, check_ip: bool = False) -> Endpoint:
    asked: list[str] = []

    def recorded(payment_id: str) -> int:
        asked.append(payment_id)
        return on_payment(payment_id) if on_payment else 200

    route = NotificationEndpoint(token=TOKEN, on_payment=recorded, check_ip=check_ip, max_body=4096)
    app = WebhookApp(
        path="/telegram/hook",
        secret="telegram-secret",
        submit=lambda update: True,
        ready=lambda: {"storage": True},
        routes={PATH: route},
    )
    return Endpoint(app, asked)


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    yield mount()


def test_a_notification_hands_its_payment_id_over_and_answers_200(endpoint: Endpoint) -> None:
    status, headers, body = endpoint.call()
    assert (status, body) == (200, b"") and headers["Content-Type"] == "application/json"
    assert endpoint.asked == [PAYMENT]


@pytest.mark.parametrize("answer", [200, 404, 500, 503])
def test_the_status_on_payment_answers_is_what_yookassa_gets(answer: int) -> None:
    endpoint = mount(lambda _: answer)
    assert endpoint.call()[0] == answer


def test_on_payment_failing_is_500_so_yookassa_delivers_it_again() -> None:
    def broken(_: str) -> int:
        raise RuntimeError("storage went away")

    endpoint = mount(broken)
    with capture_logs() as logs:
        status, _, body = endpoint.call()
    assert status == 500 and b"again" in body
    assert any(e["event"] == "yookassa notification failed" for e in logs)


@pytest.mark.parametrize("token", [None, "", "0" * 40, TOKEN[:-1], TOKEN + "0", TOKEN.upper()])
def test_a_wrong_or_missing_token_is_403_and_nothing_is_asked(
    endpoint: Endpoint, token: str | None
) -> None:
    status, _, body = endpoint.call(token=token)
    assert (status, json.loads(body)) == (403, {"error": "forbidden"})
    assert endpoint.asked == []


def test_a_token_is_judged_before_the_body(endpoint: Endpoint) -> None:
    assert endpoint.call(b"\xff not json", token="nope", content_type="text/plain")[0] == 403


def test_a_flood_of_wrong_tokens_logs_a_line_or_two(endpoint: Endpoint) -> None:
    with capture_logs() as logs:
        for i in range(200):
            assert endpoint.call(token=f"guess-{i}")[0] == 403
    assert 1 <= len(logs) <= 2 and endpoint.asked == []


@pytest.mark.parametrize(
    ("remote", "forwarded", "allowed"),
    [
        (YOOKASSA_IP, None, True),
        ("77.75.156.11", None, True),
        ("2a02:5180::1", None, True),
        ("203.0.113.7", None, False),
        ("127.0.0.1", None, False),  # a proxy that says nothing of the caller
        ("127.0.0.1", YOOKASSA_IP, True),  # behind a reverse proxy on this machine
        ("::1", "203.0.113.7, " + YOOKASSA_IP, True),  # the hop the proxy appended counts
        ("127.0.0.1", YOOKASSA_IP + ", 203.0.113.7", False),  # a forged first hop does not
        ("203.0.113.7", YOOKASSA_IP, False),  # X-Forwarded-For from anyone else: ignored
        ("127.0.0.1", "not an address", False),
    ],
)
def test_with_the_ip_check_only_yookassas_addresses_are_heard(
    remote: str, forwarded: str | None, allowed: bool
) -> None:
    endpoint = mount(check_ip=True)
    status = endpoint.call(remote=remote, forwarded=forwarded)[0]
    assert status == (200 if allowed else 403)
    assert endpoint.asked == ([PAYMENT] if allowed else [])


def test_without_the_ip_check_any_address_with_the_token_is_heard(endpoint: Endpoint) -> None:
    assert endpoint.call(remote="203.0.113.7")[0] == 200


@pytest.mark.parametrize("content_type", ["text/plain", "", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_by_its_type_is_415(endpoint: Endpoint, content_type: str) -> None:
    assert endpoint.call(content_type=content_type)[0] == 415 and endpoint.asked == []


def test_json_with_a_charset_is_fine(endpoint: Endpoint) -> None:
    assert endpoint.call(content_type="Application/JSON; charset=utf-8")[0] == 200


def test_a_body_over_the_limit_is_413_unread(endpoint: Endpoint) -> None:
    padded = notification(description="x" * 5000)
    assert endpoint.call(padded)[0] == 413
    assert endpoint.call(length="999999999999")[0] == 413
    assert endpoint.asked == []


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[1, 2]",
        b"[" * 3000,
        {"type": "something", "event": "payment.succeeded", "object": {"id": PAYMENT}},
        {"event": "payment.succeeded", "object": {"id": PAYMENT}},
        {"type": "notification", "object": {"id": PAYMENT}},
        {"type": "notification", "event": "payment.succeeded", "object": PAYMENT},
        {"type": "notification", "event": "payment.teleported", "object": {"id": PAYMENT}},
        {"type": "notification", "event": 7, "object": {"id": PAYMENT}},
        notification(id=None),
        notification(id=""),
        notification(id=12345),
        notification(id="2d2b6f3c-000f-5000-9000-1b68e7b15f3F"),
        notification(id="../../v3/payments"),
        notification(id=PAYMENT + "\n"),
    ],
)
def test_a_body_of_the_wrong_shape_is_400_and_nothing_is_asked(
    endpoint: Endpoint, body: object
) -> None:
    status, _, answer = endpoint.call(body)
    assert status == 400 and "error" in json.loads(answer)
    assert endpoint.asked == []


@pytest.mark.parametrize("length", ["abc", "-1", "1e3", "٣"])
def test_a_bad_content_length_is_400(endpoint: Endpoint, length: str) -> None:
    assert endpoint.call(length=length, validate=False)[0] == 400 and endpoint.asked == []


@pytest.mark.parametrize("event", ["refund.succeeded", "payout.succeeded", "deal.closed"])
def test_other_events_are_answered_200_and_ignored(endpoint: Endpoint, event: str) -> None:
    assert endpoint.call({"type": "notification", "event": event, "object": {"id": "x"}})[0] == 200
    assert endpoint.asked == []


@pytest.mark.parametrize("event", ["payment.canceled", "payment.waiting_for_capture"])
def test_every_payment_event_asks_about_the_payment(endpoint: Endpoint, event: str) -> None:
    assert endpoint.call(notification(event))[0] == 200 and endpoint.asked == [PAYMENT]


@pytest.mark.parametrize("method", ["GET", "PUT", "HEAD"])
def test_only_post_is_allowed(endpoint: Endpoint, method: str) -> None:
    status, headers, _ = endpoint.call(method=method)
    assert status == 405 and headers["Allow"] == "POST" and endpoint.asked == []


def test_while_stopping_notifications_are_503_to_be_delivered_again(endpoint: Endpoint) -> None:
    endpoint.app.refuse()
    status, headers, _ = endpoint.call()
    assert status == 503 and headers["Retry-After"] == "5" and endpoint.asked == []


def test_the_route_cannot_take_the_webhooks_path_or_healthz() -> None:
    route = NotificationEndpoint(token=TOKEN, on_payment=lambda _: 200)
    for path in ("/telegram/hook", "/healthz"):
        with pytest.raises(ValueError):
            WebhookApp(
                path="/telegram/hook",
                secret="s",
                submit=lambda update: True,
                ready=dict,
                routes={path: route},
            )


def test_the_token_is_the_shops_own_and_changes_with_the_key() -> None:
    tokens = {
        notification_token("123456", "test_secret-key-1"),
        notification_token("123457", "test_secret-key-1"),
        notification_token("123456", "test_secret-key-2"),
        notification_token("123456", "live_secret-key-1"),
    }
    assert len(tokens) == 4
    assert notification_token("123456", "test_secret-key-1") == TOKEN
    assert len(TOKEN) == 40 and "secret" not in TOKEN
