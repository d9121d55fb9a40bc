"""YooKassaGateway with the real yookassa SDK over real HTTP against FakeYooKassa: what is sent,
what comes back, idempotence, and how YooKassa's failures become core errors in bounded time."""

from __future__ import annotations

import base64
import logging
import socket
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import requests
import yookassa
from yookassa.domain.notification import WebhookNotificationFactory

from adapters.yookassa import DEFAULT_API_URL, PAYMENT_ID, YooKassaGateway
from paintcore.domain.checkout import CheckoutOrder, CheckoutStatus, Receipt
from paintcore.domain.errors import DeliveryFailed, PaymentRefused
from paintcore.domain.payments import Pack
from paintcore.domain.users import UserId
from paintcore.ports.checkout import CheckoutGateway
from support.fake_yookassa import FakeYooKassa

SHOP, SECRET = "100500", "test_Fh8hUAVVBGUGbjmlzba6TB0iyUbos_lueTHE"
RETURN_URL = "https://t.me/paint_test_bot"
ORDER_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def fake() -> Iterator[FakeYooKassa]:
    with FakeYooKassa(shop_id=SHOP, secret_key=SECRET) as server:
        yield server


def gateway(
    fake: FakeYooKassa | str,
    *,
    secret: str = SECRET,
    timeout: float = 1.0,
    budget: float = 3.0,
    attempts: int = 3,
    backoff: float = 0.01,
) -> YooKassaGateway:
    """A gateway with little patience: tests of failures end in well under a second."""
    api_url = fake if isinstance(fake, str) else fake.api_url
    return YooKassaGateway(
        SHOP,
        secret,
        api_url=api_url,
        timeout=timeout,
        budget=budget,
        attempts=attempts,
        backoff=backoff,
    )


def order(order_id: str = ORDER_ID, *, price: int = 149) -> CheckoutOrder:
    pack = Pack(pages=10, price=price, currency="RUB")
    created = datetime(2026, 3, 1, tzinfo=UTC)
    return CheckoutOrder(order_id, "yookassa", UserId(42), 42, pack, created)


def test_the_gateway_fits_the_port(fake: FakeYooKassa) -> None:
    port: CheckoutGateway = gateway(fake)
    assert port.provider == "yookassa"
    assert DEFAULT_API_URL == "https://api.yookassa.ru/v3"


def test_create_sends_a_decimal_string_amount_keyed_and_tagged_by_the_order(
    fake: FakeYooKassa,
) -> None:
    payment = gateway(fake).create_payment(
        order(), description="10 раскрасок", return_url=RETURN_URL
    )

    [sent] = fake.requests_to("create")
    assert sent.idempotence_key == ORDER_ID
    assert sent.headers["authorization"] == "Basic " + base64.b64encode(
        f"{SHOP}:{SECRET}".encode()
    ).decode("ascii")
    body = sent.json
    assert body["amount"] == {"value": "149.00", "currency": "RUB"}
    assert body["capture"] is True
    assert body["confirmation"] == {"type": "redirect", "return_url": RETURN_URL}
    assert body["description"] == "10 раскрасок"
    assert body["metadata"]["order_id"] == ORDER_ID
    assert body["metadata"]["user_id"] == "42"
    assert "receipt" not in body
    assert PAYMENT_ID.fullmatch(payment.payment_id)
    assert payment.status is CheckoutStatus.PENDING
    assert (payment.amount_minor, payment.currency, payment.order_id) == (14900, "RUB", ORDER_ID)
    assert payment.confirmation_url.endswith(payment.payment_id)
    assert (payment.paid, payment.test, payment.refunded_minor) == (False, True, 0)


def test_a_long_description_is_cut_to_yookassas_limit(fake: FakeYooKassa) -> None:
    gateway(fake).create_payment(order(), description="к" * 300, return_url=RETURN_URL)
    assert fake.requests_to("create")[0].json["description"] == "к" * 128


def test_a_receipt_is_one_service_line_paid_in_full(fake: FakeYooKassa) -> None:
    receipt = Receipt(email="buyer@example.com", phone="79001234567", description="Pack of 10")
    gateway(fake).create_payment(
        order(price=349), description="30 pages", return_url=RETURN_URL, receipt=receipt
    )

    sent = fake.requests_to("create")[0].json["receipt"]
    assert sent["customer"] == {"email": "buyer@example.com", "phone": "79001234567"}
    [item] = sent["items"]
    assert item["description"] == "Pack of 10"
    assert Decimal(item["quantity"]) == 1
    assert item["amount"] == {"value": "349.00", "currency": "RUB"}
    assert (item["vat_code"], item["payment_subject"], item["payment_mode"]) == (
        1,
        "service",
        "full_payment",
    )


