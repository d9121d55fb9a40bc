"""Broadcasts (issue 14): the engine's pace, its throughput, its memory, its MongoDB commands.

The application is built from the container as `paintbot` builds it (SQLite in a temp dir), users
are seeded straight into the store (one transaction) and each broadcast is started with
StartBroadcast, so the engine runs as deployed: steps of 100 recipients on the in-process worker
pool, holding the broadcast's lease, the admin's status message edited every 5 s.

1. Paced: USERS users at PAINTBOT_BROADCAST_RATE=25 through TelegramMessenger (the real telebot)
   against the fake Bot API over real HTTP, for WINDOW seconds, then cancelled. From the fake's
   arrival time of each copyMessage (time.monotonic() as the request arrived): the copies in the
   WINDOW seconds from the first one, as a % of 25 x WINDOW, and the most copies in any one second.
2. Paid: USERS users with PAINTBOT_BROADCAST_PAID=true at rate 1000 on the same fake, to the end:
   messages/s from the first copy to the last, and from the fake's records that every user got
   exactly one copy (duplicates, lost users).
3. Round trip: the engine has one request in flight at a time, so the fake's added latency shows
   what a distance to Telegram costs: paid with +RTT_PAID s, paced at 25/s with +RTT_PACED s.
4. Where a paid delivery's time goes, each part alone: a copyMessage round trip through the
   messenger (and the fake server's share of it: HTTP parsing, its handler, the reply), the SQLite
   record of a delivery, the engine itself (memory store, a copier that only counts).
5. Memory: the engine to the end in this thread on SQLite with a copier that only counts (the
   memory messenger keeps every message) at MEMORY_SIZES users: tracemalloc's peak while sending
   (seeding and the recipients' snapshot come before it starts; a small run warms up first).
6. MongoDB commands per delivery: MONGO_USERS deliveries on a MongoStore over mongomock, every
   collection call counted (tests/support/mongo_counting.py): page reads, claims, cancel checks,
   status counts and the end included.

The fake runs in this process: the bot and the server share one GIL (and the machine's 2 cores).
`python -m bench.broadcasts --profile N` runs a paid broadcast to N users under cProfile.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import itertools
import pstats
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_TESTS = Path(__file__).resolve().parents[1] / "tests"
if str(_TESTS) not in sys.path:
    sys.path.insert(0, str(_TESTS))

from dependency_injector import providers  # noqa: E402
from telebot import apihelper  # noqa: E402

from adapters.memory import (  # noqa: E402
    CountingPacer,
    FakeImageGenerator,
    FakePhotoTracer,
    InMemoryJobQueue,
)
from adapters.mongo import MongoStore  # noqa: E402
from adapters.queue import InProcessJobQueue  # noqa: E402
from adapters.sqlite import SqliteStore  # noqa: E402
from adapters.system_clock import SystemClock  # noqa: E402
from contract.users_contract import a_user  # noqa: E402
from entrypoints.container import Container  # noqa: E402
from entrypoints.settings import Settings  # noqa: E402
from paintcore.domain.broadcasts import (  # noqa: E402
    Audience,
    BroadcastCounts,
    BroadcastId,
    BroadcastState,
    CopiedMessage,
    Delivery,
    senders_for,
)
from paintcore.domain.users import UserId  # noqa: E402
from support.fake_telegram import FakeBotAPI  # noqa: E402
from support.mongo_counting import CountingClient  # noqa: E402

from .fake_process import FakeInAProcess  # noqa: E402
from .telegram_load import _bot_logging  # noqa: E402

USERS = 10_000
PACED_RATE = 25
WINDOW = 20.0  # seconds of the paced broadcast that are measured
PAID_RATE = 1000
TIMEOUT = 120.0  # seconds a broadcast run to its end may take
RTT_PAID, RTT_PAID_USERS = 0.005, 1_000  # +5 ms, as bench/telegram_load.py
RTT_PACED, RTT_PACED_USERS = 0.050, 200
COST_CALLS = 2_000  # calls per part of a delivery's cost
MEMORY_SIZES = (10_000, 100_000)
MEMORY_WARM_UP = 1_000
MONGO_USERS = 1_000
ADMIN = 900  # not a recipient: the admin is not among the seeded users
FIRST_USER = 1_000  # recipients are FIRST_USER .. FIRST_USER + n - 1
TEXT = "Новые раскраски к празднику!"


def _say(message: str) -> None:
    print(f"[broadcasts] {message}", file=sys.stderr, flush=True)


def _recipients(count: int) -> range:
    return range(FIRST_USER, FIRST_USER + count)


def _seed(store: Any, count: int) -> None:
    """`count` users added with `store.users.add`; on SQLite in one transaction (each add joins
    the seeding's transaction instead of committing its own), elsewhere one by one."""
    if not isinstance(store, SqliteStore):
        for user_id in _recipients(count):
            store.users.add(a_user(user_id))
        return
    db = store._db
    with db.write() as conn:
        db.write = lambda: contextlib.nullcontext(conn)  # type: ignore[method-assign]
        try:
            for user_id in _recipients(count):
                store.users.add(a_user(user_id))
        finally:
            del db.write


def _start(app: Container, name: str, message: CopiedMessage, status: int | None) -> BroadcastId:
    broadcast_id = BroadcastId(name)
    app.start_broadcast()(
        broadcast_id=broadcast_id,
        admin_id=UserId(ADMIN),
        message=message,
        audience=Audience.everyone(),
        created_at=app.clock().now(),
        status_message_id=status,
    )
    return broadcast_id


def _run_to_end(app: Container, broadcast_id: BroadcastId) -> int:
    """The steps of a broadcast in this thread, each handing its lease to the next; how many."""
    run, lease, steps = app.run_broadcast(), None, 0
    while True:
        steps += 1
        lease = run(broadcast_id=broadcast_id, lease_from=lease)
        if lease is None:
            return steps


# ---- the Telegram messenger against the fake Bot API --------------------------------------------


@dataclass
class TelegramRun:
    times: list[float]  # when each copyMessage arrived at the fake, in order
    chats: Counter[int]  # copies per chat
    paid_flags: set[bool]  # allow_paid_broadcast as the fake read it
    counts: BroadcastCounts  # the store's tally at the end
    state: BroadcastState
    wall: float = 0.0  # seconds from StartBroadcast to the last step's end

    @property
    def rate(self) -> float:
        """Messages per second from the first copy to the last."""
        span = self.times[-1] - self.times[0]
        return (len(self.times) - 1) / span if span > 0 else float("inf")


@contextlib.contextmanager
def _telegram_app(
    rate: float, *, paid: bool, latency: float = 0.0, steps_here: bool = False, **more: Any
) -> Iterator[tuple[FakeBotAPI, Container]]:
    """The bot (SQLite, the real telebot) on a fake Bot API that adds `latency` s to every request.
    `steps_here`: a queue that only collects (the caller runs the steps), else the worker pool."""
    with FakeBotAPI() as fake:
        fake.latency = latency
        with _bot(fake.base_url, fake.token, rate, paid=paid, steps_here=steps_here, **more) as app:
            yield fake, app


@contextlib.contextmanager
def _bot(
    url: str, token: str, rate: float, *, paid: bool, steps_here: bool = False, **more: Any
) -> Iterator[Container]:
    """The bot (SQLite in a temporary folder, the real telebot) on the Bot API at `url`."""
    saved = apihelper.API_URL, apihelper.FILE_URL
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None,
            BOT_TOKEN=token,
            PAINTBOT_TELEGRAM_API_URL=url,
            PAINTBOT_STORAGE="sqlite",
            PAINTBOT_DB_PATH=str(Path(folder) / "bot.sqlite3"),
            ADMIN_IDS=str(ADMIN),
            PAINTBOT_BROADCAST_PAID=paid,
            PAINTBOT_BROADCAST_RATE=rate,
            **more,
        )
        app = Container(settings=settings)
        app.channel.override("telegram")
        # Not used by broadcasts; the offline generator would load its dictionaries in a
        # background thread while the first broadcast runs (seconds of the GIL).
        app.generator.override(providers.Object(FakeImageGenerator()))
        app.tracer.override(providers.Object(FakePhotoTracer()))
        if steps_here:
            app.queue.override(providers.Object(InMemoryJobQueue()))
        try:
            yield app
        finally:
            queue = app.queue()
            if isinstance(queue, InProcessJobQueue):
                queue.close(timeout=10, drain=False)
            app.store().close()
            apihelper.API_URL, apihelper.FILE_URL = saved


