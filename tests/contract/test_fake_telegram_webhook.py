"""The fake Bot API's webhooks, driven by the real telebot: setWebhook is recorded, getUpdates is
refused while it is set, and updates are POSTed to it as Telegram does, again until a 2xx."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import telebot
from telebot import apihelper

from adapters.telegram import make_bot
from support.fake_telegram import FakeBotAPI


class Receiver(ThreadingHTTPServer):
    """A webhook that records what it is sent and answers 500 to the first `failures` requests."""

    daemon_threads = True

    def __init__(self, failures: int = 0) -> None:
        self.received: list[tuple[dict[str, object], str | None]] = []
        self.failures = failures
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/hook"


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.lock:
            self.server.received.append((body, self.headers["X-Telegram-Bot-Api-Secret-Token"]))
            failing = self.server.failures > 0
            self.server.failures -= 1
        self.send_response(500 if failing else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


@pytest.fixture
def bot(fake: FakeBotAPI) -> telebot.TeleBot:
    return make_bot(fake.token, fake.base_url)


def receiving(failures: int = 0) -> Receiver:
    receiver = Receiver(failures)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    return receiver


def test_set_webhook_is_recorded_and_reported(fake: FakeBotAPI, bot: telebot.TeleBot) -> None:
    bot.set_webhook(
        url="https://bot.example.com/hook",
        secret_token="s3cret",
        allowed_updates=["message", "callback_query"],
        drop_pending_updates=False,
    )
    assert fake.webhook.info() == {
        "url": "https://bot.example.com/hook",
        "secret_token": "s3cret",
        "allowed_updates": ["message", "callback_query"],
        "max_connections": 40,
    }
    info = bot.get_webhook_info()
    assert info.url == "https://bot.example.com/hook"
    assert info.allowed_updates == ["message", "callback_query"]
    with pytest.raises(apihelper.ApiTelegramException) as refused:
        bot.get_updates(timeout=1, long_polling_timeout=1)
    assert refused.value.error_code == 409 and "webhook is active" in refused.value.description
    bot.delete_webhook()
    assert fake.webhook.info()["url"] == "" and fake.webhook_deleted
    assert bot.get_updates(timeout=1, long_polling_timeout=1) == []


def test_a_secret_telegram_would_refuse_is_refused(fake: FakeBotAPI, bot: telebot.TeleBot) -> None:
    with pytest.raises(apihelper.ApiTelegramException) as refused:
        bot.set_webhook(url="https://bot.example.com/hook", secret_token="no spaces")
    assert refused.value.error_code == 400 and fake.webhook.info()["url"] == ""


def test_updates_are_posted_with_the_secret_and_retried_until_answered(
    fake: FakeBotAPI, bot: telebot.TeleBot
) -> None:
    receiver = receiving(failures=2)
    fake.webhook.retry_seconds = 0.05
    try:
        first = fake.push_text(42, "/start")
        bot.set_webhook(url=receiver.url, secret_token="s3cret")
        second = fake.push_text(42, "hello")
        assert fake.wait_for(lambda f: not f.pending_updates)
        ids = [body["update_id"] for body, _ in receiver.received]
        assert ids == [first, first, first, second]  # twice 500, then in order
        assert {secret for _, secret in receiver.received} == {"s3cret"}
        assert [d["status"] for d in fake.webhook.deliveries()] == [500, 500, 200, 200]
    finally:
        receiver.shutdown()


def test_kinds_left_out_of_allowed_updates_are_never_sent(
    fake: FakeBotAPI, bot: telebot.TeleBot
) -> None:
    receiver = receiving()
    try:
        bot.set_webhook(url=receiver.url, allowed_updates=["callback_query"])
        fake.push_text(42, "not sent")
        pressed = fake.push_callback(42, "data")
        assert fake.wait_for(lambda f: not f.pending_updates)
        assert [body["update_id"] for body, _ in receiver.received] == [pressed]
        assert receiver.received[0][1] is None  # no secret set, no header
    finally:
        receiver.shutdown()
