"""Card payments in `paintbot run` as a process (long polling, no public URL): the real yookassa
SDK against the fake YooKassa API, the periodic poll every 5 s and the «Проверить оплату» button
crediting through one code path, exactly once; a crash between the order and its payment; the
provider failing; and the settings that stop start-up.

The poll and button tests share one process (each with its own buyer); the crash test kills its
own. Every output of every process is searched for the shop's secret key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.fake_telegram import FakeBotAPI
from support.fake_yookassa import FakeYooKassa
from support.redis_server import free_port
from support.yookassa_e2e import (
    PAY_TEXT,
    RECEIPT,
    SECRET_KEY,
    SHOP_ID,
    CardShop,
    new_shop,
    webhook_settings,
)

pytestmark = pytest.mark.slow
POLL_SECONDS = 5
PENDING = "Оплата ещё не поступила"
UNAVAILABLE = "Оплата картой сейчас недоступна"


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
    running = new_shop(
        telegram, yookassa, tmp_path_factory.mktemp("yookassa-run"), poll_seconds=POLL_SECONDS
    )
    try:
        running.bot()
        yield running
    finally:
        running.stop_all()
    assert running.processes["bot"].returncode == 0, running.log("bot")
    assert not running.leaks(), running.leaks()


@pytest.fixture
def bot(shop: CardShop) -> CardShop:
    """The shared process, started again if a test before left it dead."""
    if shop.processes["bot"].poll() is not None:
        shop.bot()
    return shop


def test_the_poller_credits_a_paid_order_without_any_notification(
    bot: CardShop, yookassa: FakeYooKassa, telegram: FakeBotAPI
) -> None:
    user = 1651
    bot.started(user)
    order = bot.order_by_card(user, 10)
    assert order.state == "pending" and order.payment_id in yookassa.payments
    # Unpaid, it is asked about every period and nothing happens.
    assert telegram.wait_for(lambda _: asked(yookassa, order.payment_id) >= 1, 3 * POLL_SECONDS)
    assert bot.credits(user) == (10, 0, 0)

    yookassa.succeed(order.payment_id)
    bot.wait_said(user, RECEIPT, timeout=3 * POLL_SECONDS)
    assert bot.credits(user) == (10, 10, 0) and bot.checkout_order(order.order_id).state == "paid"
    assert bot.wait_log("bot", "checkout orders settled by polling")
    # Paid, it is not asked about again; nor credited, nor announced twice.
    seen = asked(yookassa, order.payment_id)
    telegram.push_text(user, "/balance")
    bot.wait_said(user, "Бесплатных раскрасок: 10, купленных: 10")
    assert not telegram.wait_for(
        lambda _: asked(yookassa, order.payment_id) > seen, POLL_SECONDS + 1
    )
    assert bot.said_count(user, RECEIPT) == 1 and bot.purchases(user) == 1


def test_the_check_button_says_pending_then_credits_once_while_the_poller_finds_it_too(
    bot: CardShop, yookassa: FakeYooKassa, telegram: FakeBotAPI
) -> None:
    user = 1652
    bot.started(user)
    order = bot.order_by_card(user, 30)
    [_, [check]] = bot.last_keyboard(user)
    bot.press(user, check["callback_data"])
    bot.wait_said(user, PENDING)
    assert bot.credits(user) == (10, 0, 0)
    stranger = 1656  # someone else's order: not theirs to ask about
    bot.started(stranger)
    answers = len(telegram.sent_to(stranger))
    bot.press(stranger, check["callback_data"])
    assert telegram.wait_for(lambda f: len(f.sent_to(stranger)) > answers)
    [answer] = telegram.sent_to(stranger)[answers:]
    assert answer.method == "answerCallbackQuery" and PENDING not in str(answer.params)

    # The poller's next look is held at YooKassa while the buyer, having paid, presses the
    # button: both find the payment succeeded, one credits it and tells the buyer.
    yookassa.succeed(order.payment_id)
    yookassa.stall(4.0, on="get")
    held = asked(yookassa, order.payment_id)
    assert telegram.wait_for(lambda _: asked(yookassa, order.payment_id) > held, 3 * POLL_SECONDS)
    assert in_flight(yookassa, order.payment_id), "the poller's request is held"
    bot.press(user, check["callback_data"])
    bot.wait_said(user, RECEIPT)
    assert bot.credits(user) == (10, 30, 0)
    assert telegram.wait_for(lambda _: not in_flight(yookassa, order.payment_id), 10)
    telegram.push_text(user, "/balance")  # the poller has settled its look by now
    bot.wait_said(user, "купленных: 30")
    assert bot.said_count(user, RECEIPT) == 1 and bot.purchases(user) == 1

    bot.press(user, check["callback_data"])  # pressed again later
    bot.wait_said(user, "Этот заказ уже оплачен")
    assert bot.said_count(user, RECEIPT) == 1 and bot.credits(user) == (10, 30, 0)


def test_the_provider_failing_the_create_tells_the_buyer_and_keeps_nothing(
    bot: CardShop, yookassa: FakeYooKassa, telegram: FakeBotAPI
) -> None:
    user = 1653
    bot.started(user)
    creates = len(yookassa.requests_to("create"))
    yookassa.fail(500, times=3, on="create")
    telegram.push_callback(user, "paycard:10")
    bot.wait_said(user, UNAVAILABLE)

    [order] = bot.orders(user)
    assert (order.state, order.payment_id) == ("new", "")
    tries = yookassa.requests_to("create")[creates:]
    assert [(r.idempotence_key, r.status) for r in tries] == [(order.order_id, 500)] * 3
    assert not [
        p for p in yookassa.payments.values() if p["metadata"]["order_id"] == order.order_id
    ]
    assert not bot.said_count(user, PAY_TEXT) and bot.credits(user) == (10, 0, 0)

    again = bot.order_by_card(user, 10)  # YooKassa is back: the next try works
    assert again.order_id != order.order_id and again.state == "pending"
    assert bot.checkout_order(order.order_id).state == "new" and bot.credits(user) == (10, 0, 0)


def test_a_crash_between_the_order_and_its_payment_leaves_a_new_order_and_nothing_credited(
    yookassa: FakeYooKassa, tmp_path: Path
) -> None:
    with FakeBotAPI() as telegram:
        shop = new_shop(telegram, yookassa, tmp_path, poll_seconds=POLL_SECONDS)
        try:
            crash_and_buy_again(shop, yookassa, telegram)
        finally:
            shop.stop_all()
        assert not shop.leaks(), shop.leaks()


def crash_and_buy_again(shop: CardShop, yookassa: FakeYooKassa, telegram: FakeBotAPI) -> None:
    user = 1654
    shop.bot()
    shop.started(user)
    creates = len(yookassa.requests_to("create"))
    yookassa.stall(60.0, on="create")  # YooKassa takes its time: the bot waits for it...
    telegram.push_callback(user, "paycard:10")
    assert telegram.wait_for(lambda _: len(yookassa.requests_to("create")) > creates, 15)
    shop.kill("bot")  # ...and is killed meanwhile
    [stalled] = yookassa.requests_to("create")[creates:]

    [order] = shop.orders(user)
    assert (order.state, order.payment_id, order.pages, order.price) == ("new", "", 10, 149)
    assert stalled.idempotence_key == order.order_id
    assert stalled.json["metadata"]["order_id"] == order.order_id
    assert not shop.said_count(user, PAY_TEXT)

    shop.bot()  # restarted: nothing credited, the order still NEW, and buying works
    assert shop.credits(user) == (10, 0, 0) and not shop.payments(user)
    assert shop.checkout_order(order.order_id).state == "new"
    telegram.push_text(user, "/balance")
    shop.wait_said(user, "Бесплатных раскрасок: 10, купленных: 0")
    bought = shop.order_by_card(user, 10)
    assert bought.order_id != order.order_id
    yookassa.succeed(bought.payment_id)
    shop.wait_said(user, RECEIPT, timeout=3 * POLL_SECONDS)
    assert shop.credits(user) == (10, 10, 0) and shop.purchases(user) == 1
    assert shop.checkout_order(order.order_id).state == "new"
    assert shop.stop("bot") == 0, shop.log("bot")
    shop.ledger_verified()


@pytest.mark.parametrize("mode", ["run", "webhook"])
@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "YOOKASSA_SECRET_KEY: Value error, required with YOOKASSA_SHOP_ID"),
        ("live-" + SECRET_KEY, "YOOKASSA_SECRET_KEY: Value error, must look like live_..."),
    ],
    ids=["missing", "malformed"],
)
def test_a_shop_id_without_a_valid_secret_key_stops_start_up_naming_it(
    yookassa: FakeYooKassa, tmp_path: Path, mode: str, key: str | None, message: str
) -> None:
    with FakeBotAPI() as telegram:
        shop = new_shop(telegram, yookassa, tmp_path, poll_seconds=POLL_SECONDS)
        shop.settings |= webhook_settings(free_port())
        if key is None:
            del shop.settings["YOOKASSA_SECRET_KEY"]
        else:
            shop.settings["YOOKASSA_SECRET_KEY"] = key
        process = shop.start(mode, mode)
        assert process.wait(timeout=60) == 2
        output = shop.log(mode)
        [header, named] = output.splitlines()  # one message, naming the one variable
        assert header == "Invalid settings:" and named.strip().startswith(message), output
        assert not telegram.calls, "nothing reached Telegram"
        assert not shop.leaks(), shop.leaks()


def asked(yookassa: FakeYooKassa, payment_id: str) -> int:
    """How many times the payment was read from the API (answered or not yet)."""
    return sum(r.path == f"/v3/payments/{payment_id}" for r in yookassa.requests_to("get"))


def in_flight(yookassa: FakeYooKassa, payment_id: str) -> bool:
    path = f"/v3/payments/{payment_id}"
    return any(r.path == path and r.status is None for r in yookassa.requests_to("get"))
