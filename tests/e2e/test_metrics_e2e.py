"""`paintbot run` with PAINTBOT_METRICS_LISTEN: /metrics of the real process after a /start and a
page (fake Bot API, offline pages, SQLite); the bot and an RQ worker on Redis, each on its own
port, each counting what it did; a bad address is one message and exit 2."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from support.deployment import Deployment
from support.fake_telegram import FakeBotAPI
from support.redis_server import RedisServer

pytestmark = pytest.mark.slow
_OURS = ("PAINTBOT_", "BOT_TOKEN", "OPENAI_", "MONGODB_URI", "REDIS_URL", "ADMIN_IDS")
USER = 61


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


def _env(fake: FakeBotAPI, tmp_path: Path, listen: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    return env | {
        "BOT_TOKEN": fake.token,
        "PAINTBOT_TELEGRAM_API_URL": fake.base_url,
        "PAINTBOT_DB_PATH": str(tmp_path / "bot.sqlite3"),
        "PAINTBOT_LOG_FORMAT": "json",
        "PAINTBOT_METRICS_LISTEN": listen,
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _metrics(port: int) -> dict[str, float]:
    """The samples without labels, and the labelled ones as `name{value}` (one label each)."""
    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    found: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            values = ",".join(sample.labels.values())
            found[f"{sample.name}{{{values}}}" if values else sample.name] = sample.value
    return found


def test_metrics_of_a_running_bot_after_a_start_and_a_page(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    port = _free_port()
    log = (tmp_path / "bot.log").open("ab")
    bot = subprocess.Popen(
        [sys.executable, "-m", "entrypoints.cli", "run"],
        cwd=tmp_path,
        env=_env(fake, tmp_path, f"127.0.0.1:{port}"),
        stdout=log,
        stderr=log,
    )
    try:
        fake.push_text(USER, "/start", first_name="Аня")
        assert fake.wait_for(lambda f: any("Привет" in t for t in f.texts_to(USER)), timeout=30)
        fake.push_text(USER, "Получить раскраску", first_name="Аня")
        fake.push_text(USER, "кот в шляпе", first_name="Аня")
        assert fake.wait_for(
            lambda f: any(c.method == "sendDocument" for c in f.sent_to(USER)), timeout=60
        )
        # The page is sent, then its job closed: the counters follow within a moment.
        assert fake.wait_for(
            lambda f: _metrics(port).get("paintbot_pages_delivered_total") == 1, timeout=10
        )
        seen = _metrics(port)
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.wait(timeout=60)
        log.close()
    assert bot.returncode == 0, (tmp_path / "bot.log").read_text()

    assert seen["paintbot_updates_handled_total{message}"] >= 2
    assert seen["paintbot_pages_requested_total"] == 1
    assert seen["paintbot_pages_delivered_total"] == 1
    assert seen["paintbot_pages_failed_total"] == 0
    assert seen["paintbot_generation_seconds_count"] == 1
    assert seen["paintbot_queue_depth"] == 0
    assert seen["paintbot_broadcast_recipients_remaining"] == 0
    # The server is gone with the process.
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5)


def _done(metrics: dict[str, float]) -> bool:
    """The page delivered and its task over (nothing waiting or running in the queue)."""
    return (
        metrics.get("paintbot_pages_delivered_total") == 1
        and metrics.get("paintbot_queue_depth") == 0
    )


def test_the_bot_and_a_worker_each_serve_what_they_counted(
    fake: FakeBotAPI, redis_server: RedisServer, tmp_path: Path
) -> None:
    deployment = Deployment(fake, tmp_path, redis_server.url)
    bot_port, worker_port = _free_port(), _free_port()
    try:
        deployment.settings["PAINTBOT_METRICS_LISTEN"] = f"127.0.0.1:{bot_port}"
        deployment.bot()
        deployment.settings["PAINTBOT_METRICS_LISTEN"] = f"127.0.0.1:{worker_port}"
        deployment.worker("worker")
        fake.push_text(USER, "/start", first_name="Аня")
        assert fake.wait_for(lambda _: deployment.said(USER, "Привет"), timeout=30)
        deployment.order(USER, "кот в шляпе")
        # Delivered is counted inside the page's task, which then closes the job and only then
        # leaves RQ's started registry (the depth counts it until it does): wait for both.
        assert fake.wait_for(lambda _: _done(_metrics(worker_port)), 60), deployment.log("worker")[
            -3000:
        ]
        bot, worker = _metrics(bot_port), _metrics(worker_port)
    finally:
        deployment.stop_all()

    # The bot handled the updates and opened the page; the worker drew and delivered it.
    assert bot["paintbot_updates_handled_total{message}"] >= 3
    assert bot["paintbot_pages_requested_total"] == 1
    assert bot["paintbot_pages_delivered_total"] == 0
    assert worker["paintbot_updates_handled_total{message}"] == 0
    assert worker["paintbot_pages_delivered_total"] == 1
    assert worker["paintbot_generation_seconds_count"] == 1
    # The queue is Redis's: every process reports the same deployment-wide depth.
    assert bot["paintbot_queue_depth"] == worker["paintbot_queue_depth"] == 0


@pytest.mark.parametrize(
    ("listen", "why"),
    [
        ("9464", "must be host:port"),
        ("127.0.0.1:99999", "the port must be a number from 1 to 65535"),
        ("127.0.0.1:8080", "must not use the webhook's port"),
        ("203.0.113.9:9464", "cannot listen on 203.0.113.9:9464"),  # not this machine's address
    ],
)
def test_a_bad_metrics_address_is_one_message_and_exit_2(
    fake: FakeBotAPI, tmp_path: Path, listen: str, why: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", "run"],
        cwd=tmp_path,
        env=_env(fake, tmp_path, listen),
        capture_output=True,
        timeout=60,
        check=False,
    )
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert "PAINTBOT_METRICS_LISTEN" in err and why in err
    assert "Traceback" not in err