def test_a_receipt_without_a_contact_is_refused_before_anything_is_sent(
    fake: FakeYooKassa,
) -> None:
    with pytest.raises(PaymentRefused, match="email and phone"):
        gateway(fake).create_payment(
            order(), description="10 pages", return_url=RETURN_URL, receipt=Receipt()
        )
    assert fake.requests == []


def test_the_same_order_created_twice_is_one_payment(fake: FakeYooKassa) -> None:
    shop = gateway(fake)
    first = shop.create_payment(order(), description="10 pages", return_url=RETURN_URL)
    again = shop.create_payment(order(), description="10 pages", return_url=RETURN_URL)

    assert again.payment_id == first.payment_id
    assert list(fake.payments) == [first.payment_id]
    assert fake.idempotence_keys == [ORDER_ID, ORDER_ID]


def test_an_answer_lost_on_the_way_is_asked_again_with_the_same_key(fake: FakeYooKassa) -> None:
    fake.drop(on="create", after=True)  # created, then the connection dies

    payment = gateway(fake).create_payment(order(), description="10 pages", return_url=RETURN_URL)

    assert list(fake.payments) == [payment.payment_id]
    assert [r.status for r in fake.requests_to("create")] == [None, 200]
    assert fake.idempotence_keys == [ORDER_ID, ORDER_ID]


def test_a_payment_is_read_as_it_is_now(fake: FakeYooKassa) -> None:
    shop = gateway(fake)
    created = shop.create_payment(order(), description="10 pages", return_url=RETURN_URL)
    assert shop.payment(created.payment_id) == created

    fake.succeed(created.payment_id)
    paid = shop.payment(created.payment_id)

    assert paid is not None
    assert (paid.status, paid.paid, paid.amount_minor) == (CheckoutStatus.SUCCEEDED, True, 14900)
    assert paid.order_id == ORDER_ID


def test_a_canceled_payment_says_why(fake: FakeYooKassa) -> None:
    shop = gateway(fake)
    created = shop.create_payment(order(), description="10 pages", return_url=RETURN_URL)
    fake.cancel(created.payment_id, reason="insufficient_funds", party="payment_network")

    canceled = shop.payment(created.payment_id)

    assert canceled is not None
    assert canceled.status is CheckoutStatus.CANCELED
    assert (canceled.paid, canceled.cancellation_reason) == (False, "insufficient_funds")


def test_the_amount_and_metadata_are_what_yookassa_reports(fake: FakeYooKassa) -> None:
    shop = gateway(fake)
    created = shop.create_payment(order(), description="10 pages", return_url=RETURN_URL)
    fake.set_amount(created.payment_id, "1.50")
    fake.tamper(created.payment_id, metadata={"cms_name": "someone else"})

    reported = shop.payment(created.payment_id)

    assert reported is not None
    assert (reported.amount_minor, reported.order_id) == (150, "")


def test_an_unknown_payment_is_none(fake: FakeYooKassa) -> None:
    assert gateway(fake).payment("2d9a1f3c-000f-5000-8000-1b8f2e4c7a90") is None
    assert [r.status for r in fake.requests_to("get")] == [404]


@pytest.mark.parametrize(
    "payment_id",
    [
        "",
        "abc",
        "../refunds",
        "2d9a1f3c-000f-5000-8000-1b8f2e4c7a9/",
        "2D9A1F3C-000F-5000-8000-1B8F2E4C7A90",
        "2d9a1f3c-000f-5000-8000-1b8f2e4c7a90/../../refunds",
        "2d9a1f3c-000f-5000-8000-1b8f2e4c7a90?x=1",
        "2d9a1f3c-000f-5000-8000-1b8f2e4c7a90\n",
    ],
)
def test_a_malformed_payment_id_is_none_without_asking(fake: FakeYooKassa, payment_id: str) -> None:
    shop = gateway(fake)
    assert shop.payment(payment_id) is None
    with pytest.raises(PaymentRefused, match="not a YooKassa payment id"):
        shop.refund(payment_id, amount_minor=100, currency="RUB", key="refund-1")
    assert fake.requests == []