def _ceiling(users: int) -> TelegramRun:
    """Paid, unthrottled (a pacer that never waits), the fake Bot API in its own process: how
    fast our sending goes when Telegram is not the limit."""
    with (
        FakeInAProcess(ADMIN, TEXT) as fake,
        _bot(fake.base_url, fake.token, PAID_RATE, paid=True) as app,
    ):
        app.pacer.override(providers.Object(CountingPacer()))
        _say(f"ceiling: {users} users, paid, unthrottled, the fake in its own process")
        _seed(app.store(), users)
        status = app.messenger().post_text(ADMIN, "Рассылка начинается…")
        broadcast_id = _start(app, "bench-ceiling", CopiedMessage(ADMIN, fake.source), status)
        started = time.monotonic()
        if not app.queue().join(timeout=TIMEOUT):
            raise RuntimeError(f"ceiling: not done within {TIMEOUT:g} s")
        wall = time.monotonic() - started
        copies = fake.copies()
        found = app.broadcasts().get(broadcast_id)
        assert found is not None
        return TelegramRun(
            times=copies.times,
            chats=copies.chats,
            paid_flags=copies.paid_flags,
            counts=app.broadcasts().counts(broadcast_id),
            state=found.state,
            wall=wall,
        )


def _source(fake: FakeBotAPI) -> CopiedMessage:
    """The admin's message to copy, as the fake knows it."""
    message_id = fake.message_id_of(fake.push_text(ADMIN, TEXT))
    assert message_id is not None
    return CopiedMessage(ADMIN, message_id)


