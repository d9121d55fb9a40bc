"""`paintbot run` and `paintbot get-id` as processes against a fake Bot API server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.fake_telegram import FakeBotAPI

pytestmark = pytest.mark.slow
_OURS = ("PAINTBOT_", "BOT_TOKEN", "OPENAI_", "MONGODB_URI", "REDIS_URL", "ADMIN_IDS")


@pytest.fixture
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as server:
        yield server


def start(
    fake: FakeBotAPI, tmp_path: Path, command: str, token: str | None = None
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    env |= {
        "BOT_TOKEN": token or fake.token,
        "PAINTBOT_TELEGRAM_API_URL": fake.base_url,
        "PAINTBOT_DB_PATH": str(tmp_path / "bot.sqlite3"),
        "PAINTBOT_LOG_FORMAT": "json",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "entrypoints.cli", command],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def stop(process: subprocess.Popen[bytes], fake: FakeBotAPI) -> tuple[int, str]:
    """SIGTERM, then, once the bot says it is stopping, one more update that it must leave alone."""
    lines: list[str] = []
    stopping = threading.Event()

    def read() -> None:
        assert process.stderr is not None
        for raw in process.stderr:
            line = raw.decode("utf-8", "replace")
            lines.append(line)
            if '"event": "stopping' in line:
                stopping.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    process.send_signal(signal.SIGTERM)
    if stopping.wait(30):
        fake.push_text(1, "wake the long poll")  # arrives after the stop: left for the next start
    process.wait(timeout=60)
    reader.join(timeout=10)
    return process.returncode, "".join(lines)


def test_run_answers_start_and_stops_cleanly_on_sigterm(fake: FakeBotAPI, tmp_path: Path) -> None:
    bot = start(fake, tmp_path, "run")
    try:
        assert fake.wait_for(lambda f: bool(f.calls_of("setMyCommands")), timeout=30)
        fake.push_text(77, "/start", first_name="Аня")
        assert fake.wait_for(lambda f: any("Привет, Аня" in t for t in f.texts_to(77)), timeout=30)
    finally:
        code, err = stop(bot, fake)
    assert code == 0, err
    assert '"event": "stopped"' in err and "Traceback" not in err
    assert fake.token not in err  # the token never reaches the logs
    assert [u for u in fake.pending_updates if "wake" in str(u)], (
        "the unhandled update stays with Telegram"
    )


def test_run_with_a_refused_token_exits_2_with_a_clear_message(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    bot = start(fake, tmp_path, "run", token="999:WRONG")
    _, err = bot.communicate(timeout=60)
    assert bot.returncode == 2
    assert "Telegram refused BOT_TOKEN" in err.decode()


def test_get_id_answers_a_photo_with_its_file_id(fake: FakeBotAPI, tmp_path: Path) -> None:
    tool = start(fake, tmp_path, "get-id")
    try:
        assert fake.wait_for(lambda f: bool(f.calls_of("deleteWebhook")), timeout=30)
        fake.push_photo(55)
        assert fake.wait_for(
            lambda f: any(t.startswith("file_id: ") for t in f.texts_to(55)), timeout=30
        )
        fake.push_text(55, "hello")
        assert fake.wait_for(
            lambda f: any("file_id" in t and "Пришлите" in t for t in f.texts_to(55)), timeout=30
        )
    finally:
        code, err = stop(tool, fake)
    assert code == 0, err
    assert not fake.calls_of("setMyCommands"), "get-id leaves the bot's command menu alone"


def test_a_stop_with_a_backlog_loses_no_update_and_answers_none_twice(
    fake: FakeBotAPI, tmp_path: Path
) -> None:
    """Issue 12's defect: a SIGTERM with 40+ messages of one chat queued used to confirm them all
    and answer about half; another user's /start behind them was never answered."""
    bot = start(fake, tmp_path, "run")
    try:
        assert fake.wait_for(lambda f: bool(f.calls_of("setMyCommands")), timeout=30)
        fake.latency = 0.6  # every Bot API call: one chat's 45 answers take ~27 s, more than a stop
        for _ in range(45):
            fake.push_text(1000, "/balance")
        fake.push_text(1008, "/start", first_name="Боря")
        assert fake.wait_for(lambda f: any("Боря" in t for t in f.texts_to(1008)), timeout=30)
    finally:
        code, err = stop(bot, fake)
    assert code == 0, err
    assert "updates left unhandled for the next start" in err

    fake.latency = 0.0
    bot = start(fake, tmp_path, "run")
    try:
        assert fake.wait_for(lambda f: len(balances(f)) >= 45, timeout=60)
    finally:
        stop(bot, fake)
    assert len(balances(fake)) == 45, "every message answered once, none twice"
    assert sum("Боря" in t for t in fake.texts_to(1008)) == 1


def balances(fake: FakeBotAPI) -> list[str]:
    return [t for t in fake.texts_to(1000) if t.startswith("Бесплатных раскрасок")]
