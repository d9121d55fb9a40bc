"""RunBroadcast: one step of a broadcast (the next page of pending recipients), resumable.

Each step holds the broadcast's lease (one step at a time, across every process), reads one
page of recipients not yet recorded, and copies the message to each at the pacer's rate,
recording each outcome right after its send. `senders` sends may be in flight at once (so a
distant Telegram does not cap the rate at one round trip per message); the pacer spaces them all.
A crash therefore resumes at the first unrecorded recipients; the one window left is a crash
between a send and its record (that user gets the message again: Telegram has no idempotent
send), at most `senders` users, in practice the one message in flight. The admin's status
message is edited every `report_every` while it runs, and the tally is announced at the end.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..domain.broadcasts import Broadcast, BroadcastId, BroadcastState, Delivery
from ..domain.errors import PaintError, RateLimited, RecipientBlocked
from ..domain.metrics import Fact
from ..domain.tasks import Payload, Task, TaskHandler, broadcast_task
from ..domain.users import UserId
from ..metrics import NO_METRICS
from ..ports import BroadcastNotifier, Broadcasts, Clock, MessageCopier, Metrics, Pacer, Users
from .blocking import mark_blocked
from .broadcast_lease import BroadcastStops, Senders, StepLease, StepState, process_of

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunBroadcast:
    broadcasts: Broadcasts
    users: Users
    copier: MessageCopier
    pacer: Pacer  # the broadcast rate (TokenBucket)
    clock: Clock
    sleep: Callable[[float], None]  # waits out a 429's retry_after and the backoff
    notifier: BroadcastNotifier | None = None  # the admin's status message and final tally
    worker: str = "local"  # this process, as lease owners name it ("<host>/<pid>/<start>")
    # Whether the process behind a lease is known to be dead (its lease is then taken at once).
    worker_gone: Callable[[str], bool] = lambda _owner: False
    lease: timedelta = timedelta(seconds=30)  # renewed every third of it while sending
    report_every: timedelta = timedelta(seconds=5)
    page_size: int = 100
    attempts: int = 3  # sends of one message per recipient for errors other than 429 and 403
    backoff: float = 1.0  # seconds before the second attempt, doubled for each later one
    rate_limited_tries: int = 10  # 429s in a row for one user before the step gives up
    # Looks in storage for a cancel (from any process) every `check_every` sends or every
    # `check_after`, whichever comes first; this process's own cancels (`stops`) are seen at once.
    check_every: int = 25
    check_after: timedelta = timedelta(seconds=1)
    stops: BroadcastStops = field(default_factory=BroadcastStops)
    senders: int = 1  # sends in flight at once (domain.broadcasts.senders_for the rate)
    metrics: Metrics = NO_METRICS
    _reported: dict[BroadcastId, datetime] = field(default_factory=dict, repr=False)
    _report_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _senders: Senders = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_senders", Senders(self.senders))

    def __call__(self, *, broadcast_id: BroadcastId, lease_from: str | None = None) -> str | None:
        """Send the next page. While more remain, the lease is kept and its owner returned: hand
        it to the next step (`lease_from`), which takes the lease over without a gap. None when
        nothing is left to do here: the broadcast ended (done, cancelled, unknown), or another
        live worker holds its lease (then that worker goes on)."""
        broadcast = self.broadcasts.get(broadcast_id)
        if broadcast is None or broadcast.state is not BroadcastState.RUNNING:
            if lease_from is not None:  # cancelled between two steps: the handed lease goes
                self.broadcasts.release(broadcast_id, lease_from)
            return None
        lease = self._claim(broadcast, lease_from)
        if lease is None:
            log.info(
                "broadcast is being sent by another worker",
                extra={"broadcast_id": broadcast_id, "holder": broadcast.lease_owner},
            )
            return None
        try:
            more = self._step(broadcast, lease)
        except Exception:
            self.broadcasts.release(broadcast_id, lease.owner)
            raise
        # (A process that dies here releases nothing: its lease runs out, or is taken over at
        # once by a worker that sees the process is gone.)
        if not more:
            self.broadcasts.release(broadcast_id, lease.owner)
        return lease.owner if more else None

    def _step(self, broadcast: Broadcast, lease: StepLease) -> bool:
        recipients = self.broadcasts.pending(broadcast.id, limit=self.page_size)
        state = StepState(list(recipients), self.clock.now())
        self._send_all(broadcast, lease, state, min(self.senders, len(recipients)))
        if state.halted:
            return state.more
        # A short page was the last one; a full one may have been.
        if len(recipients) == self.page_size and self.broadcasts.pending(broadcast.id, limit=1):
            return True
        if self.broadcasts.finish(broadcast.id, at=self.clock.now()):
            log.info("broadcast finished", extra={"broadcast_id": broadcast.id})
            self._announce_end(broadcast.id)
        return False

    def _send_all(
        self, broadcast: Broadcast, lease: StepLease, state: StepState, senders: int
    ) -> None:
        """Send to the step's recipients with `senders` threads (this one alone for one)."""

        def send() -> None:
            while (taken := state.next()) is not None:
                if not self._send_one(broadcast, UserId(taken[0]), taken[1], lease, state):
                    return

        if senders <= 1:
            send()
            return
        self._senders.run(send, senders)

    def _send_one(
        self, broadcast: Broadcast, user_id: UserId, number: int, lease: StepLease, state: StepState
    ) -> bool:
        """One recipient: send, record, mark; False when the step must stop (halted)."""
        if broadcast.id in self.stops or not self._still_running(broadcast.id, number, state):
            state.halt(more=False)
            return False
        if not self._keep(broadcast.id, lease):
            state.halt(more=False)
            return False
        outcome = self._deliver(broadcast, user_id, lease)
        if outcome is None:  # Telegram keeps saying 429, or the lease was lost while waiting
            state.halt(more=not lease.lost)
            return False
        self.metrics.count(Fact.BROADCAST_MESSAGES, outcome=outcome.value)
        if not self.broadcasts.record(broadcast.id, user_id, outcome, at=self.clock.now()):
            log.warning(
                "broadcast delivery was recorded by someone else",
                extra={"broadcast_id": broadcast.id, "user_id": user_id},
            )
        if outcome is Delivery.BLOCKED:
            mark_blocked(self.users, user_id, broadcast_id=broadcast.id)
        self._report_when_due(broadcast)
        return True

    def _still_running(self, broadcast_id: BroadcastId, number: int, state: StepState) -> bool:
        """Every `check_every` sends or `check_after`, whether it was cancelled (any process)."""
        with state.lock:
            now = self.clock.now()
            due = number > 1 and (
                number % self.check_every == 0 or now - state.checked >= self.check_after
            )
            if due:
                state.checked = now
        return not due or self._running(broadcast_id)

    def _claim(self, broadcast: Broadcast, lease_from: str | None) -> StepLease | None:
        now = self.clock.now()
        holder = broadcast.lease_owner
        replacing = lease_from  # the previous step handed its lease on
        alive = holder is None or not self.worker_gone(process_of(holder))
        if holder != lease_from and broadcast.leased(now) and not alive:
            replacing = holder  # its process died (SIGKILL, OOM): no need to wait for expiry
        owner = f"{self.worker}#{secrets.token_hex(4)}"
        claimed = self.broadcasts.claim(
            broadcast.id, owner, until=now + self.lease, now=now, replacing=replacing
        )
        return StepLease(owner, now + self.lease / 3) if claimed else None

    def _keep(self, broadcast_id: BroadcastId, lease: StepLease, *, waiting: float = 0.0) -> bool:
        """Renew the lease when a third of it has passed (or before a wait of `waiting` seconds,
        for that long more); False once it is lost (never send without it)."""
        with lease.lock:
            now = self.clock.now()
            if lease.lost:
                return False
            if now < lease.renew_at and not waiting:
                return True
            until = now + self.lease + timedelta(seconds=waiting)
            if self.broadcasts.claim(broadcast_id, lease.owner, until=until, now=now):
                lease.renew_at = max(
                    lease.renew_at, now + timedelta(seconds=waiting) + self.lease / 3
                )
                return True
            lease.lost = True
        log.warning("broadcast lease lost: the step stops", extra={"broadcast_id": broadcast_id})
        return False

    def _report_when_due(self, broadcast: Broadcast) -> None:
        if self.notifier is None:
            return
        with self._report_lock:
            now = self.clock.now()
            last = self._reported.get(broadcast.id)
            if last is not None and now - last < self.report_every:
                return
            self._reported[broadcast.id] = now
            if len(self._reported) > 100:  # one per broadcast this process sent: keep it small
                self._reported.pop(next(iter(self._reported)))
        current = self.broadcasts.get(broadcast.id)
        if current is None or current.state is not BroadcastState.RUNNING:
            return  # cancelled meanwhile: the cancel reports, once this step has stopped
        counts = self.broadcasts.counts(broadcast.id)
        if counts.pending:  # none left: the end is reported in a moment, as done
            self.notifier.progress(current, counts)

    def _announce_end(self, broadcast_id: BroadcastId) -> None:
        ended = self.broadcasts.get(broadcast_id)
        if self.notifier is not None and ended is not None:
            counts = self.broadcasts.counts(broadcast_id)
            self.notifier.progress(ended, counts)
            self.notifier.finished(ended, counts)

    def _deliver(self, broadcast: Broadcast, user_id: UserId, lease: StepLease) -> Delivery | None:
        failures = rate_limited = 0
        while True:
            self.pacer.pace()
            try:
                self.copier.copy_message(
                    user_id,
                    broadcast.message.from_chat_id,
                    broadcast.message.message_id,
                    paid=broadcast.paid,
                )
                return Delivery.SENT
            except RecipientBlocked:
                return Delivery.BLOCKED
            except RateLimited as exc:
                rate_limited += 1
                wait = max(exc.retry_after, 0.0)
                if rate_limited >= self.rate_limited_tries:
                    return None
                if not self._keep(broadcast.id, lease, waiting=wait):
                    return None
                if not self._wait(broadcast.id, wait):
                    return None  # cancelled while waiting
            except PaintError as exc:  # DeliveryFailed and the like: a few tries, then failed
                failures += 1
                if failures >= self.attempts:
                    log.warning(
                        "broadcast message failed",
                        extra={"broadcast_id": broadcast.id, "user_id": user_id, "error": str(exc)},
                    )
                    return Delivery.FAILED
                self.sleep(self.backoff * 2 ** (failures - 1))

    def _wait(self, broadcast_id: BroadcastId, seconds: float) -> bool:
        """Sleep `seconds` in slices of at most one, False as soon as this process cancels it."""
        while seconds > 0:
            if broadcast_id in self.stops:
                return False
            self.sleep(min(seconds, 1.0))
            seconds -= 1.0
        return broadcast_id not in self.stops

    def _running(self, broadcast_id: BroadcastId) -> bool:
        found = self.broadcasts.get(broadcast_id)
        return found is not None and found.state is BroadcastState.RUNNING


def broadcast_handler(run: RunBroadcast) -> TaskHandler:
    """The handler of broadcast tasks: one step; while more remain, it returns the next step's
    task (carrying the lease on), which the queue enqueues as the follow-up."""

    def handle(payload: Payload) -> Task | None:
        broadcast_id = BroadcastId(str(payload["broadcast_id"]))
        step, lease = payload.get("step"), payload.get("lease")
        held = run(broadcast_id=broadcast_id, lease_from=lease if isinstance(lease, str) else None)
        if held is None:
            return None
        next_step = step + 1 if isinstance(step, int) else 1
        return broadcast_task(broadcast_id, next_step, lease=held)

    return handle