def paid_payment(fake: FakeYooKassa, shop: YooKassaGateway) -> str:
    created = shop.create_payment(order(), description="10 pages", return_url=RETURN_URL)
    fake.succeed(created.payment_id)
    return created.payment_id


def test_a_refund_happens_once_per_key(fake: FakeYooKassa) -> None:
    shop = gateway(fake)
    payment_id = paid_payment(fake, shop)

    shop.refund(payment_id, amount_minor=5000, currency="RUB", key="refund-1")
    shop.refund(payment_id, amount_minor=5000, currency="RUB", key="refund-1")

    [refund] = fake.refunds.values()
    assert refund["amount"] == {"value": "50.00", "currency": "RUB"}
    assert refund["payment_id"] == payment_id
    assert fake.requests_to("refund")[0].json["amount"] == {"value": "50.00", "currency": "RUB"}
    assert [r.idempotence_key for r in fake.requests_to("refund")] == ["refund-1", "refund-1"]
    reported = shop.payment(payment_id)
    assert reported is not None and reported.refunded_minor == 5000

    shop.refund(payment_id, amount_minor=9900, currency="RUB", key="refund-2")
    reported = shop.payment(payment_id)
    assert reported is not None and reported.refunded_minor == 14900


@pytest.mark.parametrize(
    ("amount_minor", "currency", "pay", "reason"),
    [
        (14900, "RUB", False, "can't be refunded"),  # still pending
        (15000, "RUB", True, "exceeds"),
        (14900, "USD", True, "currency"),
    ],
)
def test_a_refund_yookassa_turns_down_is_refused(
    fake: FakeYooKassa, amount_minor: int, currency: str, pay: bool, reason: str
) -> None:
    shop = gateway(fake)
    created = shop.create_payment(order(), description="10 pages", return_url=RETURN_URL)
    if pay:
        fake.succeed(created.payment_id)

    with pytest.raises(PaymentRefused, match=reason):
        shop.refund(created.payment_id, amount_minor=amount_minor, currency=currency, key="r")
    assert fake.refunds == {}
    assert len(fake.requests_to("refund")) == 1  # a refusal is not retried


def test_refunding_a_payment_yookassa_does_not_know_is_refused(fake: FakeYooKassa) -> None:
    with pytest.raises(PaymentRefused, match="HTTP 404 not_found"):
        gateway(fake).refund(
            "2d9a1f3c-000f-5000-8000-1b8f2e4c7a90", amount_minor=100, currency="RUB", key="r"
        )


@pytest.mark.parametrize("amount_minor", [0, -100])
def test_a_refund_of_nothing_is_refused_before_anything_is_sent(
    fake: FakeYooKassa, amount_minor: int
) -> None:
    with pytest.raises(PaymentRefused, match="invalid request"):
        gateway(fake).refund(
            "2d9a1f3c-000f-5000-8000-1b8f2e4c7a90",
            amount_minor=amount_minor,
            currency="RUB",
            key="r",
        )
    assert fake.requests == []


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "authorized"},  # a status the domain does not know
        {"amount": {"value": "lots", "currency": "RUB"}},
        {"id": "9f9f9f9f-000f-5000-8000-1b8f2e4c7a90"},  # an answer about another payment
    ],
)
def test_an_answer_that_cannot_be_read_is_delivery_failed(
    fake: FakeYooKassa, fields: dict[str, object]
) -> None:
    shop = gateway(fake)
    created = shop.create_payment(order(), description="10 pages", return_url=RETURN_URL)
    fake.tamper(created.payment_id, **fields)

    with pytest.raises(DeliveryFailed, match=r"unreadable|answer is about"):
        shop.payment(created.payment_id)


def test_wrong_credentials_are_refused_and_reading_then_fails(fake: FakeYooKassa) -> None:
    shop = gateway(fake)
    payment_id = paid_payment(fake, shop)
    impostor = gateway(fake, secret="test_wrong-key")

    with pytest.raises(PaymentRefused, match="HTTP 401 invalid_credentials"):
        impostor.create_payment(order("f" * 32), description="x", return_url=RETURN_URL)
    with pytest.raises(PaymentRefused, match="HTTP 401"):
        impostor.refund(payment_id, amount_minor=100, currency="RUB", key="r")
    with pytest.raises(DeliveryFailed, match="HTTP 401"):  # the port: "cannot be asked"
        impostor.payment(payment_id)
    assert len(fake.requests) == 1 + 3  # our create; each refusal asked once, not retried
    assert len(fake.payments) == 1 and fake.refunds == {}


