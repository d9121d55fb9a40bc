"""`paintbot webhook` as a process: it sets the webhook on the fake Bot API, which then delivers
updates to it as Telegram does (POSTs with the secret); /start is answered, a page is drawn and
delivered, a wrong secret is refused, a redelivered update is handled once, SIGTERM exits 0, a
missing setting exits 2; with REDIS_URL, the page is drawn by an RQ worker."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from support.deployment import Deployment
from support.fake_telegram import FakeBotAPI
from support.redis_server import RedisServer, free_port

pytestmark = pytest.mark.slow
SECRET = "e2e-webhook_SECRET-0123456789"
USER = 4242
HOOK = "/telegram/updates"


@pytest.fixture
def telegram() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


@pytest.fixture
def deployment(telegram: FakeBotAPI, tmp_path: Path) -> Iterator[Deployment]:
    running = Deployment(telegram, tmp_path, None)
    running.settings |= webhook_settings(free_port())
    yield running
    running.stop_all()


def webhook_settings(port: int) -> dict[str, str]:
    return {
        # The fake is a "self-hosted" Bot API server: a plain http webhook is allowed.
        "PAINTBOT_WEBHOOK_URL": f"http://127.0.0.1:{port}{HOOK}",
        "PAINTBOT_WEBHOOK_SECRET": SECRET,
        "PAINTBOT_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
    }


def base_url(deployment: Deployment) -> str:
    return deployment.settings["PAINTBOT_WEBHOOK_URL"].removesuffix(HOOK)


def start_webhook(deployment: Deployment, name: str = "webhook") -> None:
    deployment.start(name, "webhook")
    assert deployment.telegram.wait_for(lambda f: bool(f.calls_of("setWebhook")), 30), (
        deployment.log(name)
    )


def test_the_webhook_answers_start_delivers_a_page_and_stops_cleanly(
    deployment: Deployment,
) -> None:
    telegram = deployment.telegram
    start_webhook(deployment)
    [call] = telegram.calls_of("setWebhook")
    assert call.params["url"] == deployment.settings["PAINTBOT_WEBHOOK_URL"]
    assert call.params["secret_token"] == SECRET
    assert call.params["allowed_updates"] == ["message", "callback_query", "pre_checkout_query"]
    assert telegram.commands.get("ru") and not telegram.webhook_deleted
    health = requests.get(base_url(deployment) + "/healthz", timeout=5)
    assert health.status_code == 200 and health.json() == {"storage": True}

    telegram.push_text(USER, "/start", first_name="Аня")
    assert telegram.wait_for(lambda _: deployment.said(USER, "Привет, Аня"), 30)
    deployment.order(USER, "кот в шляпе")
    assert telegram.wait_for(lambda _: deployment.sent(USER, "sendDocument") == 1, 90)
    assert deployment.sent(USER, "sendPhoto") == 1
    assert telegram.wait_for(lambda _: deployment.credits(USER) == (9, 0, 0), 30)  # captured
    assert all(d["status"] == 200 for d in telegram.webhook.deliveries())

    code = deployment.stop("webhook")
    log = deployment.log("webhook")
    assert code == 0, log
    assert '"event": "stopped"' in log and "Traceback" not in log
    assert SECRET not in log and telegram.token not in log
    assert telegram.webhook.info()["url"], "a stop leaves the webhook to the other instances"


def test_a_wrong_secret_is_refused_and_a_redelivery_is_handled_once(
    deployment: Deployment,
) -> None:
    telegram = deployment.telegram
    start_webhook(deployment)
    url = deployment.settings["PAINTBOT_WEBHOOK_URL"]
    update = {
        "update_id": 900_001,
        "message": {
            "message_id": 1,
            "from": {"id": USER, "is_bot": False, "first_name": "Аня", "language_code": "ru"},
            "chat": {"id": USER, "type": "private", "first_name": "Аня"},
            "date": 1_700_000_000,
            "text": "/balance",
        },
    }
    body = json.dumps(update).encode()
    wrong = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": "guess"}
    assert requests.post(url, data=body, headers=wrong, timeout=5).status_code == 403
    assert requests.post(url, data=body, timeout=5).status_code == 403  # no header at all
    right = {**wrong, "X-Telegram-Bot-Api-Secret-Token": SECRET}
    assert requests.post(url, data=body, headers=right, timeout=5).status_code == 200
    assert telegram.wait_for(lambda _: deployment.said(USER, "Бесплатных раскрасок"), 30)
    assert requests.post(url, data=body, headers=right, timeout=5).status_code == 200
    telegram.push_text(USER, "/help", first_name="Аня")  # a later update, to wait for
    assert telegram.wait_for(lambda f: len(f.texts_to(USER)) >= 2, 30)
    balances = [t for t in telegram.texts_to(USER) if "Бесплатных раскрасок" in t]
    assert len(balances) == 1, telegram.texts_to(USER)
    assert deployment.stop("webhook") == 0


def test_without_the_secret_it_exits_2_naming_it(deployment: Deployment) -> None:
    del deployment.settings["PAINTBOT_WEBHOOK_SECRET"]
    process = deployment.start("webhook", "webhook")
    assert process.wait(timeout=60) == 2
    log = deployment.log("webhook")
    assert "PAINTBOT_WEBHOOK_SECRET: required" in log and "PAINTBOT_WEBHOOK_URL" not in log
    assert not deployment.telegram.calls_of("setWebhook")


def test_a_refused_token_exits_2_and_sets_no_webhook(deployment: Deployment) -> None:
    deployment.settings["BOT_TOKEN"] = "999:WRONG"
    process = deployment.start("webhook", "webhook")
    assert process.wait(timeout=60) == 2
    assert "Telegram refused BOT_TOKEN" in deployment.log("webhook")
    assert not deployment.telegram.calls_of("setWebhook")


def test_an_address_already_taken_exits_2_naming_it(deployment: Deployment) -> None:
    start_webhook(deployment, "first")
    second = deployment.start("second", "webhook")
    assert second.wait(timeout=60) == 2
    assert "PAINTBOT_WEBHOOK_LISTEN: cannot listen on" in deployment.log("second")
    assert len(deployment.telegram.calls_of("setWebhook")) == 1


def test_sigint_stops_it_too(deployment: Deployment) -> None:
    start_webhook(deployment)
    process = deployment.processes["webhook"]
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0, deployment.log("webhook")


def test_with_redis_the_page_is_drawn_by_an_rq_worker(
    deployment: Deployment, redis_server: RedisServer
) -> None:
    deployment.redis_url = redis_server.url
    start_webhook(deployment)
    deployment.worker("worker-1")
    telegram = deployment.telegram
    health = requests.get(base_url(deployment) + "/healthz", timeout=5)
    assert health.json() == {"storage": True, "redis": True}
    telegram.push_text(USER, "/start", first_name="Аня")
    assert telegram.wait_for(lambda _: deployment.said(USER, "Привет"), 30)
    deployment.order(USER, "динозавр на скейте")
    assert telegram.wait_for(lambda _: deployment.sent(USER, "sendDocument") == 1, 90)
    assert deployment.wait_log("worker-1", "job finished"), "drawn by the worker"
    assert not deployment.events("webhook", "job finished"), "not by the webhook instance"
    redis_server.stop()
    down = requests.get(base_url(deployment) + "/healthz", timeout=10)
    assert down.status_code == 503 and down.json()["redis"] is False