def _begin(fake: FakeBotAPI, app: Container, users: int, name: str) -> BroadcastId:
    """Seed `users`, post the admin's status message, start the broadcast (its first step
    enqueued)."""
    _seed(app.store(), users)
    source = _source(fake)
    status = app.messenger().post_text(ADMIN, "Рассылка начинается…")
    return _start(app, name, source, status)


def _outcome(fake: FakeBotAPI, app: Container, broadcast_id: BroadcastId) -> TelegramRun:
    copies = fake.copies()
    found = app.broadcasts().get(broadcast_id)
    assert found is not None
    return TelegramRun(
        times=[call.at for call in fake.calls_of("copyMessage")],
        chats=Counter(record["chat_id"] for record in copies),
        paid_flags={bool(record["allow_paid_broadcast"]) for record in copies},
        counts=app.broadcasts().counts(broadcast_id),
        state=found.state,
    )


def _paced() -> TelegramRun:
    with _telegram_app(PACED_RATE, paid=False) as (fake, app):
        _say(f"paced: {USERS} users at {PACED_RATE}/s, {WINDOW:g} s measured, then cancelled")
        broadcast_id = _begin(fake, app, USERS, "bench-paced")
        if not fake.wait_for(lambda f: bool(f.calls_of("copyMessage")), timeout=10):
            raise RuntimeError("paced: no copy within 10 s")
        time.sleep(WINDOW + 0.5)  # the fake is not polled meanwhile: it would take the GIL
        app.cancel_broadcast()(broadcast_id=broadcast_id)
        if not app.queue().join(timeout=10):
            raise RuntimeError("paced: the step did not stop within 10 s of the cancel")
        return _outcome(fake, app, broadcast_id)


def _to_the_end(rate: float, users: int, *, paid: bool, latency: float = 0.0) -> TelegramRun:
    """A broadcast to `users` on the worker pool, waited for to its end."""
    with _telegram_app(rate, paid=paid, latency=latency) as (fake, app):
        _say(f"{users} users at up to {rate:g}/s (paid: {paid}), fake RTT +{latency * 1000:g} ms")
        broadcast_id = _begin(fake, app, users, f"bench-{rate:g}-{users}-{latency:g}")
        started = time.monotonic()
        if not app.queue().join(timeout=TIMEOUT):
            raise RuntimeError(f"{users} users at {rate:g}/s: not done within {TIMEOUT:g} s")
        result = _outcome(fake, app, broadcast_id)
        result.wall = time.monotonic() - started
        return result


def most_in_one_second(times: list[float]) -> int:
    """The most arrivals in any window (t - 1 s, t]."""
    ordered, most, first = sorted(times), 0, 0
    for last, moment in enumerate(ordered):
        while ordered[first] <= moment - 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def closest(times: list[float]) -> float:
    """The shortest time between two arrivals, in ms."""
    ordered = sorted(times)
    return 1000 * min(b - a for a, b in itertools.pairwise(ordered))


# ---- the engine in this thread, with a copier that only counts ----------------------------------


