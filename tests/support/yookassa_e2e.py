"""Card payments end to end: real `paintbot` processes with YooKassa on, the fake Bot API and the
fake YooKassa API; the buyer pressing through /buy, the orders read back from the SQLite file,
YooKassa's notifications POSTed over HTTP, and every output searched for the shop's secret key."""

from __future__ import annotations

import base64
import json
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from support.deployment import Deployment
from support.fake_telegram import FakeBotAPI
from support.fake_yookassa import FakeYooKassa

SHOP_ID = "100500"
SECRET_KEY = "test_E2Ecanary-YooKassaKey_never-logged42"
RECEIPT = "Оплата получена"
PAY_TEXT = "Нажмите «Оплатить»"
HOOK = "/telegram/updates"
WEBHOOK_SECRET = "e2e-webhook_SECRET-0123456789"


def card_settings(yookassa: FakeYooKassa, *, poll_seconds: float) -> dict[str, str]:
    """YooKassa on, pointed at the fake; debug logs, so the secret check sees everything."""
    return {
        "YOOKASSA_SHOP_ID": SHOP_ID,
        "YOOKASSA_SECRET_KEY": SECRET_KEY,
        "YOOKASSA_API_URL": yookassa.api_url,
        "PAINTBOT_YOOKASSA_POLL_SECONDS": str(poll_seconds),
        "PAINTBOT_LOG_LEVEL": "DEBUG",
    }


def webhook_settings(port: int) -> dict[str, str]:
    return {
        "PAINTBOT_WEBHOOK_URL": f"http://127.0.0.1:{port}{HOOK}",
        "PAINTBOT_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "PAINTBOT_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
    }


@dataclass(frozen=True)
class Order:
    """A row of checkout_orders as the SQLite file has it now."""

    order_id: str
    user_id: int
    pages: int
    price: int
    currency: str
    state: str
    payment_id: str
    confirmation_url: str
    reason: str


