"""The webhook end of the Telegram adapter: TelegramWebhook on a real waitress server on loopback,
called with `requests`, feeding the real UpdateDispatcher (with a recording dialog)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
import requests
from pydantic import SecretStr
from structlog.testing import capture_logs

from adapters.memory import InMemoryStore, InMemoryUpdateLog, ManualClock
from adapters.telegram import TelegramWebhook, make_bot
from entrypoints.health_probes import readiness
from paintcore.dialog import IncomingCallback, IncomingMessage
from support.fake_telegram import FakeBotAPI

SECRET = "s3cret_Token-42"
PATH = "/telegram/hook"
MAX_BODY = 4096
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}


def message(update_id: int, chat: int = 42, text: str = "привет") -> dict[str, object]:
    sender = {"id": chat, "is_bot": False, "first_name": "Аня", "language_code": "ru"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "from": sender,
            "chat": {"id": chat, "type": "private", "first_name": "Аня"},
            "date": 1_700_000_000,
            "text": text,
        },
    }


@dataclass
class Served:
    webhook: TelegramWebhook
    url: str
    base: str
    seen: list[IncomingMessage] = field(default_factory=list)
    presses: list[IncomingCallback] = field(default_factory=list)
    handled: threading.Condition = field(default_factory=threading.Condition)

    def post(self, body: object, headers: dict[str, str] | None = None) -> requests.Response:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return requests.post(self.url, data=data, headers=HEADERS if headers is None else headers)

    def wait_seen(self, count: int, timeout: float = 5.0) -> bool:
        with self.handled:
            return self.handled.wait_for(lambda: len(self.seen) >= count, timeout=timeout)


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


@pytest.fixture
def store() -> InMemoryStore:
    return InMemoryStore(clock=ManualClock())


def serve(
    fake: FakeBotAPI,
    ready: Callable[[], dict[str, bool]],
    updates: InMemoryUpdateLog,
    *,
    gate: threading.Event | None = None,
    max_backlog: int = 2000,
) -> Served:
    served: Served | None = None

    def on_message(event: IncomingMessage) -> None:
        assert served is not None
        if gate is not None:
            gate.wait(10)
        with served.handled:
            served.seen.append(event)
            served.handled.notify_all()

    webhook = TelegramWebhook(
        make_bot(fake.token, fake.base_url),
        url=f"https://bot.example.com{PATH}",
        secret=SECRET,
        listen=("127.0.0.1", 0),
        ready=ready,
        on_message=on_message,
        on_callback=lambda press: served.presses.append(press) if served else None,
        updates=updates,
        clock=ManualClock(),
        workers=2,
        threads=4,
        max_body=MAX_BODY,
        max_backlog=max_backlog,
    )
    host, port = webhook.start()
    base = f"http://{host}:{port}"
    served = Served(webhook, base + PATH, base)
    return served


@pytest.fixture
def served(fake: FakeBotAPI, store: InMemoryStore) -> Iterator[Served]:
    running = serve(fake, readiness(store, None), InMemoryUpdateLog())
    yield running
    running.webhook.stop(timeout=5)


def test_an_update_with_the_right_secret_is_answered_200_and_handled(served: Served) -> None:
    answer = served.post(message(1, text="кот"))
    assert answer.status_code == 200 and answer.content == b""
    assert served.wait_seen(1)
    assert served.seen[0].text == "кот" and served.seen[0].update_id == 1
    assert served.webhook.app.counts()["accepted"] == 1


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET + "x", SECRET[:-1], "clé"])
def test_a_wrong_or_missing_secret_is_403_and_nothing_is_handled(
    served: Served, secret: str | None
) -> None:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    answer = requests.post(served.url, data=json.dumps(message(1)).encode("utf-8"), headers=headers)
    assert answer.status_code == 403
    counts = served.webhook.app.counts()
    assert counts["forbidden"] == 1 and counts["accepted"] == counts["skipped"] == 0
    assert not served.wait_seen(1, timeout=0.3)


def test_a_flood_of_wrong_secrets_is_refused_each_time_with_one_log_line(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = {**HEADERS, "X-Telegram-Bot-Api-Secret-Token": "guess"}
    statuses: list[int] = []

    def flood() -> None:  # 16 connections, more than the server's 4 threads: requests queue
        with requests.Session() as session:
            for _ in range(25):
                statuses.append(session.post(served.url, data=b"{}", headers=wrong).status_code)

    with capture_logs() as logs:
        floods = [threading.Thread(target=flood) for _ in range(16)]
        for thread in floods:
            thread.start()
        for thread in floods:
            thread.join()
    assert set(statuses) == {403} and len(statuses) == 400
    assert served.webhook.app.counts()["forbidden"] == 400
    assert len([e for e in logs if "wrong secret" in e["event"]]) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], "no line per request"
    assert served.post(message(5)).status_code == 200  # the real sender is still served
    assert served.wait_seen(1)


def test_an_update_delivered_twice_is_handled_once(served: Served) -> None:
    assert served.post(message(7)).status_code == 200
    assert served.wait_seen(1)
    assert served.post(message(7)).status_code == 200  # Telegram must not deliver it again
    assert served.post(message(8)).status_code == 200
    assert served.wait_seen(2)
    assert [e.update_id for e in served.seen] == [7, 8]
    assert served.webhook.app.counts()["skipped"] == 1


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"not json", "not UTF-8 JSON"),
        (b"", "not UTF-8 JSON"),
        ('{"update_id": 1, "x": "\xff"}'.encode("latin-1"), "not UTF-8 JSON"),
        (b"[" * 2000 + b"]" * 2000, "not UTF-8 JSON"),  # deeper than the parser goes
        (b"[1, 2]", "not an update"),
        (b'"update"', "not an update"),
        (b'{"message": {}}', "not an update"),
        (b'{"update_id": "1"}', "not an update"),
        (b'{"update_id": true}', "not an update"),
        (b'{"update_id": -1}', "not an update"),
        (b'{"update_id": 1.5}', "not an update"),
        (b'{"update_id": 99999999999999999999999}', "not an update"),
        (b'{"update_id": 3, "message": "hello"}', "not an update"),
    ],
)
def test_a_body_that_is_not_an_update_is_400_and_nothing_is_handled(
    served: Served, body: bytes, why: str
) -> None:
    answer = served.post(body)
    assert answer.status_code == 400 and why in answer.json()["error"]
    assert served.webhook.app.counts()["rejected"] == 1
    assert not served.wait_seen(1, timeout=0.2)


def test_an_oversized_body_is_413_by_content_length_and_when_chunked(served: Served) -> None:
    padded = message(9, text="x" * MAX_BODY)
    assert served.post(padded).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: requests sends it chunked
        body = json.dumps(padded).encode()
        for start in range(0, len(body), 512):
            yield body[start : start + 512]

    assert requests.post(served.url, data=chunks(), headers=HEADERS).status_code == 413
    at_limit = json.dumps(message(10, text="y")).encode()
    at_limit = at_limit[:-1] + b" " * (MAX_BODY - len(at_limit)) + b"}"
    assert len(at_limit) == MAX_BODY
    assert served.post(at_limit).status_code == 200  # the limit itself is allowed
    assert served.wait_seen(1) and [e.update_id for e in served.seen] == [10]


def test_a_chunked_update_within_the_limit_is_handled(served: Served) -> None:
    body = json.dumps(message(11)).encode()
    answer = requests.post(served.url, data=iter([body[:10], body[10:]]), headers=HEADERS)
    assert answer.status_code == 200 and served.wait_seen(1)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_wrong_content_type_is_415(served: Served, content_type: str | None) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    if content_type is not None:
        headers["Content-Type"] = content_type
    answer = served.post(message(12), headers=headers)
    assert answer.status_code == 415 and not served.wait_seen(1, timeout=0.2)
    charset = {**HEADERS, "Content-Type": "application/json; charset=utf-8"}
    assert served.post(message(13), headers=charset).status_code == 200


def test_wrong_methods_and_unknown_paths(served: Served) -> None:
    hook = requests.get(served.url)
    assert hook.status_code == 405 and hook.headers["Allow"] == "POST"
    assert requests.put(served.url, data=b"{}", headers=HEADERS).status_code == 405
    health = requests.post(served.base + "/healthz", data=b"{}", headers=HEADERS)
    assert health.status_code == 405 and health.headers["Allow"] == "GET, HEAD"
    for path in ("/", "/telegram", PATH + "/", "/metrics"):
        assert (
            requests.post(served.base + path, json=message(14), headers=HEADERS).status_code == 404
        )
    assert not served.wait_seen(1, timeout=0.2)


def test_healthz_is_200_while_storage_answers_and_503_when_it_does_not(
    served: Served, store: InMemoryStore
) -> None:
    up = requests.get(served.base + "/healthz")
    assert up.status_code == 200 and up.json() == {"storage": True}
    assert requests.head(served.base + "/healthz").status_code == 200
    store.close()
    down = requests.get(served.base + "/healthz")
    assert down.status_code == 503 and down.json() == {"storage": False}


def test_healthz_names_redis_when_it_is_set_and_down(
    fake: FakeBotAPI, store: InMemoryStore
) -> None:
    nobody = SecretStr("redis://127.0.0.1:1/0")  # port 1: nothing listens there
    running = serve(fake, readiness(store, nobody), InMemoryUpdateLog())
    try:
        answer = requests.get(running.base + "/healthz")
        assert answer.status_code == 503 and answer.json() == {"storage": True, "redis": False}
    finally:
        running.webhook.stop(timeout=5)


def test_a_stop_turns_new_updates_away_and_handles_those_accepted(served: Served) -> None:
    for update_id in range(20, 30):
        assert served.post(message(update_id, chat=update_id)).status_code == 200
    with requests.Session() as session:  # a keep-alive connection open across the stop
        assert session.get(served.base + "/healthz").status_code == 200
        served.webhook.app.refuse()
        late = session.post(served.url, data=json.dumps(message(31)).encode(), headers=HEADERS)
    assert late.status_code == 503 and late.headers["Retry-After"]
    assert served.webhook.stop(timeout=5)
    assert sorted(e.update_id for e in served.seen) == list(range(20, 30))
    with pytest.raises(requests.ConnectionError):
        requests.get(served.base + "/healthz", timeout=2)


def test_past_the_backlog_bound_updates_are_turned_away_until_it_drains(
    fake: FakeBotAPI, store: InMemoryStore
) -> None:
    gate = threading.Event()  # the dialog is stuck until it is set
    running = serve(fake, readiness(store, None), InMemoryUpdateLog(), gate=gate, max_backlog=3)
    try:
        assert [running.post(message(n, chat=n)).status_code for n in (1, 2, 3)] == [200] * 3
        busy = running.post(message(4, chat=4))
        assert busy.status_code == 503 and busy.headers["Retry-After"]
        gate.set()
        assert running.wait_seen(3)
        assert running.post(message(4, chat=4)).status_code == 200  # delivered again: taken
        assert running.wait_seen(4)
        assert running.webhook.app.counts()["unavailable"] == 1
    finally:
        running.webhook.stop(timeout=5)
