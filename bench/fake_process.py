"""The fake Bot API in a process of its own, so the bot under test has the GIL to itself (as with
the real Telegram): the ceiling of our own sending, not of the two sharing one interpreter."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import TracebackType

from support.fake_telegram import FakeBotAPI


@dataclass(frozen=True)
class Copies:
    times: list[float]  # when each copyMessage arrived, in order
    chats: Counter[int]  # copies per chat
    paid_flags: set[bool]  # allow_paid_broadcast as the fake read it


class FakeInAProcess:
    """`with FakeInAProcess(admin, text) as fake:` a FakeBotAPI serving in a child process;
    `fake.base_url`, `fake.token`, `fake.source` (the admin's message to copy), `fake.copies()`."""

    def __init__(self, admin: int, text: str) -> None:
        self._admin, self._text = admin, text
        self._conn: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self.base_url = self.token = ""
        self.source = 0

    def __enter__(self) -> FakeInAProcess:
        context = multiprocessing.get_context("spawn")  # nothing of this process's threads
        here, there = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(there, self._admin, self._text), daemon=True
        )
        self._process.start()
        self._conn = here
        self.base_url, self.token, self.source = here.recv()
        return self

    def copies(self) -> Copies:
        assert self._conn is not None
        self._conn.send("copies")
        times, chats, flags = self._conn.recv()
        return Copies(times, Counter(chats), set(flags))

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._conn is not None:
            self._conn.send("stop")
        if self._process is not None:
            self._process.join(timeout=10)
            if self._process.is_alive():
                self._process.kill()


def _serve(conn: Connection, admin: int, text: str) -> None:
    with FakeBotAPI() as fake:
        source = fake.message_id_of(fake.push_text(admin, text))
        conn.send((fake.base_url, fake.token, source))
        while (request := conn.recv()) != "stop":
            if request == "copies":
                copies = fake.copies()
                conn.send(
                    (
                        [call.at for call in fake.calls_of("copyMessage")],
                        dict(Counter(record["chat_id"] for record in copies)),
                        sorted({bool(record["allow_paid_broadcast"]) for record in copies}),
                    )
                )