class CountingCopier:
    """The messenger's broadcast side doing nothing but count (copies; status edits and texts)."""

    def __init__(self) -> None:
        self.copies = 0
        self.texts = 0

    def copy_message(
        self, chat_id: int, from_chat_id: int, message_id: int, *, paid: bool = False
    ) -> int:
        self.copies += 1
        return self.copies

    def edit_text(self, *args: object, **kwargs: object) -> None:
        self.texts += 1

    def send_text(self, *args: object, **kwargs: object) -> None:
        self.texts += 1


def _engine_app(copier: CountingCopier, **settings: Any) -> Container:
    """The container paid at 1000/s with a pacer that never waits, a queue that only collects
    (the steps run in this thread) and `copier` as the messenger."""
    app = Container(
        settings=Settings(
            _env_file=None,
            PAINTBOT_BROADCAST_PAID=True,
            PAINTBOT_BROADCAST_RATE=PAID_RATE,
            **settings,
        )
    )
    clock = SystemClock()
    pacer = CountingPacer()  # never waits: the engine's own cost, not the rate
    for provider, fake in (
        (app.clock, clock),
        (app.messenger, copier),
        (app.queue, InMemoryJobQueue()),
        (app.pacer, pacer),
    ):
        provider.override(providers.Object(fake))
    return app


@contextlib.contextmanager
def _sqlite_engine(
    users: int, name: str
) -> Iterator[tuple[Container, BroadcastId, CountingCopier]]:
    """A started broadcast to `users` on a fresh SQLite store, its steps left to the caller."""
    copier = CountingCopier()
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "bot.sqlite3")
        app = _engine_app(copier, PAINTBOT_STORAGE="sqlite", PAINTBOT_DB_PATH=path)
        try:
            _seed(app.store(), users)
            yield app, _start(app, name, CopiedMessage(ADMIN, 1), 1), copier
        finally:
            app.store().close()


def _memory(users: int) -> tuple[float, float]:
    """Peak KiB traced while the engine sends to `users` users, and how long that took (s)."""
    with _sqlite_engine(users, f"bench-memory-{users}") as (app, broadcast_id, copier):
        tracemalloc.start()
        started = time.perf_counter()
        _run_to_end(app, broadcast_id)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        counts = app.broadcasts().counts(broadcast_id)
    if copier.copies != users or counts.sent != users:
        raise RuntimeError(f"memory: {copier.copies} copies, {counts.sent} sent of {users}")
    return peak / 1024, elapsed


def _mongo_commands() -> tuple[float, Counter[str]]:
    """MongoDB commands per delivery over MONGO_USERS deliveries, and the commands by name."""
    import mongomock  # a test dependency, as in bench/mongo_round_trips.py

    sent: list[str] = []
    clock = SystemClock()
    client = CountingClient(mongomock.MongoClient(tz_aware=True), sent)
    store = MongoStore(client, "bench", clock)  # type: ignore[arg-type]
    copier = CountingCopier()
    app = _engine_app(copier, PAINTBOT_STORAGE="memory")
    app.store.override(providers.Object(store))
    _seed(store, MONGO_USERS)
    broadcast_id = _start(app, "bench-mongo", CopiedMessage(ADMIN, 1), 1)
    sent.clear()
    _run_to_end(app, broadcast_id)
    if copier.copies != MONGO_USERS:
        raise RuntimeError(f"mongo: {copier.copies} copies of {MONGO_USERS}")
    return len(sent) / MONGO_USERS, Counter(sent)


# ---- where a paid delivery's time goes --------------------------------------------------------


@contextlib.contextmanager
def _server_clock(fake: FakeBotAPI) -> Iterator[list[float]]:
    """Seconds the fake's connection threads spend on requests, from the parsed request line to
    the flushed reply (waiting for the next request is not counted)."""
    handler: Any = fake._http._server.RequestHandlerClass
    parse, serve = handler.parse_request, handler._serve
    spent, began = [0.0], {}

    def timed_parse(self: Any) -> bool:
        began[id(self)] = time.perf_counter()
        return bool(parse(self))

    def timed_serve(self: Any) -> None:
        serve(self)
        self.wfile.flush()
        spent[0] += time.perf_counter() - began.pop(id(self))

    handler.parse_request, handler._serve = timed_parse, timed_serve
    try:
        yield spent
    finally:
        handler.parse_request, handler._serve = parse, serve


