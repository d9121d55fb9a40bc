"""Issue 15, end to end: `paintbot webhook` instances and a `paintbot worker` as processes on one
SQLite file and a real redis-server, the fake Bot API delivering updates by webhook. A page asked
for through the webhook is drawn by the worker (queued until one runs) and delivered once; one
update delivered twice is handled once; two webhook instances sharing the file and Redis give
each of 20 users exactly one page and handle no update twice, even one update reaching both
instances at the same moment (the first to claim it in the UpdateLog handles it)."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from rq import Queue
from rq.serializers import JSONSerializer

from adapters.rq_queue import QUEUE_NAME
from support.deployment import BUTTON, Deployment
from support.fake_telegram import FakeBotAPI
from support.redis_server import RedisServer, free_port

pytestmark = pytest.mark.slow
SECRET = "e2e-webhook-rq_SECRET-42"
HOOK = "/telegram/updates"
HEADERS = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}


@pytest.fixture
def telegram() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


@pytest.fixture
def deployment(
    telegram: FakeBotAPI, redis_server: RedisServer, tmp_path: Path
) -> Iterator[Deployment]:
    running = Deployment(telegram, tmp_path, redis_server.url)
    yield running
    running.stop_all()


def start_instance(deployment: Deployment, name: str, port: int, public_port: int) -> str:
    """`paintbot webhook` listening on `port`; every instance registers the same public URL (the
    proxy's, here the first instance's). Returns this instance's own URL for direct POSTs."""
    deployment.settings |= {
        # The fake is a "self-hosted" Bot API server: a plain http webhook is allowed.
        "PAINTBOT_WEBHOOK_URL": f"http://127.0.0.1:{public_port}{HOOK}",
        "PAINTBOT_WEBHOOK_SECRET": SECRET,
        "PAINTBOT_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
    }
    registered = len(deployment.telegram.calls_of("setWebhook"))
    deployment.start(name, "webhook")
    assert deployment.telegram.wait_for(lambda f: len(f.calls_of("setWebhook")) > registered, 30), (
        deployment.log(name)
    )
    return f"http://127.0.0.1:{port}{HOOK}"


def message(update_id: int, user: int, text: str) -> bytes:
    """A raw text-message update, as Telegram would POST it."""
    sender = {"id": user, "is_bot": False, "first_name": "Аня", "language_code": "ru"}
    return json.dumps(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "from": sender,
                "chat": {"id": user, "type": "private", "first_name": "Аня"},
                "date": 1_700_000_000,
                "text": text,
            },
        }
    ).encode()


def post(url: str, body: bytes) -> None:
    answer = requests.post(url, data=body, headers=HEADERS, timeout=10)
    assert answer.status_code == 200, answer.text


def pages(deployment: Deployment, user: int) -> tuple[int, int]:
    return deployment.sent(user, "sendPhoto"), deployment.sent(user, "sendDocument")


def handled_ids(deployment: Deployment, *names: str) -> list[int]:
    return [int(str(e["update_id"])) for n in names for e in deployment.events(n, "update handled")]


def test_a_page_asked_through_the_webhook_waits_in_redis_until_a_worker_draws_it(
    deployment: Deployment, redis_server: RedisServer
) -> None:
    telegram, user = deployment.telegram, 5001
    port = free_port()
    start_instance(deployment, "webhook", port, port)
    telegram.push_text(user, "/start", first_name="Аня")
    assert telegram.wait_for(lambda _: deployment.said(user, "Привет, Аня"), 30)

    deployment.order(user, "кот в шляпе")  # no worker runs yet
    queue = Queue(QUEUE_NAME, connection=redis_server.client(), serializer=JSONSerializer)
    assert telegram.wait_for(lambda _: queue.count == 1, 30), deployment.log("webhook")[-3000:]
    assert telegram.wait_for(lambda _: not telegram.pending_updates, 10)  # all delivered
    time.sleep(2)  # a page drawn in the webhook process would be on its way by now
    assert pages(deployment, user) == (0, 0), "only a worker draws pages with REDIS_URL"
    assert deployment.credits(user) == (9, 0, 1), "held while the page waits"

    deployment.worker("worker")
    assert telegram.wait_for(lambda _: pages(deployment, user) == (1, 1), 60)
    assert telegram.wait_for(lambda _: deployment.credits(user) == (9, 0, 0), 30)  # captured
    assert queue.count == 0
    assert deployment.wait_log("worker", "job finished"), "drawn by the worker"
    assert not deployment.events("webhook", "job finished")
    time.sleep(1.5)  # a second copy would show by now
    assert pages(deployment, user) == (1, 1)
    assert all(d["status"] == 200 for d in telegram.webhook.deliveries())


