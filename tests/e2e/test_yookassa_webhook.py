"""Card payments in `paintbot webhook` as a process: the real yookassa SDK against the fake
YooKassa API, updates delivered by the fake Bot API's webhook, and YooKassa's notifications
POSTed to the bot's own notification URL (as `paintbot yookassa url` prints it).

One process serves the module (each test with its own buyers; the IP check's test runs its own);
its periodic poll is set to an hour, so whatever is credited here was credited by a notification
(or by the command a test runs), and every request the fake YooKassa sees while a test posts
comes from that post. Every output of every process is searched for the shop's secret key."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from support.fake_telegram import FakeBotAPI
from support.fake_yookassa import FakeYooKassa, RecordedRequest
from support.redis_server import free_port
from support.telegram_world import ADMIN
from support.yookassa_e2e import (
    RECEIPT,
    SECRET_KEY,
    SHOP_ID,
    CardShop,
    new_shop,
    notify,
    webhook_settings,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def yookassa() -> Iterator[FakeYooKassa]:
    with FakeYooKassa(shop_id=SHOP_ID, secret_key=SECRET_KEY) as fake:
        yield fake


@pytest.fixture(scope="module")
def telegram() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as fake:
        yield fake


@pytest.fixture(scope="module")
def shop(
    telegram: FakeBotAPI, yookassa: FakeYooKassa, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CardShop]:
    folder = tmp_path_factory.mktemp("yookassa-webhook")
    running = new_shop(telegram, yookassa, folder, poll_seconds=3600)
    running.settings |= webhook_settings(free_port())
    try:
        running.webhook()
        yield running
    finally:
        running.stop_all()
    assert running.processes["webhook"].returncode == 0, running.log("webhook")
    assert not running.leaks(), running.leaks()
    token = running.notification.rpartition("token=")[2]
    assert token not in running.log("webhook"), "the URL's token is a credential too"


@pytest.fixture
def url(shop: CardShop) -> str:
    """The notification URL, the process serving it (restarted if a test before left it dead)."""
    if shop.processes["webhook"].poll() is not None:
        shop.webhook()
    return shop.notification


def test_a_purchase_by_notification_is_credited_once_even_delivered_again_after_a_restart(
    shop: CardShop, yookassa: FakeYooKassa, telegram: FakeBotAPI, url: str
) -> None:
    user = 1601
    shop.started(user)
    order = shop.order_by_card(user, 10)
    assert (order.state, order.pages, order.price, order.currency) == ("pending", 10, 149, "RUB")

    [create] = [r for r in yookassa.requests_to("create") if r.idempotence_key == order.order_id]
    assert create.json["amount"] == {"value": "149.00", "currency": "RUB"}
    assert create.json["capture"] is True
    assert create.json["metadata"]["order_id"] == order.order_id
    assert create.json["confirmation"] == {
        "type": "redirect",
        "return_url": "https://t.me/paint_test_bot",
    }
    payment = yookassa.payments[order.payment_id]
    assert order.confirmation_url == payment["confirmation"]["confirmation_url"]
    [[pay], [check]] = shop.last_keyboard(user)
    assert pay == {"text": "Оплатить 149 ₽", "url": order.confirmation_url}
    assert check == {"text": "Проверить оплату", "callback_data": f"paycheck:{order.order_id}"}
    assert shop.credits(user) == (10, 0, 0)

    yookassa.succeed(order.payment_id)
    body = yookassa.notification(order.payment_id)
    assert notify(url, body) == 200
    # 200 only once stored: the pages are in the file the moment the answer arrives.
    assert shop.credits(user) == (10, 10, 0)
    assert shop.checkout_order(order.order_id).state == "paid"
    assert shop.payments(user) == [
        (f"yookassa:{order.payment_id}", "yookassa", 10, 149, "RUB", "paid")
    ]
    shop.wait_said(user, RECEIPT)
    [receipt] = [t for t in telegram.texts_to(user) if RECEIPT in t]
    assert "Оплата получена, спасибо! Добавлено: 10 раскрасок" in receipt

    assert notify(url, body) == 200  # YooKassa delivers it again
    assert shop.stop("webhook") == 0
    shop.webhook()  # a restart; and then once more
    assert notify(url, body) == 200
    telegram.push_text(user, "/balance")
    shop.wait_said(user, "Бесплатных раскрасок: 10, купленных: 10")
    assert shop.said_count(user, RECEIPT) == 1, telegram.texts_to(user)
    assert shop.credits(user) == (10, 10, 0) and shop.purchases(user) == 1
    assert len(yookassa.requests_to("create")) >= 1
    shop.ledger_verified()


def test_notifications_delivered_at_once_credit_and_tell_once(
    shop: CardShop, yookassa: FakeYooKassa, telegram: FakeBotAPI, url: str
) -> None:
    user = 1609
    shop.started(user)
    order = shop.order_by_card(user, 10)
    yookassa.succeed(order.payment_id)
    body = yookassa.notification(order.payment_id)
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: notify(url, body), range(8)))
    assert statuses == [200] * 8
    assert shop.credits(user) == (10, 10, 0) and shop.purchases(user) == 1
    shop.wait_said(user, RECEIPT)
    telegram.push_text(user, "/balance")
    shop.wait_said(user, "купленных: 10")
    assert shop.said_count(user, RECEIPT) == 1, telegram.texts_to(user)


def test_forged_notifications_credit_nothing_and_wrong_tokens_cost_no_api_call(
    shop: CardShop, yookassa: FakeYooKassa, telegram: FakeBotAPI, url: str
) -> None:
    user = 1602
    shop.started(user)
    order = shop.order_by_card(user, 10)
    forged = copy.deepcopy(yookassa.notification(order.payment_id, "payment.succeeded"))
    forged["object"].update(status="succeeded", paid=True)  # the body lies; the API says pending
    base = url.split("?", 1)[0]
    asked = len(yookassa.requests)

    # Wrong or missing token: turned away before anything is read or asked.
    assert notify(base, forged) == 403
    assert notify(base + "?token=", forged) == 403
    assert notify(base + "?token=" + "0" * 40, forged) == 403
    assert notify(url.replace("token=", "token=x"), forged) == 403
    assert len(yookassa.requests) == asked, "no API call for a caller without the token"

    # Bodies that are not YooKassa notifications: refused, nothing asked either.
    not_ours = {"type": "notification", "event": "payment.succeeded", "object": {}}
    bad_id = {**not_ours, "object": {"id": "../payments/" + order.payment_id}}
    cases = [
        (b"{not json", "application/json", 400),
        (b"\xff\xfe", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b"", "application/json", 400),
        (forged, "text/plain", 415),
        (forged, "application/x-www-form-urlencoded", 415),
        (b"{" + b" " * (70 << 10) + b"}", "application/json", 413),
        (not_ours, "application/json", 400),
        (bad_id, "application/json", 400),
        ({**forged, "event": "payment.stolen"}, "application/json", 400),
        ({**forged, "type": "notice"}, "application/json", 400),
    ]
    refused = len(shop.events("webhook", "yookassa notification refused"))
    for body, content_type, status in cases:
        assert notify(url, body, content_type=content_type) == status, (body, content_type)
    assert len(yookassa.requests) == asked, "no API call for a malformed body"
    assert shop.wait_log("webhook", "yookassa notification refused", refused + len(cases))

    # A payment YooKassa does not know (a valid id): asked, refused, nothing credited.
    unknown = yookassa.notification(order.payment_id, "payment.succeeded")
    unknown["object"]["id"] = str(uuid.uuid4())
    assert notify(url, unknown) == 404
    assert [r.path for r in yookassa.requests[asked:]] == [
        f"/v3/payments/{unknown['object']['id']}"
    ]

    # A known payment the body calls succeeded while the API says pending: nothing changes.
    assert notify(url, forged) == 200
    assert yookassa.requests[-1].path == f"/v3/payments/{order.payment_id}"
    assert shop.checkout_order(order.order_id).state == "pending"
    assert shop.credits(user) == (10, 0, 0) and not shop.payments(user)

    alive = requests.get(url.split("/yookassa", 1)[0] + "/healthz", timeout=5)
    assert alive.status_code == 200 and shop.processes["webhook"].poll() is None

    # The same order, really paid now, is credited by its real notification.
    yookassa.succeed(order.payment_id)
    assert notify(url, yookassa.notification(order.payment_id)) == 200
    assert shop.credits(user) == (10, 10, 0)
    shop.wait_said(user, RECEIPT)
    assert shop.said_count(user, RECEIPT) == 1


def test_a_cancelled_payment_is_told_plainly_and_credits_nothing(
    shop: CardShop, yookassa: FakeYooKassa, telegram: FakeBotAPI, url: str
) -> None:
    user = 1603
    shop.started(user)
    order = shop.order_by_card(user, 30)
    yookassa.cancel(order.payment_id, reason="insufficient_funds")
    body = yookassa.notification(order.payment_id)
    assert body["event"] == "payment.canceled"

    assert notify(url, body) == 200
    assert shop.checkout_order(order.order_id).state == "canceled"
    shop.wait_said(user, "Оплата не прошла")
    [told] = [t for t in telegram.texts_to(user) if "Оплата не прошла" in t]
    assert "недостаточно средств" in told and "деньги не списаны" in told

    assert notify(url, body) == 200  # delivered again: nothing said twice
    shop.press(user, f"paycheck:{order.order_id}")  # and the button tells the same
    shop.wait_said(user, "Оплата не прошла", 2)
    assert shop.credits(user) == (10, 0, 0) and not shop.payments(user)
    assert not shop.said_count(user, RECEIPT)


@pytest.mark.parametrize(
    ("value", "currency"), [("1.00", "RUB"), ("149.00", "USD")], ids=["amount", "currency"]
)
def test_a_payment_not_matching_its_order_is_refunded_and_the_admin_told(
    shop: CardShop,
    yookassa: FakeYooKassa,
    telegram: FakeBotAPI,
    url: str,
    value: str,
    currency: str,
) -> None:
    user = 1604 if currency == "RUB" else 1605
    shop.started(user)
    order = shop.order_by_card(user, 10)
    yookassa.set_amount(order.payment_id, value, currency)
    yookassa.succeed(order.payment_id)
    body = yookassa.notification(order.payment_id)

    assert notify(url, body) == 200
    [refund] = refunds_of(yookassa, order.payment_id)
    assert refund["amount"] == {"value": value, "currency": currency}
    [asked] = refund_requests(yookassa, order.payment_id)
    assert asked.idempotence_key == f"reject-{order.order_id}"
    assert shop.checkout_order(order.order_id).state == "rejected"
    assert shop.credits(user) == (10, 0, 0) and not shop.payments(user)
    shop.wait_said(user, "Платёж не совпал с заказом")
    shop.wait_said(ADMIN, f"платёж {order.payment_id} пользователя {user} не засчитан")

    assert notify(url, body) == 200  # delivered again: no second refund, nothing said twice
    refunds = refunds_of(yookassa, order.payment_id)
    assert len(refunds) == 1
    assert shop.said_count(user, "Платёж не совпал") == 1
    assert shop.said_count(ADMIN, order.payment_id) == 1
    assert not shop.said_count(user, RECEIPT)


def test_yookassa_failing_mid_notification_is_answered_so_that_it_is_delivered_again(
    shop: CardShop, yookassa: FakeYooKassa, telegram: FakeBotAPI, url: str
) -> None:
    user = 1610
    shop.started(user)
    paid = shop.order_by_card(user, 10)
    yookassa.succeed(paid.payment_id)
    yookassa.fail(500, times=3, on="get")  # the payment cannot be read back now
    assert notify(url, yookassa.notification(paid.payment_id)) == 503
    assert shop.credits(user) == (10, 0, 0)
    assert shop.checkout_order(paid.order_id).state == "pending"
    assert notify(url, yookassa.notification(paid.payment_id)) == 200  # YooKassa's retry
    assert shop.credits(user) == (10, 10, 0)
    shop.wait_said(user, RECEIPT)

    wrong = shop.order_by_card(user, 10)
    yookassa.set_amount(wrong.payment_id, "100.00")
    yookassa.succeed(wrong.payment_id)
    yookassa.fail(500, times=3, on="refund")  # and its money cannot be given back now
    assert notify(url, yookassa.notification(wrong.payment_id)) == 500
    assert shop.checkout_order(wrong.order_id).state == "pending", "open: the refund is tried again"
    shop.wait_said(ADMIN, f"платёж {wrong.payment_id} пользователя {user} не засчитан")
    [alert] = [t for t in telegram.texts_to(ADMIN) if wrong.payment_id in t]
    assert "возврат не прошёл" in alert
    assert not refunds_of(yookassa, wrong.payment_id)

    assert notify(url, yookassa.notification(wrong.payment_id)) == 200  # YooKassa's retry
    [refund] = refunds_of(yookassa, wrong.payment_id)
    assert refund["amount"] == {"value": "100.00", "currency": "RUB"}
    assert shop.checkout_order(wrong.order_id).state == "rejected"
    shop.wait_said(user, "Платёж не совпал с заказом")
    assert shop.credits(user) == (10, 10, 0) and shop.purchases(user) == 1
    assert shop.said_count(user, RECEIPT) == 1


def test_a_buyer_banned_before_paying_gets_the_money_back_not_the_pages(
    shop: CardShop, yookassa: FakeYooKassa, telegram: FakeBotAPI, url: str
) -> None:
    user = 1608
    shop.started(user)
    order = shop.order_by_card(user, 10)
    shop.started(ADMIN)
    telegram.push_text(ADMIN, f"/ban {user}")
    shop.wait_said(ADMIN, "Заблокирован")
    yookassa.succeed(order.payment_id)

    assert notify(url, yookassa.notification(order.payment_id)) == 200
    [refund] = refunds_of(yookassa, order.payment_id)
    assert refund["amount"] == {"value": "149.00", "currency": "RUB"}
    settled = shop.checkout_order(order.order_id)
    assert (settled.state, settled.reason) == ("rejected", "banned")
    assert shop.credits(user) == (10, 0, 0) and not shop.payments(user)
    shop.wait_said(
        ADMIN,
        f"платёж {order.payment_id} пользователя {user} не засчитан (пользователь заблокирован)",
    )
    shop.wait_said(user, "Покупки для этого аккаунта недоступны, поэтому деньги возвращены")


def test_an_admin_refund_gives_the_money_back_through_yookassa_and_takes_the_pages(
    shop: CardShop, yookassa: FakeYooKassa, telegram: FakeBotAPI, url: str
) -> None:
    user = 1606
    shop.started(user)
    order = shop.order_by_card(user, 10)
    yookassa.succeed(order.payment_id)
    assert notify(url, yookassa.notification(order.payment_id)) == 200
    assert shop.credits(user) == (10, 10, 0)
    shop.started(ADMIN)

    charge = f"yookassa:{order.payment_id}"
    telegram.push_text(ADMIN, f"/refund {charge}")
    shop.wait_said(ADMIN, f"Платёж {charge} возвращён: 149 RUB")
    [refund] = refunds_of(yookassa, order.payment_id)
    assert refund["amount"] == {"value": "149.00", "currency": "RUB"}
    [asked] = refund_requests(yookassa, order.payment_id)
    assert asked.idempotence_key == f"refund:{charge}"
    assert shop.credits(user) == (10, 0, 0)
    assert shop.payments(user) == [(charge, "yookassa", 10, 149, "RUB", "refunded")]
    shop.wait_said(user, "Платёж возвращён: 149 ₽")

    asked_before = len(yookassa.requests_to("refund"))
    telegram.push_text(ADMIN, f"/refund {charge}")  # again: told, nothing moves
    shop.wait_said(ADMIN, f"Платёж {charge} уже возвращён")
    assert len(yookassa.requests_to("refund")) == asked_before
    assert refunds_of(yookassa, order.payment_id) == [refund]
    assert shop.credits(user) == (10, 0, 0)
    shop.ledger_verified()


def test_paintbot_yookassa_poll_settles_what_no_notification_announced(
    shop: CardShop, yookassa: FakeYooKassa, telegram: FakeBotAPI, url: str
) -> None:
    user = 1607
    shop.started(user)
    order = shop.order_by_card(user, 10)
    yookassa.succeed(order.payment_id)  # and the notification never comes

    done = shop.cli("yookassa", "poll")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "orders settled now: 1;" in done.stdout
    assert shop.credits(user) == (10, 10, 0) and shop.checkout_order(order.order_id).state == "paid"
    shop.wait_said(user, RECEIPT)
    assert notify(url, yookassa.notification(order.payment_id)) == 200  # the late notification
    assert shop.cli("yookassa", "poll").stdout.startswith("orders settled now: 0;")
    telegram.push_text(user, "/balance")
    shop.wait_said(user, "купленных: 10")
    assert shop.said_count(user, RECEIPT) == 1


def test_with_the_ip_check_only_yookassas_addresses_behind_the_local_proxy_are_heard(
    yookassa: FakeYooKassa, tmp_path: Path
) -> None:
    with FakeBotAPI() as telegram:
        shop = new_shop(telegram, yookassa, tmp_path, poll_seconds=3600)
        shop.settings |= webhook_settings(free_port()) | {"PAINTBOT_YOOKASSA_CHECK_IP": "true"}
        try:
            shop.webhook()
            url = shop.notification
            user = 1611
            shop.started(user)
            order = shop.order_by_card(user, 10)
            yookassa.succeed(order.payment_id)
            body = yookassa.notification(order.payment_id)
            asked = len(yookassa.requests)

            def post(forwarded_for: str | None) -> int:
                headers = {"Content-Type": "application/json"}
                if forwarded_for is not None:  # as the reverse proxy on this machine adds it
                    headers["X-Forwarded-For"] = forwarded_for
                return requests.post(url, json=body, headers=headers, timeout=30).status_code

            assert post(None) == 403  # the proxy's own address is not YooKassa's
            assert post("203.0.113.7") == 403
            assert post("185.71.76.5, 203.0.113.7") == 403  # a client claiming YooKassa's
            assert len(yookassa.requests) == asked and shop.credits(user) == (10, 0, 0)
            assert post("203.0.113.7, 185.71.76.5") == 200  # the last hop is YooKassa
            assert shop.credits(user) == (10, 10, 0)
            shop.wait_said(user, RECEIPT)
        finally:
            shop.stop_all()
        assert not shop.leaks(), shop.leaks()


def refunds_of(yookassa: FakeYooKassa, payment_id: str) -> list[dict[str, Any]]:
    return [r for r in yookassa.refunds.values() if r["payment_id"] == payment_id]


def refund_requests(yookassa: FakeYooKassa, payment_id: str) -> list[RecordedRequest]:
    return [r for r in yookassa.requests_to("refund") if r.json["payment_id"] == payment_id]
