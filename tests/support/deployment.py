"""A deployment of `paintbot` processes for end-to-end tests: the bot and its RQ workers as real
subprocesses on one SQLite file, the fake Bot API, a redis-server and (optionally) the fake OpenAI
API; each process logs JSON to its own file in the test's folder."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from support.fake_openai import FakeOpenAI
from support.fake_telegram import FakeBotAPI
from support.telegram_world import ADMIN

_OURS = ("PAINTBOT_", "BOT_TOKEN", "OPENAI_", "MONGODB_URI", "REDIS_URL", "ADMIN_IDS")
BUTTON = "Получить раскраску"


@dataclass
class Deployment:
    telegram: FakeBotAPI
    folder: Path
    redis_url: str | None
    openai: FakeOpenAI | None = None
    settings: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def db(self) -> Path:
        return self.folder / "bot.sqlite3"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
        env |= {
            "BOT_TOKEN": self.telegram.token,
            "PAINTBOT_TELEGRAM_API_URL": self.telegram.base_url,
            "PAINTBOT_DB_PATH": str(self.db),
            "PAINTBOT_LOG_FORMAT": "json",
            "ADMIN_IDS": str(ADMIN),
            "PAINTBOT_BROADCAST_RATE": "30",
        }
        if self.redis_url is not None:
            env["REDIS_URL"] = self.redis_url
        if self.openai is not None:
            env |= {
                "OPENAI_API_KEY": "sk-test-not-a-real-key",
                "OPENAI_BASE_URL": self.openai.base_url,
            }
        return env | self.settings

    def start(self, name: str, *command: str) -> subprocess.Popen[bytes]:
        """`paintbot COMMAND...` as process `name`, logging to <name>.log."""
        log = (self.folder / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "entrypoints.cli", *command],
            cwd=self.folder,
            env=self.env(),
            stdout=log,
            stderr=log,
        )
        self.processes[name] = process
        return process

    def bot(self) -> subprocess.Popen[bytes]:
        process = self.start("bot", "run")
        assert self.telegram.wait_for(lambda f: bool(f.calls_of("setMyCommands")), 30), self.log(
            "bot"
        )
        return process

    def worker(self, name: str) -> subprocess.Popen[bytes]:
        process = self.start(name, "worker")
        assert self.wait_log(name, "worker started"), self.log(name)
        return process

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def events(self, name: str, event: str) -> list[dict[str, object]]:
        """The JSON log records of process `name` whose event is `event`."""
        found = []
        for line in self.log(name).splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and record.get("event") == event:
                found.append(record)
        return found

    def wait_log(self, name: str, event: str, count: int = 1, timeout: float = 30) -> bool:
        return self.telegram.wait_for(lambda _: len(self.events(name, event)) >= count, timeout)

    def kill(self, name: str) -> None:
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait()  # reaped: its pid is gone, so its leases are known to be a dead process's

    def stop(self, name: str, timeout: float = 60) -> int:
        process = self.processes[name]
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return process.returncode

    def stop_all(self) -> None:
        for process in self.processes.values():  # all at once: each may take a while
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for name in list(self.processes):
            self.stop(name)

    def order(self, user: int, description: str) -> None:
        self.telegram.push_text(user, BUTTON, first_name="Аня")
        self.telegram.push_text(user, description, first_name="Аня")

    def sent(self, user: int, method: str) -> int:
        return sum(1 for call in self.telegram.sent_to(user) if call.method == method)

    def said(self, user: int, fragment: str) -> bool:
        return any(fragment in text for text in self.telegram.texts_to(user))

    def credits(self, user: int) -> tuple[int, int, int] | None:
        """free, paid, held of `user` in the SQLite file."""
        with sqlite3.connect(self.db) as conn:
            row = conn.execute(
                "SELECT free, paid, held FROM wallets WHERE user_id = ?", (user,)
            ).fetchone()
        return None if row is None else (int(row[0]), int(row[1]), int(row[2]))