def test_server_errors_are_retried_with_the_same_key_then_succeed(fake: FakeYooKassa) -> None:
    fake.fail(500, times=2, on="create")

    payment = gateway(fake).create_payment(order(), description="10 pages", return_url=RETURN_URL)

    assert [r.status for r in fake.requests_to("create")] == [500, 500, 200]
    assert fake.idempotence_keys == [ORDER_ID] * 3
    assert list(fake.payments) == [payment.payment_id]


@pytest.mark.parametrize("status", [500, 502, 503, 429, 202])
def test_a_server_that_keeps_failing_is_delivery_failed_after_the_attempts(
    fake: FakeYooKassa, status: int
) -> None:
    fake.fail(status, times=None)
    shop = gateway(fake, attempts=3, backoff=0.05, budget=5.0)

    started = time.monotonic()
    with pytest.raises(DeliveryFailed, match=f"HTTP {status}"):
        shop.create_payment(order(), description="10 pages", return_url=RETURN_URL)
    with pytest.raises(DeliveryFailed, match=f"HTTP {status}"):
        shop.payment("2d9a1f3c-000f-5000-8000-1b8f2e4c7a90")

    assert time.monotonic() - started < 2.0
    assert len(fake.requests_to("create")) == 3 and len(fake.requests_to("get")) == 3
    assert fake.payments == {}


def test_yookassas_retry_after_is_the_wait_while_it_is_processing(fake: FakeYooKassa) -> None:
    fake.fail(202, on="create", retry_after_ms=1500)
    slept: list[float] = []
    shop = YooKassaGateway(SHOP, SECRET, api_url=fake.api_url, backoff=0.01, sleep=slept.append)

    shop.create_payment(order(), description="10 pages", return_url=RETURN_URL)

    assert slept == [1.5]
    assert [r.status for r in fake.requests_to("create")] == [202, 200]


def test_no_try_starts_past_the_budget(fake: FakeYooKassa) -> None:
    fake.fail(500, times=None)
    shop = gateway(fake, budget=1.0, attempts=5, backoff=0.4)

    started = time.monotonic()
    with pytest.raises(DeliveryFailed):
        shop.create_payment(order(), description="10 pages", return_url=RETURN_URL)

    # a try, 0.4 s, a try; the next wait (0.8 s) would end past the budget: given up at once
    assert len(fake.requests) == 2
    assert time.monotonic() - started < 0.8


def test_a_refused_connection_is_delivery_failed_quickly() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/v3"
    shop = gateway(closed)

    started = time.monotonic()
    with pytest.raises(DeliveryFailed, match="unreachable: POST /payments: ConnectionError"):
        shop.create_payment(order(), description="10 pages", return_url=RETURN_URL)
    with pytest.raises(DeliveryFailed, match="unreachable"):
        shop.payment("2d9a1f3c-000f-5000-8000-1b8f2e4c7a90")
    with pytest.raises(DeliveryFailed, match="unreachable"):
        shop.refund("2d9a1f3c-000f-5000-8000-1b8f2e4c7a90", amount_minor=1, currency="RUB", key="r")
    assert time.monotonic() - started < 2.0


def test_dropped_connections_are_delivery_failed(fake: FakeYooKassa) -> None:
    fake.drop(times=None)
    with pytest.raises(DeliveryFailed, match="unreachable"):
        gateway(fake).create_payment(order(), description="10 pages", return_url=RETURN_URL)
    assert [r.status for r in fake.requests] == [None, None, None]
    assert fake.payments == {}


def test_a_stalled_server_is_given_up_within_the_budget(fake: FakeYooKassa) -> None:
    fake.stall(30, times=None)
    shop = gateway(fake, timeout=0.3, budget=0.8, attempts=5, backoff=0.05)

    started = time.monotonic()
    with pytest.raises(DeliveryFailed, match="Timeout"):
        shop.payment("2d9a1f3c-000f-5000-8000-1b8f2e4c7a90")
    assert time.monotonic() - started < 1.5


