"""Secrets never reach the output: the real `paintbot` process, debug logs on, its servers failing.

Tokens arrive padded the way real deployments pad them (an exported variable with a stray space, a
quoted `.env` value, a token file with CRLF), and every line the process writes is searched for
them, URL-encoded forms included.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO
from urllib.parse import quote, quote_plus

import pytest

from support.fake_openai import FakeOpenAI
from support.fake_telegram import FakeBotAPI

pytestmark = pytest.mark.slow
_OURS = ("PAINTBOT_", "BOT_TOKEN", "OPENAI_", "MONGODB_URI", "REDIS_URL", "ADMIN_IDS")

TOKEN = "123456:AAHcanaryBotToken-never_logged42"
OPENAI_KEY = "sk-proj-canaryOpenAIKey-never_logged42"
USER = 77


def leaks(output: str, *secrets: str) -> list[str]:
    """The lines showing a secret in any form: as is, URL-encoded, its part after a colon."""
    forms = set()
    for secret in secrets:
        forms |= {secret, quote(secret, safe=""), quote_plus(secret), secret.rpartition(":")[2]}
    return [line for line in output.splitlines() if any(form in line for form in forms)]


class Process:
    """`paintbot` running with its stdout and stderr read as they come."""

    def __init__(self, tmp_path: Path, args: Sequence[str], env: dict[str, str]) -> None:
        environment = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
        environment |= {
            "PAINTBOT_DB_PATH": str(tmp_path / "bot.sqlite3"),
            "PAINTBOT_OUTPUT_DIR": str(tmp_path / "pages"),
            "PAINTBOT_LOG_FORMAT": "json",
            "PAINTBOT_LOG_LEVEL": "DEBUG",
            **env,
        }
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "entrypoints.cli", *args],
            cwd=tmp_path,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._readers = [
            threading.Thread(target=self._read, args=(stream,), daemon=True)
            for stream in (self.popen.stdout, self.popen.stderr)
            if stream is not None
        ]
        for reader in self._readers:
            reader.start()

    def _read(self, stream: IO[bytes]) -> None:
        for raw in stream:
            with self._lock:
                self._lines.append(raw.decode("utf-8", "replace"))

    @property
    def output(self) -> str:
        with self._lock:
            return "".join(self._lines)

    def wait_output(self, fragment: str, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while fragment not in self.output:
            if time.monotonic() > deadline or self.popen.poll() is not None:
                return fragment in self.output
            time.sleep(0.05)
        return True

    def stop(self) -> str:
        """SIGTERM, then everything it wrote to stdout and stderr."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=90)
        finally:
            if self.popen.poll() is None:
                self.popen.kill()
        for reader in self._readers:
            reader.join(timeout=10)
        return self.output


@pytest.fixture
def telegram() -> Iterator[FakeBotAPI]:
    with FakeBotAPI(token=TOKEN) as server:
        yield server


def run_bot(telegram: FakeBotAPI, tmp_path: Path, **env: str) -> Process:
    return Process(
        tmp_path,
        ["run"],
        {
            "BOT_TOKEN": f" {TOKEN}\r\n",
            "PAINTBOT_TELEGRAM_API_URL": telegram.base_url,
            **env,
        },
    )


def wait(telegram: FakeBotAPI, predicate: Callable[[FakeBotAPI], bool], what: str) -> None:
    assert telegram.wait_for(predicate, timeout=60), f"{what}; calls: {telegram.attempts}"


def greeted(telegram: FakeBotAPI) -> None:
    telegram.push_text(USER, "/start")
    wait(telegram, lambda f: any("Привет" in t for t in f.texts_to(USER)), "no greeting")


def test_padded_token_never_reaches_the_logs(telegram: FakeBotAPI, tmp_path: Path) -> None:
    bot = run_bot(telegram, tmp_path)
    try:
        greeted(telegram)  # the stripped token is the one Telegram accepts
        telegram.drop_connection("sendMessage", times=None)
        telegram.push_text(USER, "/balance")
        wait(
            telegram,
            lambda f: sum(c.method == "sendMessage" and c.status == 0 for c in f.attempts) >= 4,
            "the reply was not retried",
        )
        telegram.stop()  # the Bot API is gone: every poll fails
        assert bot.wait_output("polling network error"), bot.output
    finally:
        output = bot.stop()

    assert leaks(output, TOKEN) == []
    assert "/bot***/getUpdates" in output, "urllib3's debug lines are logged, token redacted"


@pytest.mark.parametrize("padded", [f" {OPENAI_KEY}\r\n", f"\ufeff{OPENAI_KEY}\n"])
def test_padded_openai_key_draws_pages_and_never_reaches_the_logs(
    telegram: FakeBotAPI, tmp_path: Path, padded: str
) -> None:
    openai = FakeOpenAI(api_key=OPENAI_KEY).start()  # refuses any other key, padded ones too
    bot = run_bot(telegram, tmp_path, OPENAI_API_KEY=padded, OPENAI_BASE_URL=openai.base_url)
    try:
        greeted(telegram)
        telegram.push_text(USER, "Получить раскраску")
        telegram.push_text(USER, "кот в шляпе")
        wait(
            telegram,
            lambda f: (
                bool(f.calls_of("sendDocument"))
                or any(t.startswith(("Не получилось", "Извините")) for t in f.texts_to(USER))
            ),
            "the page neither arrived nor failed",
        )
        sent = [c.chat_id for c in telegram.calls_of("sendPhoto")]
        assert sent == [USER], telegram.texts_to(USER)
        openai.stop()  # now nothing listens at OPENAI_BASE_URL
        telegram.push_text(USER, "Получить раскраску")
        telegram.push_text(USER, "собака")
        wait(
            telegram,
            lambda f: any("Не получилось нарисовать «собака»" in t for t in f.texts_to(USER)),
            "the failed page was not reported",
        )
    finally:
        output = bot.stop()
        openai.stop()

    assert leaks(output, OPENAI_KEY, TOKEN) == []
    assert "cannot connect to OpenAI" in output  # the second page's failure is logged


@pytest.mark.parametrize("given", ["MONGODB_URI", "--mongodb-uri"])
def test_mongodb_password_never_reaches_the_output(tmp_path: Path, given: str) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    password = "canary@Mongo/pass-never_logged42"
    uri = f"mongodb://paint:{quote(password, safe='')}@127.0.0.1:{port}/paintbot"
    if given == "MONGODB_URI":
        process = Process(tmp_path, ["check"], {"MONGODB_URI": f" {uri}\r\n"})
    else:
        (tmp_path / "bot.sqlite3").touch()  # an empty SQLite database to move
        process = Process(tmp_path, ["migrate", "sqlite-to-mongo", "--mongodb-uri", uri], {})
    process.popen.wait(timeout=60)
    output = process.stop()

    assert leaks(output, password) == []
    assert process.popen.returncode == 2 and "storage unavailable" in output
    assert "paint:***@127.0.0.1" in output  # the URI is named, its password is not