def _per_call(calls: int, call: Callable[[int], object]) -> float:
    """ms per call of `call(i)` for i in range(calls)."""
    started = time.perf_counter()
    for i in range(calls):
        call(i)
    return 1000 * (time.perf_counter() - started) / calls


def _costs() -> dict[str, float]:
    """ms per delivery of each part, measured alone."""
    costs: dict[str, float] = {}
    with _telegram_app(PAID_RATE, paid=True, steps_here=True) as (fake, app):
        source, messenger = _source(fake), app.messenger()

        def copy(i: int) -> None:
            messenger.copy_message(
                FIRST_USER + i, source.from_chat_id, source.message_id, paid=True
            )

        copy(0)  # the connection is opened before the clock starts
        with _server_clock(fake) as server:
            costs["round trip"] = _per_call(COST_CALLS, copy)
        costs["server"] = 1000 * server[0] / COST_CALLS
    with _sqlite_engine(COST_CALLS, "bench-record") as (app, broadcast_id, _copier):
        broadcasts, clock = app.broadcasts(), app.clock()
        costs["record"] = _per_call(
            COST_CALLS,
            lambda i: broadcasts.record(
                broadcast_id, UserId(FIRST_USER + i), Delivery.SENT, at=clock.now()
            ),
        )
    copier = CountingCopier()
    app = _engine_app(copier, PAINTBOT_STORAGE="memory")
    _seed(app.store(), COST_CALLS)
    broadcast_id = _start(app, "bench-engine", CopiedMessage(ADMIN, 1), 1)
    started = time.perf_counter()
    _run_to_end(app, broadcast_id)
    costs["engine"] = 1000 * (time.perf_counter() - started) / COST_CALLS
    return costs


# ---- the table --------------------------------------------------------------------------------