@dataclass
class CardShop(Deployment):
    """A Deployment whose processes sell for roubles too (the settings from `card_settings`)."""

    cli_runs: int = 0
    notification: str = ""  # the notification URL, once asked of `paintbot yookassa url`

    def env(self) -> dict[str, str]:
        mine = {k: v for k, v in super().env().items() if not k.startswith("YOOKASSA_")}
        return mine | self.settings

    # ---- processes ---------------------------------------------------------------------------

    def webhook(self, name: str = "webhook") -> subprocess.Popen[bytes]:
        """`paintbot webhook`, serving once the fake Bot API has its (latest) setWebhook; the
        notification URL asked of `paintbot yookassa url` meanwhile (the first time)."""
        before = len(self.telegram.calls_of("setWebhook"))
        process = self.start(name, "webhook")
        if not self.notification:
            self.notification_url()
        registered = self.telegram.wait_for(
            lambda f: len(f.calls_of("setWebhook")) > before or process.poll() is not None, 30
        )
        assert registered and process.poll() is None, self.log(name)
        return process

    def cli(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """A one-off `paintbot ARGS...`; its stdout and stderr are kept in the folder too (the
        secret check reads them)."""
        done = subprocess.run(
            [sys.executable, "-m", "entrypoints.cli", *args],
            cwd=self.folder,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        self.cli_runs += 1
        out = self.folder / f"cli-{self.cli_runs}-{args[0]}.log"
        out.write_text(f"$ paintbot {' '.join(args)}\n{done.stdout}{done.stderr}")
        return done

    def ledger_verified(self) -> str:
        done = self.cli("ledger", "verify")
        assert done.returncode == 0 and "ledger consistent" in done.stdout, done.stdout
        return done.stdout

    def notification_url(self) -> str:
        """What `paintbot yookassa url` tells the operator to paste into YooKassa's settings."""
        done = self.cli("yookassa", "url")
        assert done.returncode == 0, done.stdout + done.stderr
        self.notification = done.stdout.splitlines()[0].strip()
        return self.notification

    # ---- the buyer ---------------------------------------------------------------------------

    def said_count(self, user: int, fragment: str) -> int:
        return sum(fragment in text for text in self.telegram.texts_to(user))

    def wait_said(self, user: int, fragment: str, count: int = 1, timeout: float = 30) -> None:
        seen = self.telegram.wait_for(lambda _: self.said_count(user, fragment) >= count, timeout)
        assert seen, f"no {fragment!r} (x{count}) to {user}: {self.telegram.texts_to(user)}"

    def started(self, user: int) -> None:
        self.telegram.push_text(user, "/start", first_name="Аня")
        self.wait_said(user, "Привет")

    def order_by_card(self, user: int, pages: int = 10) -> Order:
        """/buy → the pack → «Картой или СБП» → the order with its «Оплатить» link."""
        links = self.said_count(user, PAY_TEXT)
        self.telegram.push_text(user, "/buy")
        self.wait_said(user, "картой или через СБП", self.said_count(user, "через СБП") + 1)
        choices = self.said_count(user, "как удобнее оплатить")
        self.telegram.push_callback(user, f"pack:{pages}")
        self.wait_said(user, "как удобнее оплатить", choices + 1)
        assert f"paycard:{pages}" in str(self.last_keyboard(user))
        self.telegram.push_callback(user, f"paycard:{pages}")
        self.wait_said(user, PAY_TEXT, links + 1)
        return self.orders(user)[-1]

    def last_keyboard(self, user: int) -> list[list[dict[str, Any]]]:
        """The inline keyboard of the latest message sent to `user` with one."""
        for call in reversed(self.telegram.sent_to(user)):
            markup = call.params.get("reply_markup")
            if call.method == "sendMessage" and isinstance(markup, dict):
                rows: list[list[dict[str, Any]]] = markup.get("inline_keyboard") or []
                return rows
        raise AssertionError(f"no keyboard sent to {user}")

    def press(self, user: int, data: str) -> None:
        self.telegram.push_callback(user, data)

    # ---- the SQLite file ---------------------------------------------------------------------

    def orders(self, user: int) -> list[Order]:
        with sqlite3.connect(self.db) as conn:
            rows = conn.execute(
                "SELECT order_id, user_id, pages, price, currency, state, payment_id,"
                " confirmation_url, reason FROM checkout_orders WHERE user_id = ?"
                " ORDER BY created_at, rowid",
                (user,),
            ).fetchall()
        return [Order(*row) for row in rows]

    def checkout_order(self, order_id: str) -> Order:
        with sqlite3.connect(self.db) as conn:
            row = conn.execute(
                "SELECT order_id, user_id, pages, price, currency, state, payment_id,"
                " confirmation_url, reason FROM checkout_orders WHERE order_id = ?",
                (order_id,),
            ).fetchone()
        assert row is not None, order_id
        return Order(*row)

    def payments(self, user: int) -> list[tuple[str, str, int, int, str, str]]:
        """(charge_id, provider, pages, amount, currency, state) of each recorded payment."""
        with sqlite3.connect(self.db) as conn:
            rows = conn.execute(
                "SELECT charge_id, provider, pages, amount, currency, state FROM payments"
                " WHERE user_id = ? ORDER BY created_at",
                (user,),
            ).fetchall()
        return [tuple(row) for row in rows]

    def purchases(self, user: int) -> int:
        """How many purchase transactions credited `user` (each pack exactly once)."""
        with sqlite3.connect(self.db) as conn:
            (count,) = conn.execute(
                "SELECT count(*) FROM transactions WHERE user_id = ? AND key LIKE 'pay:%'",
                (user,),
            ).fetchone()
        return int(count)

    # ---- the secret --------------------------------------------------------------------------

    def leaks(self) -> list[str]:
        """Lines of any output in the folder (process logs, CLI runs) showing the secret key or
        the Basic credentials made of it."""
        basic = base64.b64encode(f"{SHOP_ID}:{SECRET_KEY}".encode()).decode()
        found = []
        for path in sorted(self.folder.glob("*.log")):
            for line in path.read_text(errors="replace").splitlines():
                if SECRET_KEY in line or basic in line:
                    found.append(f"{path.name}: {line[:300]}")
        return found


def notify(url: str, body: object, *, content_type: str = "application/json") -> int:
    """POST a notification as YooKassa does (a dict as JSON, bytes as given); the status."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    answer = requests.post(url, data=data, headers={"Content-Type": content_type}, timeout=30)
    return answer.status_code


def new_shop(
    telegram: FakeBotAPI, yookassa: FakeYooKassa, folder: Path, *, poll_seconds: float
) -> CardShop:
    folder.mkdir(parents=True, exist_ok=True)
    shop = CardShop(telegram, folder, None)
    shop.settings |= card_settings(yookassa, poll_seconds=poll_seconds)
    return shop
