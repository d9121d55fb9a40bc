"""`paintbot webhook` under a bounded loopback load: updates per second and the time to 200 OK.

Three kinds of process, as deployed: `paintbot webhook` itself (the CLI, SQLite in a temp dir,
JSON logs at INFO paid for and thrown away), the fake Bot API in a process of its own (it answers
the bot's sendMessage calls and notes when each arrived), and the load generator of
bench/webhook_load.py (2 processes x 4 threads, each thread on one keep-alive connection: at most
8 requests in flight, as Telegram's `max_connections` bounds its own). Each update is a
`/balance` from one of USERS users (each registered by a first message before the clock starts)
with a new update_id, so each is handled and answered with one sendMessage.

Measured: the time from sending a POST to reading its 200 (p50, p99, in the generator), first for
the request path alone (in this process: a memory UpdateLog, a dialog that does nothing, one
connection), then at PACED_RATE updates/s (a load the bot keeps up with), then as fast as the
answers come: updates accepted per second (the first POST to the last 200 OK; an update answered
503 is posted again 50 ms later, as Telegram delivers it again) and handled per second (the first
POST to the last answer arriving at the fake). Last, a flood of FLOOD requests with a wrong
secret: 403s per second, p99, and that no update was handled. time.monotonic() is the system's
monotonic clock, the same in every process.
"""

from __future__ import annotations

import http.client
import logging
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

_TESTS = Path(__file__).resolve().parents[1] / "tests"
if str(_TESTS) not in sys.path:
    sys.path.insert(0, str(_TESTS))

import structlog  # noqa: E402

from adapters.memory import InMemoryUpdateLog, ManualClock  # noqa: E402
from adapters.telegram import TelegramWebhook, make_bot  # noqa: E402
from support.fake_telegram import FakeBotAPI  # noqa: E402

from .webhook_load import CONNECTIONS, PATH, USERS, generate, serve_fake, update  # noqa: E402

UPDATES = 10_000
FLOOD = 5_000
PACED, PACED_RATE = 2_000, 200.0  # a load the bot keeps up with: updates, updates/s
SECRET = "bench-webhook-secret"
_OURS = ("PAINTBOT_", "BOT_TOKEN", "OPENAI_", "MONGODB_URI", "REDIS_URL", "ADMIN_IDS")
Rows = list[dict[str, object]]


def _say(message: str) -> None:
    print(f"[webhook] {message}", file=sys.stderr, flush=True)


def _ms(values: list[float], quantile: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(quantile * len(ordered)))] * 1000, 2)


def _wait_answers(fake: Connection, count: int, timeout: float) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fake.send("answers")
        answered, last = fake.recv()
        if answered >= count:
            return float(last)
        time.sleep(0.05)
    raise RuntimeError(f"only {answered} of {count} updates answered within {timeout} s")


