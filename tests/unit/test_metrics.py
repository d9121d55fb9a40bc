"""Metrics: each fact is counted once, where it happens, through the container's Metrics port."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.memory import RecordingMetrics
from entrypoints.settings import SettingsError
from entrypoints.settings_loading import load_settings
from paintcore.domain.broadcasts import Audience, BroadcastId, CopiedMessage
from paintcore.domain.errors import GenerationFailed, PartiallyDelivered, PromptRejected
from paintcore.domain.jobs import Job, Lease
from paintcore.domain.metrics import Fact, Timing
from paintcore.domain.pages import PageOptions
from paintcore.domain.users import Profile, UserId
from paintcore.metrics import NO_METRICS
from support.shop import pay, payload
from support.world import ADMIN, World, build_world

UID = UserId(5)
PAGE_FACTS = (Fact.PAGES_REQUESTED, Fact.PAGES_DELIVERED, Fact.PAGES_FAILED, Fact.PAGES_REFUNDED)


@pytest.fixture
def metrics() -> RecordingMetrics:
    return RecordingMetrics()


@pytest.fixture
def world(metrics: RecordingMetrics) -> World:
    return build_world(metrics=metrics)


def _requested(world: World, description: str = "кот в шляпе") -> Job:
    world.register(profile=Profile(UID, first_name="Петя", username="petya"), language="ru")
    return world.request_page(
        user_id=UID, chat_id=5, description=description, options=PageOptions()
    )


def _pages(metrics: RecordingMetrics) -> tuple[int, ...]:
    return tuple(metrics.total(fact) for fact in PAGE_FACTS)


def test_a_delivered_page_is_requested_once_delivered_once_and_timed(
    world: World, metrics: RecordingMetrics
) -> None:
    job = _requested(world)
    assert _pages(metrics) == (1, 0, 0, 0)

    world.run_generation(job_id=job.id)
    world.run_generation(job_id=job.id)  # enqueued twice: the second run skips it

    assert _pages(metrics) == (1, 1, 0, 0)
    [seconds] = metrics.timings[Timing.GENERATION]
    assert 0 <= seconds < 60


def test_a_failed_page_counts_failed_and_refunded_and_is_not_timed(
    world: World, metrics: RecordingMetrics
) -> None:
    world.generator.failures = [GenerationFailed("down"), GenerationFailed("still down")]
    job = _requested(world)
    world.run_generation(job_id=job.id)

    assert _pages(metrics) == (1, 0, 1, 1)
    assert Timing.GENERATION not in metrics.timings


def test_a_page_refused_by_the_image_api_is_failed_and_refunded(
    world: World, metrics: RecordingMetrics
) -> None:
    world.generator.failures = [PromptRejected("no")]
    world.run_generation(job_id=_requested(world).id)
    assert _pages(metrics) == (1, 0, 1, 1)


def test_a_picture_without_its_pdf_counts_as_delivered(
    world: World, metrics: RecordingMetrics
) -> None:
    world.messenger.failures.append(PartiallyDelivered("no PDF"))
    world.run_generation(job_id=_requested(world).id)
    assert _pages(metrics) == (1, 1, 0, 0)


def test_a_description_refused_before_anything_is_held_counts_nothing(
    world: World, metrics: RecordingMetrics
) -> None:
    world.register(profile=Profile(UID, first_name="Петя"), language="ru")
    with pytest.raises(PromptRejected):
        world.request_page(
            user_id=UID, chat_id=5, description="a bloody zombie", options=PageOptions()
        )
    assert _pages(metrics) == (0, 0, 0, 0)


def test_a_queue_that_refuses_the_page_fails_and_refunds_it(
    world: World, metrics: RecordingMetrics
) -> None:
    world.queue.unavailable = True
    with pytest.raises(Exception, match="queue is down"):
        _requested(world)
    assert _pages(metrics) == (1, 0, 1, 1)


def test_a_page_whose_worker_vanished_is_failed_and_refunded_by_recovery_once(
    world: World, metrics: RecordingMetrics
) -> None:
    job = _requested(world)
    now = world.clock.now()
    world.container.orders().take(job.id, at=now, lease=Lease("gone", now + timedelta(minutes=1)))
    world.clock.advance(120)

    world.recover(requeue=False)
    world.recover(requeue=False)

    assert _pages(metrics) == (1, 0, 1, 1)


def test_a_payment_is_counted_once_with_its_currency(
    world: World, metrics: RecordingMetrics
) -> None:
    world.say(1, "/start")
    paid = pay(world, 1, "charge-1")
    world.dialog.handle_payment(paid)  # delivered again: credited once, counted once

    assert metrics.by(Fact.PAYMENTS_CREDITED, "currency") == {"XTR": 1}
    assert metrics.total(Fact.PAYMENTS_REFUNDED) == 0


def test_a_payment_that_cannot_be_honoured_counts_as_refunded_not_credited(
    world: World, metrics: RecordingMetrics
) -> None:
    world.say(1, "/start")
    pay(world, 1, "charge-x", text=payload(1, 10, 40))  # a pack no longer on sale

    assert metrics.total(Fact.PAYMENTS_CREDITED) == 0
    assert metrics.by(Fact.PAYMENTS_REFUNDED, "currency") == {"XTR": 1}


def test_an_admins_refund_counts_once(world: World, metrics: RecordingMetrics) -> None:
    world.say(1, "/start")
    pay(world, 1, "charge-1")
    world.say(ADMIN, "/refund charge-1")
    world.say(ADMIN, "/refund charge-1")  # refunded already: nothing changes

    assert metrics.by(Fact.PAYMENTS_REFUNDED, "currency") == {"XTR": 1}
    assert metrics.total(Fact.PAYMENTS_CREDITED) == 1


def test_broadcast_copies_are_counted_by_outcome(world: World, metrics: RecordingMetrics) -> None:
    for uid in range(1, 8):
        world.say(uid, "/start")
    world.messenger.blocked.add(3)
    world.container.start_broadcast()(
        broadcast_id=BroadcastId("b1"),
        admin_id=UserId(ADMIN),
        message=CopiedMessage(from_chat_id=ADMIN, message_id=1),
        audience=Audience.everyone(),
        created_at=world.clock.now(),
    )
    world.queue.run_pending()

    assert len(world.messenger.copies()) == 6  # seven users, one of whom blocked the bot
    assert metrics.by(Fact.BROADCAST_MESSAGES, "outcome") == {"sent": 6, "blocked": 1}


def test_recording_metrics_refuse_labels_prometheus_would_refuse() -> None:
    metrics = RecordingMetrics()
    with pytest.raises(ValueError):
        metrics.count(Fact.PAYMENTS_CREDITED)
    with pytest.raises(ValueError):
        metrics.count(Fact.PAGES_DELIVERED, kind="message")
    with pytest.raises(ValueError):
        metrics.count(Fact.PAGES_DELIVERED, -1)


def test_use_cases_built_without_metrics_count_nowhere() -> None:
    world = build_world()
    assert world.run_generation.metrics is NO_METRICS
    job = _requested(world)
    assert world.run_generation(job_id=job.id) is not None


@pytest.mark.parametrize(
    ("listen", "address"),
    [
        ("127.0.0.1:9464", ("127.0.0.1", 9464)),
        ("[::1]:9464", ("::1", 9464)),
        (" localhost:9100 ", ("localhost", 9100)),
        ("", None),  # unset: no metrics server
    ],
)
def test_the_metrics_address_setting(
    monkeypatch: pytest.MonkeyPatch, listen: str, address: tuple[str, int] | None
) -> None:
    monkeypatch.setenv("PAINTBOT_METRICS_LISTEN", listen)
    assert load_settings(None).metrics_address == address


@pytest.mark.parametrize(
    ("listen", "webhook"),
    [
        ("9464", None),
        ("127.0.0.1:", None),
        (":9464", None),
        ("127.0.0.1:0", None),
        ("127.0.0.1:http", None),
        ("127.0.0.1:8080", None),  # the webhook's default port
        ("127.0.0.1:9000", "0.0.0.0:9000"),  # its public port, on any address
    ],
)
def test_a_bad_metrics_address_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, listen: str, webhook: str | None
) -> None:
    monkeypatch.setenv("PAINTBOT_METRICS_LISTEN", listen)
    if webhook is not None:
        monkeypatch.setenv("PAINTBOT_WEBHOOK_LISTEN", webhook)
    with pytest.raises(SettingsError, match="PAINTBOT_METRICS_LISTEN"):
        load_settings(None)
