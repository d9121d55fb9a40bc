"""RQ workers (issue 15): page throughput with 1, 2 and 4 `paintbot worker` processes against an image
generator that takes 1 s, as a ratio to the ideal (each worker one page per second).

A redis-server on a free loopback port (tests/support/redis_server.py) and one SQLite file in a
temp dir. Each worker is a process of its own (`bench/worker_process.py`: the container as
`paintbot worker` builds it, the generator replaced by a fake that sleeps SECONDS, the finisher
and the chat by fakes). This process is the bot's side: it registers PAGES_PER_WORKER x workers
users and requests one page for each through RequestColoringPage (the credit held, the task on
Redis), once every worker is registered with RQ and idle. Measured from the first request to the
moment the last page's job is stored as succeeded (the SQLite file polled every 20 ms): pages/s,
and pages/s / workers, the ratio to the ideal. A run with an instant generator shows what each
task costs besides drawing (RQ, SQLite, the credit's capture).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

_ROOT = Path(__file__).resolve().parents[1]
_TESTS = _ROOT / "tests"
if str(_TESTS) not in sys.path:
    sys.path.insert(0, str(_TESTS))

from dependency_injector import providers  # noqa: E402
from rq import Worker  # noqa: E402

from entrypoints.container import Container  # noqa: E402
from entrypoints.settings import Settings  # noqa: E402
from paintcore.domain.pages import PageOptions  # noqa: E402
from paintcore.domain.users import Profile, UserId  # noqa: E402
from support.redis_server import RedisServer, running_redis  # noqa: E402

WORKERS = (1, 2, 4)
PAGES_PER_WORKER = 20  # pages per run: this many for each worker (20 s at the ideal)
SECONDS = 1.0  # what drawing one page takes
INSTANT_PAGES = 60  # the run with an instant generator (1 worker)
TIMEOUT = 300.0
_OURS = ("PAINTBOT_", "BOT_TOKEN", "OPENAI_", "MONGODB_URI", "REDIS_URL", "ADMIN_IDS")


def _say(message: str) -> None:
    print(f"[workers] {message}", file=sys.stderr, flush=True)


def _env(redis: RedisServer, db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    return env | {
        "REDIS_URL": redis.url,
        "PAINTBOT_DB_PATH": str(db),
        "BOT_TOKEN": "123456:bench-token-not-real",  # the fake chat never uses it
        "PAINTBOT_LOG_FORMAT": "json",
        "PYTHONPATH": os.pathsep.join([str(_ROOT), str(_ROOT / "src")]),
    }


@contextlib.contextmanager
def _workers(count: int, seconds: float, redis: RedisServer, db: Path) -> Iterator[None]:
    logs = [(db.parent / f"worker-{n}.log").open("ab") for n in range(count)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.worker_process", str(seconds)],
            cwd=_ROOT,
            env=_env(redis, db),
            stdout=log,
            stderr=log,
        )
        for log in logs
    ]
    try:
        deadline = time.monotonic() + 60
        while Worker.count(connection=redis.client()) < count:
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                raise RuntimeError(f"workers did not start: see {db.parent}/worker-*.log")
            time.sleep(0.05)
        yield
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in logs:
            log.close()


def _succeeded(db: Path) -> int:
    with contextlib.closing(sqlite3.connect(db, timeout=5)) as conn:
        return int(
            conn.execute("SELECT count(*) FROM jobs WHERE state = 'succeeded'").fetchone()[0]
        )


def _throughput(workers: int, pages: int, seconds: float) -> float:
    """Pages per second with `workers` worker processes drawing `pages` pages."""
    with running_redis() as redis, tempfile.TemporaryDirectory(prefix="paintbot-bench-") as tmp:
        db = Path(tmp) / "bot.sqlite3"
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            REDIS_URL=redis.url,
            PAINTBOT_DB_PATH=str(db),
            PAINTBOT_FREE_GENERATIONS=1,
        )
        bot = Container(settings=settings)
        bot.moderator.override(providers.Object(bot.word_list()))
        register, request = bot.register_user(), bot.request_page()
        users = range(1, pages + 1)
        for user in users:
            profile = Profile(UserId(user), first_name="A", username=f"u{user}", language_code="ru")
            register(profile=profile, language="ru")
        with _workers(workers, seconds, redis, db):
            started = time.perf_counter()
            for user in users:
                request(
                    user_id=UserId(user), chat_id=user, description="кот", options=PageOptions()
                )
            deadline = time.monotonic() + TIMEOUT
            while _succeeded(db) < pages:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{_succeeded(db)} of {pages} pages after {TIMEOUT} s")
                time.sleep(0.02)
            elapsed = time.perf_counter() - started
        bot.store().close()
    _say(f"{workers} worker(s), {pages} pages of {seconds} s: {elapsed:.2f} s")
    return pages / elapsed


def run() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for workers in WORKERS:
        pages = PAGES_PER_WORKER * workers
        rate = _throughput(workers, pages, SECONDS)
        what = f"pages with {workers} RQ worker{'s' if workers > 1 else ''}, generator {SECONDS:g} s ({pages} pages; Redis, SQLite)"
        rows.append({"benchmark": what, "value": round(rate, 2), "unit": "pages/s"})
        rows.append(
            {
                "benchmark": f"{what}: ratio to the ideal",
                "value": round(rate / (workers / SECONDS), 3),
                "unit": f"(pages/s) / ({workers} x {1 / SECONDS:g} page/s)",
            }
        )
    instant = _throughput(1, INSTANT_PAGES, 0.0)
    rows.append(
        {
            "benchmark": f"pages with 1 RQ worker, instant generator ({INSTANT_PAGES} pages; Redis, SQLite)",
            "value": round(instant, 1),
            "unit": f"pages/s ({1000 / instant:.1f} ms of queue, storage and capture per page)",
        }
    )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