def test_the_same_page_request_delivered_twice_is_handled_once(deployment: Deployment) -> None:
    telegram, user = deployment.telegram, 5002
    port = free_port()
    url = start_instance(deployment, "webhook", port, port)
    deployment.worker("worker")
    telegram.push_text(user, "/start", first_name="Аня")
    telegram.push_text(user, BUTTON, first_name="Аня")
    assert telegram.wait_for(lambda _: not telegram.pending_updates, 30)
    assert telegram.wait_for(lambda _: len(handled_ids(deployment, "webhook")) == 2, 30)
    replies = len(telegram.texts_to(user))

    request = message(900_001, user, "дракон с воздушным шаром")
    post(url, request)
    post(url, request)  # right away: the first is in hand, or just handled
    assert telegram.wait_for(lambda _: pages(deployment, user) == (1, 1), 60)
    post(url, request)  # again, long after it was handled
    telegram.push_text(user, "/balance", first_name="Аня")  # a later update, to wait for
    assert telegram.wait_for(lambda _: deployment.said(user, "Бесплатных раскрасок"), 30)

    assert pages(deployment, user) == (1, 1)
    assert telegram.wait_for(lambda _: deployment.credits(user) == (9, 0, 0), 10), (
        deployment.credits(user),
        telegram.texts_to(user),
    )
    assert handled_ids(deployment, "webhook").count(900_001) == 1
    assert deployment.wait_log("worker", "job finished")
    assert len(deployment.events("worker", "job finished")) == 1
    # the request's own replies (an acknowledgement, then the page's caption or a "done" text),
    # plus the balance: nothing said twice
    later = telegram.texts_to(user)[replies:]
    assert len(later) == len(set(later)), later


def test_two_webhook_instances_give_each_of_twenty_users_one_page(deployment: Deployment) -> None:
    telegram = deployment.telegram
    first, second = free_port(), free_port()
    urls = [
        start_instance(deployment, "hook-a", first, first),
        start_instance(deployment, "hook-b", second, first),
    ]
    deployment.worker("worker-1")
    deployment.worker("worker-2")
    users = list(range(5101, 5121))
    target = {user: urls[i % 2] for i, user in enumerate(users)}  # half to each instance
    ids = iter(range(800_001, 900_000))
    posted: list[int] = []

    def send(user: int, text: str) -> None:
        update_id = next(ids)
        posted.append(update_id)
        post(target[user], message(update_id, user, text))

    for user in users:
        send(user, "/start")
    assert telegram.wait_for(lambda _: all(deployment.said(u, "Привет") for u in users), 30)
    for user in users:
        send(user, BUTTON)
        send(user, f"кот номер {user}")

    def all_delivered(_: FakeBotAPI) -> bool:
        return all(deployment.sent(u, "sendDocument") >= 1 for u in users)

    assert telegram.wait_for(all_delivered, 90), deployment.log("worker-1")[-3000:]
    assert telegram.wait_for(lambda _: all(deployment.credits(u) == (9, 0, 0) for u in users), 30)
    time.sleep(1.5)  # anything sent twice would show by now
    assert {u: pages(deployment, u) for u in users} == dict.fromkeys(users, (1, 1))
    handled = handled_ids(deployment, "hook-a", "hook-b")
    assert [i for i, n in Counter(handled).items() if n > 1] == [], "no update handled twice"
    assert sorted(handled) == sorted(posted)
    assert len(handled_ids(deployment, "hook-a")) == len(handled_ids(deployment, "hook-b")) == 30
    assert telegram.wait_for(
        lambda _: (
            sum(len(deployment.events(w, "job finished")) for w in ("worker-1", "worker-2")) >= 20
        ),
        10,
    )
    finished = [len(deployment.events(w, "job finished")) for w in ("worker-1", "worker-2")]
    assert sum(finished) == 20, finished
    assert not deployment.events("hook-a", "job finished")
    assert not deployment.events("hook-b", "job finished")


def test_one_update_reaching_both_instances_at_once_is_handled_once(
    deployment: Deployment,
) -> None:
    telegram = deployment.telegram
    first, second = free_port(), free_port()
    urls = [
        start_instance(deployment, "hook-a", first, first),
        start_instance(deployment, "hook-b", second, first),
    ]
    users = list(range(5201, 5211))
    with ThreadPoolExecutor(2) as pool:
        for user in users:  # a redelivery landing on the other instance while the first has it
            body = message(910_000 + user, user, "/balance")
            list(pool.map(lambda url, body=body: post(url, body), urls))
    assert telegram.wait_for(
        lambda _: all(deployment.said(u, "Бесплатных раскрасок") for u in users), 30
    )
    time.sleep(2)  # a second answer would show by now
    answers = {u: sum("Бесплатных раскрасок" in t for t in telegram.texts_to(u)) for u in users}
    assert answers == dict.fromkeys(users, 1)
    assert sorted(handled_ids(deployment, "hook-a", "hook-b")) == [910_000 + u for u in users]