def run() -> list[dict[str, object]]:
    started = time.monotonic()
    with _bot_logging():
        paced = _paced()
        paid = _ceiling(USERS)
        far_paid = _to_the_end(PAID_RATE, RTT_PAID_USERS, paid=True, latency=RTT_PAID)
        far_paced = _to_the_end(PACED_RATE, RTT_PACED_USERS, paid=False, latency=RTT_PACED)
        costs = _costs()
        _memory(MEMORY_WARM_UP)  # first-use allocations (caches, statements) are not counted
        memory = {users: _memory(users) for users in MEMORY_SIZES}
        per_delivery, commands = _mongo_commands()
    _say(f"costs (ms per delivery): {costs}")
    _say(f"memory (KiB, s): {memory}")
    _say(f"MongoDB commands in {MONGO_USERS} deliveries: {dict(commands)}")
    _say(f"all broadcast scenarios took {time.monotonic() - started:.0f}s")

    in_window = sum(1 for t in paced.times if t < paced.times[0] + WINDOW)
    duplicates = sum(n - 1 for n in paid.chats.values() if n > 1)
    lost = sum(1 for user in _recipients(USERS) if paid.chats[user] == 0)
    small, large = (memory[n][0] for n in MEMORY_SIZES)
    paced_name = f"broadcast at {PACED_RATE}/s ({USERS} users; fake Bot API, real telebot, SQLite)"
    paid_name = (
        f"broadcast paid, unthrottled, {senders_for(PAID_RATE)} sends in flight "
        f"({USERS} users; fake Bot API in its own process, real telebot, SQLite)"
    )
    cost = "broadcast paid delivery, each part alone"
    return [
        {
            "benchmark": f"{paced_name}: copies in the first {WINDOW:g} s",
            "value": in_window,
            "unit": f"messages (limit {PACED_RATE * WINDOW:g})",
        },
        {
            "benchmark": f"{paced_name}: achieved rate (copies / {WINDOW:g} s) / limit",
            "value": round(100 * in_window / WINDOW / PACED_RATE, 1),
            "unit": "% (goal >= 95)",
        },
        {
            "benchmark": f"{paced_name}: most copies in any one-second window",
            "value": most_in_one_second(paced.times),
            "unit": f"messages (goal <= {PACED_RATE})",
        },
        {
            "benchmark": f"{paced_name}: closest two copies",
            "value": round(closest(paced.times), 1),
            "unit": f"ms (the pacer's slot: {1000 / PACED_RATE:g} ms)",
        },
        {
            "benchmark": f"{paced_name}: cancelled after {WINDOW + 0.5:g} s, copies in all",
            "value": len(paced.times),
            "unit": f"messages ({paced.counts.sent} recorded sent; {paced.state})",
        },
        {
            "benchmark": f"{paid_name}: achieved rate (first copy to last)",
            "value": round(paid.rate),
            "unit": "messages/s (goal >= 1000)",
        },
        {
            "benchmark": f"{paid_name}: StartBroadcast to the last step's end",
            "value": round(paid.wall, 2),
            "unit": "s",
        },
        {
            "benchmark": f"{paid_name}: users with more than one copy",
            "value": duplicates,
            "unit": f"duplicates ({sum(paid.chats.values())} copies, {paid.counts.sent} recorded sent)",
        },
        {
            "benchmark": f"{paid_name}: users with no copy",
            "value": lost,
            "unit": f"lost ({paid.state}; allow_paid_broadcast {sorted(paid.paid_flags)})",
        },
        {
            "benchmark": f"broadcast paid, up to {PAID_RATE}/s, fake RTT +{RTT_PAID * 1000:g} ms ({RTT_PAID_USERS} users)",
            "value": round(far_paid.rate),
            "unit": f"messages/s ({senders_for(PAID_RATE)} sends in flight)",
        },
        {
            "benchmark": f"broadcast at {PACED_RATE}/s, fake RTT +{RTT_PACED * 1000:g} ms ({RTT_PACED_USERS} users)",
            "value": round(far_paced.rate, 1),
            "unit": f"messages/s ({100 * far_paced.rate / PACED_RATE:.0f} % of the limit; {senders_for(PACED_RATE)} sends in flight)",
        },
        {
            "benchmark": f"{cost}: copyMessage round trip (TelegramMessenger, telebot, requests, the fake)",
            "value": round(costs["round trip"], 3),
            "unit": f"ms (mean of {COST_CALLS})",
        },
        {
            "benchmark": f"{cost}: of that, the fake server (HTTP parsing, handler, reply)",
            "value": round(costs["server"], 3),
            "unit": f"ms (mean of {COST_CALLS})",
        },
        {
            "benchmark": f"{cost}: SQLite record (one write transaction)",
            "value": round(costs["record"], 3),
            "unit": f"ms (mean of {COST_CALLS})",
        },
        {
            "benchmark": f"{cost}: the engine (memory store, counting copier)",
            "value": round(costs["engine"], 3),
            "unit": f"ms (mean of {COST_CALLS})",
        },
        *(
            {
                "benchmark": f"broadcast memory: engine to the end, {n} users (SQLite, counting copier)",
                "value": round(memory[n][0]),
                "unit": f"KiB, tracemalloc peak while sending ({memory[n][1]:.1f} s)",
            }
            for n in MEMORY_SIZES
        ),
        {
            "benchmark": f"broadcast memory: peak at {MEMORY_SIZES[1]} / at {MEMORY_SIZES[0]} users",
            "value": round(large / small, 2),
            "unit": "ratio (goal: flat, about 1)",
        },
        {
            "benchmark": f"broadcast MongoDB commands per delivery ({MONGO_USERS} users, pages of 100)",
            "value": round(per_delivery, 3),
            "unit": "MongoDB commands (mongomock), all the engine sent",
        },
    ]


def _profile(users: int) -> None:
    """A paid broadcast to `users` with its steps in this thread under cProfile, and the fake's
    connection thread (one keep-alive connection) under a second profiler."""
    engine, server = cProfile.Profile(), cProfile.Profile()
    with _bot_logging(), _telegram_app(PAID_RATE, paid=True, steps_here=True) as (fake, app):
        handler: Any = fake._http._server.RequestHandlerClass
        handle = handler.handle

        def profiled(self: Any) -> None:
            server.runcall(handle, self)

        handler.handle = profiled
        try:
            broadcast_id = _begin(fake, app, users, "bench-profile")
            started = time.perf_counter()
            engine.runcall(_run_to_end, app, broadcast_id)
            elapsed = time.perf_counter() - started
        finally:
            handler.handle = handle
    print(f"{users} deliveries in {elapsed:.2f} s: {users / elapsed:.0f}/s (under cProfile)")
    for name, profile in (("engine thread", engine), ("fake server thread", server)):
        print(f"\n==== {name} ====", flush=True)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--profile", type=int, metavar="USERS", help="profile a paid broadcast")
    args = parser.parse_args()
    if args.profile:
        _profile(args.profile)
    else:
        for row in run():
            print(f"{row['benchmark']}: {row['value']} {row['unit']}")
