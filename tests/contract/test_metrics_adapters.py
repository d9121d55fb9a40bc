"""Metrics adapters: updates counted by the dispatcher, and /metrics scraped over real HTTP from
prometheus_client's own server after a page flow through the container."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from telebot import types

from adapters.memory import RecordingMetrics
from adapters.metrics import PrometheusMetrics
from adapters.telegram import UpdateDispatcher, make_bot
from entrypoints.container import Container
from entrypoints.metrics import start_metrics
from entrypoints.settings import Settings, SettingsError
from paintcore.dialog import IncomingMessage
from paintcore.domain.broadcasts import Audience, BroadcastId, CopiedMessage
from paintcore.domain.errors import StorageUnavailable
from paintcore.domain.metrics import Fact, Timing
from paintcore.domain.users import UserId
from support.fake_telegram import FakeBotAPI
from support.shop import pay
from support.world import ADMIN, World, build_world

SENDER = {"id": 42, "is_bot": False, "first_name": "Аня", "language_code": "ru"}
CHAT = {"id": 42, "type": "private", "first_name": "Аня"}


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def scrape(port: int) -> dict[str, float]:
    """Every sample of http://127.0.0.1:port/metrics, keyed `name{label="value",...}`."""
    answer = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/plain")
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


def _update(update_id: int, **body: object) -> types.Update:
    return types.Update.de_json({"update_id": update_id, **body})


def _message(update_id: int, text: str) -> types.Update:
    message = {"message_id": update_id, "from": SENDER, "chat": CHAT, "date": 1, "text": text}
    return _update(update_id, message=message)


def test_the_dispatcher_counts_each_update_once_by_kind_and_the_dropped_ones(
    fake: FakeBotAPI,
) -> None:
    metrics = RecordingMetrics()
    entered, release = threading.Event(), threading.Event()

    def on_message(event: IncomingMessage) -> None:
        if event.text == "slow":
            entered.set()
            release.wait(5)

    dispatcher = UpdateDispatcher(
        make_bot(fake.token, fake.base_url),
        on_message=on_message,
        on_callback=lambda event: None,
        on_payment=lambda event: None,
        workers=1,
        max_waiting=1,
        metrics=metrics,
    )
    dispatcher.start()
    try:
        assert dispatcher.submit(_message(1, "slow"))
        assert entered.wait(5)
        assert dispatcher.submit(_message(2, "waits"))
        assert not dispatcher.submit(_message(3, "one too many"))  # past the chat's bound
        assert not dispatcher.submit(_message(2, "waits"))  # in hand already: not twice
        release.set()
        other, chat = {**SENDER, "id": 43}, {**CHAT, "id": 43}  # a chat with room in its queue
        callback = {"id": "c1", "from": other, "chat_instance": "1", "data": "lvl:4-7"}
        callback["message"] = {"message_id": 9, "chat": chat, "date": 1, "text": "menu"}
        assert dispatcher.submit(_update(4, callback_query=callback))
        checkout = {"id": "q1", "from": other, "currency": "XTR", "total_amount": 50}
        checkout["invoice_payload"] = "x"
        assert dispatcher.submit(_update(5, pre_checkout_query=checkout))
    finally:
        assert dispatcher.stop(deadline=time.monotonic() + 10) == 0

    assert metrics.by(Fact.UPDATES_HANDLED, "kind") == {"message": 2, "callback": 1, "payment": 1}
    assert metrics.total(Fact.UPDATES_DROPPED) == 1


def _page_flow(world: World, uid: int, description: str) -> None:
    world.say(uid, "/start")
    world.say(uid, "Получить раскраску")
    world.say(uid, description)


@pytest.fixture
def served() -> Iterator[tuple[World, PrometheusMetrics, int]]:
    metrics = PrometheusMetrics()
    world = build_world(metrics=metrics)
    metrics.watch(queue=world.queue, broadcasts=world.container.broadcasts())
    server = metrics.serve("127.0.0.1", 0)
    yield world, metrics, server.port
    server.close()