def _start_bot(folder: Path, base_url: str, token: str, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    env |= {
        "BOT_TOKEN": token,
        "PAINTBOT_TELEGRAM_API_URL": base_url,
        "PAINTBOT_DB_PATH": str(folder / "bot.sqlite3"),
        "PAINTBOT_LOG_FORMAT": "json",
        "PAINTBOT_LOG_LEVEL": "INFO",
        "PAINTBOT_WEBHOOK_URL": f"http://127.0.0.1:{port}{PATH}",
        "PAINTBOT_WEBHOOK_SECRET": SECRET,
        "PAINTBOT_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "entrypoints.cli", "webhook"],
        cwd=folder,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _webhook_set(fake: Connection) -> bool:
    fake.send("ready")
    return bool(fake.recv())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _path_alone(count: int = 3000) -> list[float]:
    """The request path by itself, in this process: TelegramWebhook on waitress with a memory
    UpdateLog and a dialog that does nothing, one keep-alive connection, one request at a time."""
    config = structlog.get_config()  # restored: the bench may run inside a test session
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    try:
        with FakeBotAPI() as fake:
            webhook = TelegramWebhook(
                make_bot(fake.token, fake.base_url),
                url=f"https://bot.example.com{PATH}",
                secret=SECRET,
                listen=("127.0.0.1", 0),
                ready=dict,
                on_message=lambda event: None,
                updates=InMemoryUpdateLog(),
                clock=ManualClock(),
            )
            host, port = webhook.start()
            connection = http.client.HTTPConnection(host, port)
            connection.connect()
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            headers = {
                "Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": SECRET,
            }
            times = []
            for update_id in range(1, count + 1):
                body = update(update_id, 1 + update_id % USERS)
                sent = time.perf_counter()
                connection.request("POST", PATH, body, headers)
                connection.getresponse().read()
                times.append(time.perf_counter() - sent)
            connection.close()
            webhook.stop(timeout=5)
    finally:
        structlog.configure(**config)
    return times


def run() -> Rows:
    context = multiprocessing.get_context("spawn")
    fake, there = context.Pipe()
    fake_process = context.Process(target=serve_fake, args=(there,), daemon=True)
    fake_process.start()
    base_url, token = fake.recv()
    port = _free_port()
    with tempfile.TemporaryDirectory() as folder:
        bot = _start_bot(Path(folder), base_url, token, port)
        try:
            deadline = time.monotonic() + 60
            while not _webhook_set(fake):
                if time.monotonic() > deadline or bot.poll() is not None:
                    raise RuntimeError("paintbot webhook did not start")
                time.sleep(0.1)
            _say(f"warming up: {USERS} users' first messages")
            generate(port, list(range(1, USERS + 1)), SECRET)
            _wait_answers(fake, USERS, 60)
            _say(f"{UPDATES} updates over {CONNECTIONS} connections")
            ids = list(range(USERS + 1, USERS + 1 + UPDATES))
            started, ended, results = generate(port, ids, SECRET)
            handled_at = _wait_answers(fake, USERS + UPDATES, 300)
            _say(f"{PACED} updates at {PACED_RATE:.0f}/s")
            first = USERS + UPDATES + 1
            paced = generate(port, list(range(first, first + PACED)), SECRET, PACED_RATE)
            _wait_answers(fake, USERS + UPDATES + PACED, 120)
            _say(f"a flood of {FLOOD} requests with a wrong secret")
            flood = generate(port, list(range(10**9, 10**9 + FLOOD)), "wrong-secret")
            time.sleep(1.0)
            fake.send("answers")
            after_flood, _ = fake.recv()
            after_flood -= USERS + UPDATES + PACED
        finally:
            bot.terminate()
            code = bot.wait(timeout=60)
    fake.send("stop")
    fake_process.join(timeout=10)

    alone = _path_alone()
    ok = [seconds for seconds, status in results if status == 200]
    busy = sum(status == 503 for _, status in results)
    calm = [seconds for seconds, status in paced[2] if status == 200]
    denied = [seconds for seconds, status in flood[2] if status == 403]
    load = f"{UPDATES} updates as fast as answered, {CONNECTIONS} connections, {USERS} users"
    steady = f"{PACED} updates at {PACED_RATE:.0f}/s, {CONNECTIONS} connections"
    path = "the request path alone (memory UpdateLog, a dialog doing nothing, 1 connection)"
    return [
        {
            "benchmark": f"webhook: time to 200 OK, p50, {path}",
            "value": _ms(alone, 0.5),
            "unit": "ms",
        },
        {
            "benchmark": f"webhook: time to 200 OK, p99, {path}",
            "value": _ms(alone, 0.99),
            "unit": "ms",
        },
        {
            "benchmark": f"webhook: time to 200 OK, p50 ({steady})",
            "value": _ms(calm, 0.5),
            "unit": "ms",
        },
        {
            "benchmark": f"webhook: time to 200 OK, p99 ({steady})",
            "value": _ms(calm, 0.99),
            "unit": "ms",
        },
        {
            "benchmark": f"webhook: time to 200 OK, p50 ({load})",
            "value": _ms(ok, 0.5),
            "unit": "ms",
        },
        {
            "benchmark": f"webhook: time to 200 OK, p99 ({load})",
            "value": _ms(ok, 0.99),
            "unit": "ms",
        },
        {
            "benchmark": "webhook: updates accepted per second (first POST to last 200 OK)",
            "value": round(len(ok) / (ended - started)),
            "unit": f"updates/s (all {len(ok)} answered 200; {busy} times 503 first: backlog full)",
        },
        {
            "benchmark": "webhook: updates handled per second (first POST to the last answer at the fake)",
            "value": round(UPDATES / (handled_at - started)),
            "unit": "updates/s (each answered with one sendMessage)",
        },
        {
            "benchmark": f"webhook: a flood of {FLOOD} wrong-secret requests, refused per second",
            "value": round(len(denied) / (flood[1] - flood[0])),
            "unit": f"403/s (p99 {_ms(denied, 0.99)} ms, mean {round(statistics.mean(denied) * 1000, 2)} ms)",
        },
        {
            "benchmark": "webhook: updates handled because of the flood",
            "value": after_flood,
            "unit": f"updates (exit code after SIGTERM: {code})",
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
