"""A broadcast world on the memory fakes: users, a started broadcast, the engine on a ManualClock
(the pacer and every wait move the clock), and copiers/stores that crash where a test says."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from adapters.memory import InMemoryMessenger, InMemoryStore, ManualClock
from contract.users_contract import a_user
from paintcore.domain.broadcasts import (
    Audience,
    Broadcast,
    BroadcastId,
    CopiedMessage,
    Delivery,
)
from paintcore.domain.users import UserId
from paintcore.pacing import TokenBucket
from paintcore.ports import Broadcasts, MessageCopier
from paintcore.usecases.run_broadcast import RunBroadcast

ADMIN = UserId(7)
MESSAGE = CopiedMessage(from_chat_id=7, message_id=42)


class Crash(BaseException):
    """The process dies here (not an Exception: nothing in the engine catches it)."""


@dataclass
class CrashingCopier:
    """Sends through `real` and dies just before the send number `crash_at` (1-based)."""

    real: MessageCopier
    crash_at: int
    calls: int = 0

    def copy_message(
        self, chat_id: int, from_chat_id: int, message_id: int, *, paid: bool = False
    ) -> int:
        self.calls += 1
        if self.calls == self.crash_at:
            raise Crash
        return self.real.copy_message(chat_id, from_chat_id, message_id, paid=paid)


class CrashingRecords:
    """The store's broadcasts, dying at the record number `crash_at`: after its send, before
    its record (the one window the engine leaves)."""

    def __init__(self, real: Broadcasts, crash_at: int) -> None:
        self._real, self._crash_at, self.records = real, crash_at, 0

    def __getattr__(self, name: str) -> object:
        return getattr(self._real, name)

    def record(self, *args: object, **kwargs: object) -> bool:
        self.records += 1
        if self.records == self._crash_at:
            raise Crash
        return self._real.record(*args, **kwargs)  # type: ignore[arg-type]


class PagedReads:
    """The store's broadcasts, noting how many recipients each read returned."""

    def __init__(self, real: Broadcasts) -> None:
        self._real = real
        self.pages: list[int] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self._real, name)

    def pending(self, *args: object, **kwargs: object) -> list[UserId]:
        found = self._real.pending(*args, **kwargs)  # type: ignore[arg-type]
        self.pages.append(len(found))
        return found


@dataclass
class BroadcastWorld:
    users: int = 20
    rate: float = 25
    page_size: int = 10
    clock: ManualClock = field(default_factory=ManualClock)

    def __post_init__(self) -> None:
        self._processes = 0
        self.store = InMemoryStore(self.clock)
        self.messenger = InMemoryMessenger(clock=self.clock)
        self.pacer = TokenBucket(self.rate, clock=self.clock, sleep=self.clock.advance)
        for user_id in range(1, self.users + 1):
            self.store.users.add(a_user(user_id))

    def start(self, broadcast_id: str = "b1", *, paid: bool = False) -> Broadcast:
        now = self.clock.now()
        return self.store.broadcasts.start(
            Broadcast(
                id=BroadcastId(broadcast_id),
                admin_id=ADMIN,
                message=MESSAGE,
                audience=Audience.everyone(),
                created_at=now,
                started_at=now,
                paid=paid,
            )
        )

    def engine(
        self,
        *,
        copier: MessageCopier | None = None,
        broadcasts: Broadcasts | None = None,
        worker: str | None = None,
        alive: frozenset[str] = frozenset(),
    ) -> RunBroadcast:
        """The engine of a new process (by default: every other process is dead, as after a
        crash; `alive` names processes that still run, so their leases are respected)."""
        self._processes += 1
        name = worker or f"process-{self._processes}"
        return RunBroadcast(
            worker=name,
            worker_gone=lambda owner: owner != name and owner not in alive,
            broadcasts=broadcasts or self.store.broadcasts,
            users=self.store.users,
            copier=copier or self.messenger,
            pacer=self.pacer,
            clock=self.clock,
            sleep=self.clock.advance,
            page_size=self.page_size,
        )

    def run_to_end(self, broadcast_id: str = "b1", engine: RunBroadcast | None = None) -> int:
        """Steps until none remain; how many steps it took."""
        run = engine or self.engine()
        lease: str | None = None
        for steps in range(1, 100_000):
            lease = run(broadcast_id=BroadcastId(broadcast_id), lease_from=lease)
            if lease is None:
                return steps
        raise AssertionError("the broadcast never ended")

    def copies(self) -> dict[int, int]:
        """How many copies each chat got."""
        counted: dict[int, int] = {}
        for message in self.messenger.copies():
            counted[message.chat_id] = counted.get(message.chat_id, 0) + 1
        return counted

    def outcome(self, user_id: int, broadcast_id: str = "b1") -> Delivery:
        return self.store.broadcasts.deliveries[BroadcastId(broadcast_id)][UserId(user_id)]  # type: ignore[attr-defined,no-any-return]

    def most_in_one_second(self) -> int:
        times = sorted(m.at for m in self.messenger.copies() if m.at is not None)
        second = timedelta(seconds=1)
        most, first = 0, 0
        for last, moment in enumerate(times):
            while times[first] <= moment - second:
                first += 1
            most = max(most, last - first + 1)
        return most