def test_metrics_after_a_page_flow_have_the_right_names_and_values(
    served: tuple[World, PrometheusMetrics, int],
) -> None:
    world, _, port = served
    _page_flow(world, 1, "кот в шляпе")
    world.queue.run_pending()
    _page_flow(world, 2, "собака")  # requested, still waiting in the queue

    seen = scrape(port)

    assert seen["paintbot_pages_requested_total"] == 2
    assert seen["paintbot_pages_delivered_total"] == 1
    assert seen["paintbot_pages_failed_total"] == 0
    assert seen["paintbot_pages_refunded_total"] == 0
    assert seen["paintbot_generation_seconds_count"] == 1
    assert seen['paintbot_generation_seconds_bucket{le="+Inf"}'] == 1
    assert seen['paintbot_generation_seconds_bucket{le="120.0"}'] == 1
    assert seen["paintbot_queue_depth"] == 1
    assert seen["paintbot_broadcast_recipients_remaining"] == 0
    # Label values known in advance are there from the start, at zero.
    assert seen['paintbot_broadcast_messages_total{outcome="sent"}'] == 0
    assert seen['paintbot_updates_handled_total{kind="callback"}'] == 0
    assert "process_resident_memory_bytes" in seen  # the client's own collectors


def test_payments_and_a_running_broadcast_as_scraped(
    served: tuple[World, PrometheusMetrics, int],
) -> None:
    world, metrics, port = served
    for uid in (1, 2, 3):
        world.say(uid, "/start")
    pay(world, 1, "charge-1")
    world.container.start_broadcast()(
        broadcast_id=BroadcastId("b1"),
        admin_id=UserId(ADMIN),
        message=CopiedMessage(from_chat_id=ADMIN, message_id=1),
        audience=Audience.everyone(),
        created_at=world.clock.now(),
    )
    metrics.count(Fact.BROADCAST_MESSAGES, outcome="sent")  # as if one step had begun
    metrics.observe(Timing.GENERATION, 0.7)

    seen = scrape(port)

    assert seen['paintbot_payments_credited_total{currency="XTR"}'] == 1
    assert seen["paintbot_broadcast_recipients_remaining"] == 3
    assert seen['paintbot_broadcast_messages_total{outcome="sent"}'] == 1
    assert seen['paintbot_generation_seconds_bucket{le="0.5"}'] == 0
    assert seen['paintbot_generation_seconds_bucket{le="1.0"}'] == 1

    world.queue.run_pending()
    assert scrape(port)["paintbot_broadcast_recipients_remaining"] == 0


def test_a_gauge_that_cannot_be_read_is_left_out_and_the_rest_answers() -> None:
    class DownQueue:
        def enqueue(self, task: object) -> None:
            raise StorageUnavailable("down")

        def depth(self) -> int:
            raise StorageUnavailable("redis is down")

    metrics = PrometheusMetrics(process=False)
    metrics.watch(queue=DownQueue(), broadcasts=None)  # type: ignore[arg-type]
    server = metrics.serve("127.0.0.1", 0)
    try:
        seen = scrape(server.port)
    finally:
        server.close()
    assert "paintbot_queue_depth" not in seen
    assert seen["paintbot_pages_delivered_total"] == 0


def test_two_registries_in_one_process_do_not_share_counts() -> None:
    first, second = PrometheusMetrics(process=False), PrometheusMetrics(process=False)
    first.count(Fact.PAGES_DELIVERED)
    assert first.registry.get_sample_value("paintbot_pages_delivered_total") == 1
    assert second.registry.get_sample_value("paintbot_pages_delivered_total") == 0


def test_wrong_labels_are_refused_as_the_port_says() -> None:
    metrics = PrometheusMetrics(process=False)
    with pytest.raises(ValueError):
        metrics.count(Fact.PAYMENTS_CREDITED)
    with pytest.raises(ValueError):
        metrics.count(Fact.PAGES_DELIVERED, currency="XTR")


def _settings(listen: str | None) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None, PAINTBOT_STORAGE="memory", PAINTBOT_METRICS_LISTEN=listen
    )


def test_start_metrics_serves_on_the_setting_and_refuses_a_taken_port() -> None:
    port = free_port()
    settings = _settings(f"127.0.0.1:{port}")
    server = start_metrics(Container(settings=settings), settings)
    assert server is not None and server.port == port
    try:
        assert scrape(port)["paintbot_queue_depth"] == 0
        with pytest.raises(SettingsError, match="PAINTBOT_METRICS_LISTEN: cannot listen on"):
            start_metrics(Container(settings=settings), settings)
    finally:
        server.close()


def test_without_the_setting_nothing_is_served_and_nothing_kept() -> None:
    settings = _settings(None)
    container = Container(settings=settings)
    assert start_metrics(container, settings) is None
    assert not isinstance(container.metrics(), PrometheusMetrics)
