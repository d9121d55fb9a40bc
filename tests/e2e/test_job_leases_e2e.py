"""`paintbot run` with a slow image API and after kill -9: a page is delivered only while its
credit is held, a live worker keeps its job, a dead one's job is refunded at the next start."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.fake_openai import FakeOpenAI
from support.fake_telegram import FakeBotAPI

pytestmark = pytest.mark.slow
_OURS = ("PAINTBOT_", "BOT_TOKEN", "OPENAI_", "MONGODB_URI", "REDIS_URL", "ADMIN_IDS")
USER = 41
BUTTON = "Получить раскраску"


@pytest.fixture
def telegram() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


@pytest.fixture
def openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def start(
    telegram: FakeBotAPI, openai: FakeOpenAI, tmp_path: Path, job_timeout: int
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    env |= {
        "BOT_TOKEN": telegram.token,
        "PAINTBOT_TELEGRAM_API_URL": telegram.base_url,
        "OPENAI_API_KEY": "sk-test-not-a-real-key",
        "OPENAI_BASE_URL": openai.base_url,
        "PAINTBOT_DB_PATH": str(tmp_path / "bot.sqlite3"),
        "PAINTBOT_LOG_FORMAT": "json",
        "PAINTBOT_JOB_TIMEOUT": str(job_timeout),
    }
    log = (tmp_path / "bot.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "entrypoints.cli", "run"],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=log,
    )


def order(telegram: FakeBotAPI, description: str) -> None:
    telegram.push_text(USER, BUTTON, first_name="Аня")
    telegram.push_text(USER, description, first_name="Аня")


def pages_to(telegram: FakeBotAPI) -> int:
    return sum(1 for call in telegram.sent_to(USER) if call.method == "sendPhoto")


def said(telegram: FakeBotAPI, fragment: str) -> bool:
    return any(fragment in text for text in telegram.texts_to(USER))


def credits(tmp_path: Path) -> tuple[int, int, int]:
    """free, paid, held of the user, read from the bot's SQLite file."""
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        row = db.execute(
            "SELECT free, paid, held FROM wallets WHERE user_id = ?", (USER,)
        ).fetchone()
    return tuple(row)  # type: ignore[return-value]


def stop(bot: subprocess.Popen[bytes]) -> None:
    if bot.poll() is None:
        bot.send_signal(signal.SIGTERM)
        try:
            bot.wait(timeout=60)
        except subprocess.TimeoutExpired:
            bot.kill()
            bot.wait()


def test_an_image_api_slower_than_the_job_timeout_still_delivers_once_and_charges_once(
    telegram: FakeBotAPI, openai: FakeOpenAI, tmp_path: Path
) -> None:
    openai.stall("images/generations", seconds=25)  # 3 x PAINTBOT_JOB_TIMEOUT, as in issue 11
    bot = start(telegram, openai, tmp_path, job_timeout=8)
    try:
        telegram.push_text(USER, "/start", first_name="Аня")
        assert telegram.wait_for(lambda f: said(f, "Привет"), timeout=30)
        order(telegram, "кот в шляпе")
        assert telegram.wait_for(lambda f: pages_to(f) == 1, timeout=90)
        assert telegram.wait_for(lambda f: credits(tmp_path) == (9, 0, 0), timeout=30)
        order(telegram, "собака")  # the first page no longer counts as in flight
        assert telegram.wait_for(lambda f: pages_to(f) == 2, timeout=60)
    finally:
        stop(bot)
    assert not said(telegram, "прервалась")  # the live worker kept its job: no false refund
    assert pages_to(telegram) == 2
    assert credits(tmp_path) == (8, 0, 0)
    assert "Осталось раскрасок: 9" in str(telegram.sent_to(USER))


def test_a_restart_right_after_kill_9_refunds_the_interrupted_page_at_once(
    telegram: FakeBotAPI, openai: FakeOpenAI, tmp_path: Path
) -> None:
    openai.stall("images/generations", seconds=120)
    first = start(telegram, openai, tmp_path, job_timeout=600)
    try:
        telegram.push_text(USER, "/start", first_name="Аня")
        assert telegram.wait_for(lambda f: said(f, "Привет"), timeout=30)
        order(telegram, "кот в шляпе")
        assert telegram.wait_for(lambda _: bool(openai.requests_to("images/generations")), 60)
        assert credits(tmp_path) == (9, 0, 1)  # one credit held by the running page
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()

    second = start(telegram, openai, tmp_path, job_timeout=600)
    try:
        # Not after the 600 s timeout: the dead process's lease is given up at start-up.
        assert telegram.wait_for(lambda f: said(f, "прервалась"), timeout=30)
        assert credits(tmp_path) == (10, 0, 0)
        order(telegram, "собака")
        assert telegram.wait_for(lambda f: pages_to(f) == 1, timeout=60)
        assert telegram.wait_for(lambda f: credits(tmp_path) == (9, 0, 0), timeout=30)
    finally:
        stop(second)
    assert not said(telegram, "Я ещё рисую")
