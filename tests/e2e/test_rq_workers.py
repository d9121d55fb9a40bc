"""`paintbot run` with REDIS_URL and `paintbot worker` processes on a real redis-server, the fake Bot
API and one SQLite file: 50 users' pages each delivered once by two workers; a worker killed with
SIGKILL mid-page (its credit comes back once, the page never arrives); SIGTERM finishes the page
in hand; Redis lost mid-page; a broadcast runs as RQ jobs; Redis down at start-up is one message
and exit 2."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from rq.registry import StartedJobRegistry
from rq.serializers import JSONSerializer

from adapters.rq_queue import QUEUE_NAME
from adapters.sqlite import SqliteStore
from adapters.system_clock import SystemClock
from support.broadcast_chat import TALLY, compose, copies_per_chat, seed, send_to_all, wait_text
from support.deployment import Deployment
from support.fake_openai import FakeOpenAI
from support.fake_telegram import FakeBotAPI
from support.redis_server import RedisServer, free_port
from support.telegram_world import ADMIN

pytestmark = pytest.mark.slow
INTERRUPTED = "прервалась"  # the user's message when recovery gives a page's credit back


@pytest.fixture
def telegram() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


@pytest.fixture
def openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def deployment(
    telegram: FakeBotAPI, openai: FakeOpenAI, redis_server: RedisServer, tmp_path: Path
) -> Iterator[Deployment]:
    running = Deployment(telegram, tmp_path, redis_server.url, openai)
    yield running
    running.stop_all()


def test_fifty_users_each_get_their_page_exactly_once_from_two_workers(
    deployment: Deployment,
) -> None:
    users = range(3001, 3051)
    deployment.bot()
    deployment.worker("worker-1")
    deployment.worker("worker-2")
    telegram = deployment.telegram
    for user in users:
        telegram.push_text(user, "/start", first_name="Аня")
    assert telegram.wait_for(lambda _: all(deployment.said(u, "Привет") for u in users), 60)
    for user in users:
        deployment.order(user, f"кот номер {user}")

    def all_delivered(_: FakeBotAPI) -> bool:
        return all(deployment.sent(u, "sendDocument") >= 1 for u in users)

    assert telegram.wait_for(all_delivered, 240), deployment.log("worker-1")[-3000:]
    assert telegram.wait_for(lambda _: all(deployment.credits(u) == (9, 0, 0) for u in users), 30)
    time.sleep(2)  # anything sent twice would show by now
    for user in users:
        assert (deployment.sent(user, "sendPhoto"), deployment.sent(user, "sendDocument")) == (
            1,
            1,
        ), user
    finished = [len(deployment.events(w, "job finished")) for w in ("worker-1", "worker-2")]
    assert sum(finished) == 50 and min(finished) > 0, finished
    assert not deployment.events("bot", "job finished"), "the bot draws nothing with REDIS_URL"


def test_a_worker_killed_mid_page_gives_its_credit_back_once_and_the_page_never_comes(
    deployment: Deployment,
) -> None:
    assert deployment.openai is not None
    deployment.openai.stall("images/generations", seconds=60)
    user = 3101
    deployment.bot()
    deployment.worker("doomed")
    deployment.telegram.push_text(user, "/start", first_name="Аня")
    assert deployment.telegram.wait_for(lambda _: deployment.said(user, "Привет"), 30)
    deployment.order(user, "кот в шляпе")
    openai = deployment.openai
    assert deployment.telegram.wait_for(
        lambda _: bool(openai.requests_to("images/generations")), 60
    )
    assert deployment.credits(user) == (9, 0, 1), "held by the page being drawn"

    deployment.kill("doomed")
    deployment.worker("survivor")  # its start-up recovery sees the dead process's lease

    assert deployment.telegram.wait_for(lambda _: deployment.said(user, INTERRUPTED), 30)
    assert deployment.credits(user) == (10, 0, 0)
    # RQ's own cleanup of the dead worker's job (due 30 min later: its job timeout), now: the job
    # is retried, and the survivor's run finds the page no longer queued and skips it.
    assert deployment.redis_url is not None
    started = StartedJobRegistry(
        QUEUE_NAME, connection=Redis.from_url(deployment.redis_url), serializer=JSONSerializer
    )
    started.cleanup(timestamp=time.time() + 10_000)
    assert deployment.wait_log("survivor", "job skipped: not queued"), deployment.log("survivor")
    assert deployment.sent(user, "sendPhoto") == 0
    assert deployment.credits(user) == (10, 0, 0), "released once, not re-run"
    deployment.order(user, "собака")  # nothing is in flight any more; the next page comes
    assert deployment.telegram.wait_for(lambda _: deployment.sent(user, "sendDocument") == 1, 60)
    assert deployment.telegram.wait_for(lambda _: deployment.credits(user) == (9, 0, 0), 30)
    assert deployment.sent(user, "sendPhoto") == 1, "the killed page never came"
    assert sum(INTERRUPTED in t for t in deployment.telegram.texts_to(user)) == 1


def test_sigterm_lets_a_worker_finish_the_page_in_hand_then_it_exits(
    deployment: Deployment,
) -> None:
    assert deployment.openai is not None
    deployment.openai.stall("images/generations", seconds=6)
    user = 3201
    deployment.bot()
    deployment.worker("worker")
    deployment.telegram.push_text(user, "/start", first_name="Аня")
    assert deployment.telegram.wait_for(lambda _: deployment.said(user, "Привет"), 30)
    deployment.order(user, "кот")
    openai = deployment.openai
    assert deployment.telegram.wait_for(
        lambda _: bool(openai.requests_to("images/generations")), 60
    )

    assert deployment.stop("worker") == 0
    assert deployment.sent(user, "sendDocument") == 1, "delivered before the worker exited"
    assert deployment.credits(user) == (9, 0, 0)


def test_redis_lost_mid_page_the_page_still_arrives_and_the_worker_exits_1_to_be_restarted(
    deployment: Deployment, redis_server: RedisServer
) -> None:
    assert deployment.openai is not None
    deployment.openai.stall("images/generations", seconds=5)
    user = 3251
    deployment.bot()
    worker = deployment.worker("worker")
    deployment.telegram.push_text(user, "/start", first_name="Аня")
    assert deployment.telegram.wait_for(lambda _: deployment.said(user, "Привет"), 30)
    deployment.order(user, "кот")
    openai = deployment.openai
    assert deployment.telegram.wait_for(
        lambda _: bool(openai.requests_to("images/generations")), 60
    )

    redis_server.stop()

    assert worker.wait(timeout=60) == 1, deployment.log("worker")[-3000:]
    assert deployment.events("worker", "worker ended without being asked to stop")
    assert deployment.sent(user, "sendDocument") == 1, "the page lives in storage, not in Redis"
    assert deployment.credits(user) == (9, 0, 0)


def test_a_broadcast_to_twenty_users_runs_through_a_worker(deployment: Deployment) -> None:
    users = range(3301, 3321)
    with SqliteStore(deployment.db, SystemClock()) as store:
        seed(store.users, users)
    deployment.bot()
    deployment.worker("worker")
    draft = compose(deployment.telegram, "Новые раскраски!")
    send_to_all(deployment.telegram, draft)

    tally = wait_text(deployment.telegram, ADMIN, TALLY, timeout=60)
    assert "доставлено 21 из 21" in tally  # and the admin, registered by their /broadcast
    assert copies_per_chat(deployment.telegram, draft) == dict.fromkeys([*users, ADMIN], 1)


@pytest.mark.parametrize("command", ["run", "worker", "check"])
def test_redis_down_at_start_up_is_one_message_and_exit_2(
    command: str, telegram: FakeBotAPI, tmp_path: Path
) -> None:
    url = f"redis://paint:s3cret-pw@127.0.0.1:{free_port()}/0"  # nothing listens there
    deployment = Deployment(telegram, tmp_path, url)

    done = subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", command],
        cwd=tmp_path,
        env=deployment.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert "cannot reach Redis at redis://paint:***@127.0.0.1" in done.stderr
    assert "s3cret-pw" not in done.stderr + done.stdout
    assert not telegram.calls, "nothing started"


def test_a_worker_without_redis_url_says_so_and_exits_2(
    telegram: FakeBotAPI, tmp_path: Path
) -> None:
    deployment = Deployment(telegram, tmp_path, None)

    done = subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", "worker"],
        cwd=tmp_path,
        env=deployment.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 2
    assert "REDIS_URL is not set" in done.stderr
