"""The load side of bench/webhook.py: the fake Bot API in a process of its own, and a load
generator of LOADERS processes x THREADS threads, each thread on one keep-alive connection posting
updates one after another (a closed loop: at most CONNECTIONS requests in flight), or paced.

An update turned away with 503 ("not now": the bot holds its maximum of unhandled updates) is
posted again RETRY_503 seconds later, as Telegram delivers it again later.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import socket
import threading
import time
from multiprocessing.connection import Connection

from support.fake_telegram import FakeBotAPI

USERS = 500
LOADERS, THREADS = 2, 4  # load generator processes x threads: the connections in flight
CONNECTIONS = LOADERS * THREADS
RETRY_503 = 0.05  # seconds before an update turned away (503) is posted again
PATH = "/telegram"
Attempts = list[tuple[float, int]]  # (seconds to the answer, its status) of every request


def update(update_id: int, user: int) -> bytes:
    sender = {"id": user, "is_bot": False, "first_name": "Аня", "language_code": "ru"}
    message = {
        "message_id": update_id,
        "from": sender,
        "chat": {"id": user, "type": "private", "first_name": "Аня"},
        "date": 1_700_000_000,
        "text": "/balance",
        "entities": [{"type": "bot_command", "offset": 0, "length": 8}],
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


def serve_fake(conn: Connection) -> None:
    with FakeBotAPI() as fake:
        conn.send((fake.base_url, fake.token))
        while (request := conn.recv()) != "stop":
            if request == "ready":
                conn.send(bool(fake.calls_of("setWebhook")))
            elif request == "answers":
                times = [call.at for call in fake.calls_of("sendMessage")]
                conn.send((len(times), max(times, default=0.0)))


def _load(port: int, ids: list[int], secret: str, gap: float, out: Connection) -> None:
    """One generator process: THREADS threads share `ids`, each on its own connection, each
    sending its next update `gap` seconds after its previous one was sent (0: at once)."""
    results: Attempts = []
    lock = threading.Lock()
    chunks = [ids[n::THREADS] for n in range(THREADS)]

    def post_all(mine: list[int]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.connect()
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": secret}
        seen: Attempts = []
        begin = time.perf_counter()
        for n, update_id in enumerate(mine):
            time.sleep(max(0.0, begin + n * gap - time.perf_counter()))
            body = update(update_id, 1 + update_id % USERS)
            status = 503
            while status == 503:  # "not now": sent again a moment later, as Telegram does
                sent = time.perf_counter()
                connection.request("POST", PATH, body, headers)
                answer = connection.getresponse()
                answer.read()
                status = answer.status
                seen.append((time.perf_counter() - sent, status))
                if status == 503:
                    time.sleep(RETRY_503)
        connection.close()
        with lock:
            results.extend(seen)

    started = time.monotonic()
    threads = [threading.Thread(target=post_all, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.send((started, time.monotonic(), results))


def generate(
    port: int, ids: list[int], secret: str, rate: float = 0.0
) -> tuple[float, float, Attempts]:
    """LOADERS processes post `ids` between them, at `rate` updates/s in all (0: as fast as
    the answers come); (first start, last end, [(seconds, status)] of every attempt)."""
    gap = CONNECTIONS / rate if rate else 0.0
    context = multiprocessing.get_context("spawn")
    pipes, processes = [], []
    for n in range(LOADERS):
        here, there = context.Pipe()
        process = context.Process(target=_load, args=(port, ids[n::LOADERS], secret, gap, there))
        process.start()
        pipes.append(here)
        processes.append(process)
    runs = [pipe.recv() for pipe in pipes]
    for process in processes:
        process.join()
    return min(r[0] for r in runs), max(r[1] for r in runs), [x for r in runs for x in r[2]]
