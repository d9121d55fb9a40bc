"""Telegram responsiveness under load: PaintBot vs telebot's defaults, on the fake Bot API.

100 users order a page each against a generator that takes 2 s; meanwhile new users send /start
every 0.2 s. Measured: how long each /start waits for its "Привет" (p50, p99) and how long until
all 100 pages (their PDFs) are delivered, against the ideal ceil(100 / concurrency) x 2 s.

Baseline, in the same run: a plain telebot.TeleBot with its defaults (threaded, num_threads=2)
whose handler generates inside itself (sleeps 2 s), then sends the photo and the PDF.

Both talk real HTTP to tests/support/fake_telegram with `latency` seconds added to every request.
Times are time.monotonic(): a probe's latency is when its sendMessage arrived at the fake minus when
its /start was pushed (so the fake's added latency is not counted on the answer's leg). Each bot
answers one /start before the clock starts. The first probes go out with the burst of orders (200
updates for PaintBot: the button and the description per user), so they measure that burst too.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

_TESTS = Path(__file__).resolve().parents[1] / "tests"
if str(_TESTS) not in sys.path:
    sys.path.insert(0, str(_TESTS))

import structlog  # noqa: E402
import telebot  # noqa: E402
from telebot import apihelper  # noqa: E402

from adapters.memory import FakeImageGenerator  # noqa: E402
from entrypoints.logging import configure_logging  # noqa: E402
from support.fake_telegram import FakeBotAPI  # noqa: E402
from support.telegram_world import start_bot  # noqa: E402

USERS = 100
DELAY = 2.0  # seconds per generation
CONCURRENCY = 8  # PAINTBOT_GENERATION_CONCURRENCY
BASELINE_THREADS = 2  # telebot's default num_threads
LATENCY = 0.005  # seconds the fake adds to every request (a short network round trip)
PROBES = 120  # one /start from a new user every PROBE_INTERVAL: 24 s, inside PaintBot's ~26 s
PROBE_INTERVAL = 0.2
GIVE_UP = 150.0  # seconds a probe may wait before it counts as unanswered
DELIVERY_TIMEOUT = 180.0
DESCRIPTION = "кот в шляпе"
PAGE_USERS = range(10_000, 10_000 + USERS)
WARM_UP_USER = 19_999
IDEAL = math.ceil(USERS / CONCURRENCY) * DELAY


@contextlib.contextmanager
def _bot_logging() -> Iterator[None]:
    """Logging as deployed (INFO, JSON), paid for but thrown away; WARNING and up go to stderr."""
    root = logging.getLogger()
    handlers, level, config = root.handlers[:], root.level, structlog.get_config()
    with open(os.devnull, "w", encoding="utf-8") as sink:
        configure_logging(fmt="json", level="INFO", stream=sink)
        loud = logging.StreamHandler(sys.stderr)
        loud.setLevel(logging.WARNING)
        loud.setFormatter(root.handlers[0].formatter)
        root.addHandler(loud)
        try:
            yield
        finally:
            root.handlers[:] = handlers
            root.setLevel(level)
            structlog.configure(**config)


def _say(message: str) -> None:
    print(f"[telegram_load] {message}", file=sys.stderr, flush=True)


@dataclass
class Result:
    latencies_ms: list[float]  # answered probes only
    unanswered: int
    total_s: float


def _answers(fake: FakeBotAPI) -> dict[int, float]:
    """chat -> when the first "Привет…" sendMessage to it arrived at the fake."""
    first: dict[int, float] = {}
    for call in fake.calls_of("sendMessage"):
        chat, text = call.chat_id, str(call.params.get("text", ""))
        if chat is not None and chat not in first and text.startswith("Привет"):
            first[chat] = call.at
    return first


def _first_documents(fake: FakeBotAPI) -> dict[int, float]:
    wanted, first = set(PAGE_USERS), {}
    for call in fake.calls_of("sendDocument"):
        if call.chat_id in wanted and call.chat_id not in first:
            first[call.chat_id] = call.at
    return first


def _warm_up(fake: FakeBotAPI) -> None:
    """One /start answered before the clock starts: connections and first-call costs are paid."""
    fake.push_text(WARM_UP_USER, "/start")
    if not fake.wait_for(lambda f: WARM_UP_USER in _answers(f), timeout=30):
        raise RuntimeError("the bot did not answer the warm-up /start")


def _load(fake: FakeBotAPI, name: str, order: Callable[[int], object], probe_base: int) -> Result:
    """Order USERS pages, probe with /start from new users, wait for every page and probe."""
    started = time.monotonic()
    for user in PAGE_USERS:
        order(user)
    _say(f"{name}: {USERS} pages ordered; probing /start every {PROBE_INTERVAL}s x {PROBES}")
    pushed: dict[int, float] = {}
    for i in range(PROBES):
        time.sleep(max(0.0, started + i * PROBE_INTERVAL - time.monotonic()))
        chat = probe_base + i
        pushed[chat] = time.monotonic()
        fake.push_text(chat, "/start")
    done = _first_documents(fake)
    _say(f"{name}: probes sent; {len(done)}/{USERS} pages delivered so far")

    deadline = started + DELIVERY_TIMEOUT
    while len(done) < USERS and time.monotonic() < deadline:
        fake.wait_for(lambda f: len(_first_documents(f)) == USERS, timeout=10)
        done = _first_documents(fake)
        _say(f"{name}: {len(done)}/{USERS} pages delivered after {time.monotonic() - started:.0f}s")
    if len(done) < USERS:
        raise RuntimeError(f"{name}: only {len(done)}/{USERS} pages within {DELIVERY_TIMEOUT}s")
    total = max(done.values()) - started

    give_up = max(pushed.values()) + GIVE_UP
    fake.wait_for(
        lambda f: pushed.keys() <= _answers(f).keys(),
        timeout=max(0.0, give_up - time.monotonic()),
    )
    answers, latencies = _answers(fake), []
    for chat, at in pushed.items():
        answered = answers.get(chat)
        if answered is not None and answered - at <= GIVE_UP:
            latencies.append((answered - at) * 1000)
    result = Result(latencies, PROBES - len(latencies), total)
    _say(f"{name}: done in {total:.1f}s; {len(latencies)}/{PROBES} probes answered")
    return result


def _paintbot() -> Result:
    with FakeBotAPI() as fake, tempfile.TemporaryDirectory() as folder:
        fake.latency = LATENCY
        _say(f"PaintBot: starting (generator {DELAY}s, {CONCURRENCY} generation workers)")
        running = start_bot(
            fake,
            Path(folder),
            generator=FakeImageGenerator(delay=DELAY),
            PAINTBOT_GENERATION_CONCURRENCY=CONCURRENCY,
        )
        try:
            _warm_up(fake)

            def order(user: int) -> None:
                fake.push_text(user, "Получить раскраску")
                fake.push_text(user, DESCRIPTION)

            return _load(fake, "PaintBot", order, probe_base=20_000)
        finally:
            running.stop()


def _baseline() -> Result:
    with FakeBotAPI() as fake:
        fake.latency = LATENCY
        # setattr: telebot annotates these globals as None.
        setattr(apihelper, "API_URL", fake.api_url)  # noqa: B010
        setattr(apihelper, "FILE_URL", fake.file_url)  # noqa: B010
        bot = telebot.TeleBot(fake.token, threaded=True, num_threads=BASELINE_THREADS)

        @bot.message_handler(func=lambda message: True)
        def handle(message: telebot.types.Message) -> None:
            chat = message.chat.id
            if message.text == "/start":
                bot.send_message(chat, "Привет")
                return
            time.sleep(DELAY)  # generation inside the handler
            bot.send_photo(chat, b"PNG:fake page")
            bot.send_document(chat, b"%PDF:fake page", visible_file_name="page.pdf")

        _say(f"baseline: starting telebot defaults (threaded, num_threads={BASELINE_THREADS})")
        polling = threading.Thread(
            target=bot.infinity_polling,
            kwargs={"timeout": 10, "long_polling_timeout": 1},
            name="baseline-polling",
            daemon=True,
        )
        polling.start()
        try:
            _warm_up(fake)
            return _load(
                fake, "baseline", lambda user: fake.push_text(user, DESCRIPTION), probe_base=30_000
            )
        finally:
            bot.stop_polling()
            polling.join(timeout=15)
            bot.worker_pool.close()


def _percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _quantiles(result: Result) -> tuple[float, float]:
    # Unanswered probes waited at least GIVE_UP: they rank last.
    values = result.latencies_ms + [math.inf] * result.unanswered
    return _percentile(values, 50), _percentile(values, 99)


def _ms(value: float) -> object:
    return f">= {GIVE_UP * 1000:.0f}" if math.isinf(value) else round(value, 1)


def _ratio(a: float, b: float) -> object:
    if math.isinf(a) or math.isinf(b) or b == 0:
        return "n/a"
    return float(f"{a / b:.3g}")


def run() -> list[dict[str, object]]:
    saved = apihelper.API_URL, apihelper.FILE_URL
    started = time.monotonic()
    try:
        with _bot_logging():
            paint = _paintbot()
            base = _baseline()
    finally:
        apihelper.API_URL, apihelper.FILE_URL = saved
    _say(f"both scenarios took {time.monotonic() - started:.0f}s")

    paint_p50, paint_p99 = _quantiles(paint)
    base_p50, base_p99 = _quantiles(base)
    load = f"{USERS} pages x {DELAY:g} s generator, fake RTT +{LATENCY * 1000:g} ms"
    probes = f"{PROBES} probes, one per {PROBE_INTERVAL:g} s"
    paint_name = f"telegram: PaintBot ({CONCURRENCY} generation workers)"
    base_name = f"telegram: telebot defaults (threaded, num_threads={BASELINE_THREADS}, generation in handler)"

    def rows_for(name: str, result: Result, p50: float, p99: float) -> list[dict[str, object]]:
        return [
            {
                "benchmark": f"{name}: /start answered, p50 ({probes}; {load})",
                "value": _ms(p50),
                "unit": "ms",
            },
            {
                "benchmark": f"{name}: /start answered, p99 (nearest rank of {PROBES})",
                "value": _ms(p99),
                "unit": "ms",
            },
            {
                "benchmark": f"{name}: probes unanswered within {GIVE_UP:g} s",
                "value": result.unanswered,
                "unit": "probes",
            },
            {
                "benchmark": f"{name}: all {USERS} pages delivered (first order to last PDF)",
                "value": round(result.total_s, 2),
                "unit": "s",
            },
        ]

    return [
        *rows_for(paint_name, paint, paint_p50, paint_p99),
        {
            "benchmark": f"telegram: ideal ceil({USERS}/{CONCURRENCY}) x {DELAY:g} s",
            "value": IDEAL,
            "unit": "s",
        },
        {
            "benchmark": "telegram: PaintBot all pages delivered / ideal",
            "value": round(paint.total_s / IDEAL, 3),
            "unit": "ratio",
        },
        *rows_for(base_name, base, base_p50, base_p99),
        {
            "benchmark": "telegram: PaintBot / baseline, /start p50",
            "value": _ratio(paint_p50, base_p50),
            "unit": "ratio",
        },
        {
            "benchmark": "telegram: PaintBot / baseline, /start p99",
            "value": _ratio(paint_p99, base_p99),
            "unit": "ratio",
        },
        {
            "benchmark": "telegram: PaintBot / baseline, all pages delivered",
            "value": _ratio(paint.total_s, base.total_s),
            "unit": "ratio",
        },
    ]


if __name__ == "__main__":
    for row in run():
        print(f"{row['benchmark']}: {row['value']} {row['unit']}")