def test_the_secret_key_appears_in_no_error_log_or_repr(
    fake: FakeYooKassa, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    token = base64.b64encode(f"{SHOP}:{SECRET}".encode()).decode("ascii")
    shop = gateway(fake)
    payment_id = paid_payment(fake, shop)
    fake.fail(400, on="refund", description=f"bad request from {SECRET} ({token})")
    fake.fail(500, times=2, on="get")
    fake.drop(on="get")
    texts = [repr(shop)]
    calls: list[Callable[[], object]] = [
        lambda: shop.refund(payment_id, amount_minor=100, currency="RUB", key="r"),
        lambda: shop.payment(payment_id),
        lambda: gateway(fake, secret=SECRET + "x").create_payment(
            order("e" * 32), description="x", return_url=RETURN_URL
        ),
    ]
    for attempt in calls:
        with pytest.raises((PaymentRefused, DeliveryFailed)) as caught:
            attempt()
        texts += [str(caught.value), repr(caught.value)]
        assert caught.value.__cause__ is None and caught.value.__suppress_context__
    out, err = capsys.readouterr()
    texts += [caplog.text, out, err]

    assert "bad request from *** (***)" in texts[1]  # YooKassa's words, our secrets scrubbed
    assert "retrying" in caplog.text  # the retries were logged...
    for text in texts:  # ...and nothing anywhere holds the key or the Basic token
        assert SECRET not in text
        assert token not in text


def test_the_sdks_global_configuration_is_never_touched(fake: FakeYooKassa) -> None:
    before = (yookassa.Configuration.account_id, yookassa.Configuration.secret_key)
    with FakeYooKassa(shop_id="200600", secret_key="test_other") as other:
        mine = gateway(fake)
        theirs = YooKassaGateway("200600", "test_other", api_url=other.api_url + "/")
        one = mine.create_payment(order(), description="a", return_url=RETURN_URL)
        two = theirs.create_payment(order(), description="b", return_url=RETURN_URL)
        assert list(fake.payments) == [one.payment_id]
        assert list(other.payments) == [two.payment_id]
        assert other.payments[two.payment_id]["recipient"]["account_id"] == "200600"
    assert (yookassa.Configuration.account_id, yookassa.Configuration.secret_key) == before
    assert yookassa.Configuration.api_url == DEFAULT_API_URL


def test_the_fakes_notification_is_what_the_sdk_reads(fake: FakeYooKassa) -> None:
    shop = gateway(fake)
    payment_id = paid_payment(fake, shop)

    body = fake.notification(payment_id)
    parsed = WebhookNotificationFactory().create(body)

    assert (body["type"], body["event"]) == ("notification", "payment.succeeded")
    assert parsed.object.id == payment_id
    assert parsed.object.metadata["order_id"] == ORDER_ID
    assert parsed.object.amount.value == Decimal("149.00")


def test_the_fake_refuses_what_yookassa_refuses(fake: FakeYooKassa) -> None:
    payments = fake.api_url + "/payments"
    body = {"amount": {"value": "10.00", "currency": "RUB"}, "capture": True}
    auth = (SHOP, SECRET)

    no_auth = requests.post(payments, json=body, headers={"Idempotence-Key": "k"}, timeout=5)
    no_key = requests.post(payments, json=body, auth=auth, timeout=5)
    first = requests.post(
        payments, json=body, auth=auth, headers={"Idempotence-Key": "k"}, timeout=5
    )
    changed = {**body, "amount": {"value": "11.00", "currency": "RUB"}}
    reused = requests.post(
        payments, json=changed, auth=auth, headers={"Idempotence-Key": "k"}, timeout=5
    )
    float_cents = requests.post(
        payments,
        json={**body, "amount": {"value": "10.001", "currency": "RUB"}},
        auth=auth,
        headers={"Idempotence-Key": "k2"},
        timeout=5,
    )

    assert (no_auth.status_code, no_auth.json()["code"]) == (401, "invalid_credentials")
    assert (no_key.status_code, no_key.json()["parameter"]) == (400, "Idempotence-Key")
    assert first.status_code == 200 and first.json()["status"] == "pending"
    assert (reused.status_code, reused.json()["description"]) == (400, "Idempotence key duplicated")
    assert (float_cents.status_code, float_cents.json()["parameter"]) == (400, "amount.value")
    assert len(fake.payments) == 1
