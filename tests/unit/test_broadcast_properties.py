"""A hypothesis state machine over a broadcast: steps, crashes at any send, restarts, cancels,
users who block the bot, 429s and errors, and two live workers (the bot's chain of steps, handing
its lease on, and another process trying at any moment, as time passes). Each user gets at most
one copy, always; once it has run to the end (not cancelled), every reachable user has exactly
one."""

from __future__ import annotations

import contextlib

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from paintcore.domain.broadcasts import BroadcastId, BroadcastState, Delivery
from paintcore.domain.errors import DeliveryFailed, RateLimited
from paintcore.domain.users import UserId
from support.broadcasting import BroadcastWorld, Crash, CrashingCopier

B1 = BroadcastId("b1")
USERS = 40


class BroadcastMachine(RuleBasedStateMachine):
    @initialize(
        page_size=st.integers(1, 12),
        blocked=st.sets(st.integers(1, USERS), max_size=6),
        banned=st.sets(st.integers(1, USERS), max_size=3),
    )
    def start(self, page_size: int, blocked: set[int], banned: set[int]) -> None:
        self.world = BroadcastWorld(users=USERS, rate=50, page_size=page_size)
        for user_id in banned:
            self.world.store.users.set_banned(UserId(user_id), True)
        self.recipients = {u for u in range(1, USERS + 1) if u not in banned}
        self.world.start()
        self.world.messenger.blocked = set(blocked)
        self.bot = self.world.engine(worker="bot", alive=frozenset({"cli"}))
        self.bot_lease: str | None = None
        self.cancelled = False
        self.ended = False

    @rule()
    def step(self) -> None:
        more = self.world.engine()(broadcast_id=B1)
        self.ended = self.ended or more is None

    @rule()
    def bot_step(self) -> None:
        """The bot's own chain: each step hands its lease to the next."""
        self.bot_lease = self.bot(broadcast_id=B1, lease_from=self.bot_lease)

    @rule()
    def another_live_worker_tries(self) -> None:
        before = self.world.copies()
        found = self.world.store.broadcasts.get(B1)
        assert found is not None
        held_by_bot = (
            found.leased(self.world.clock.now())
            and found.lease_owner is not None
            and found.lease_owner.startswith("bot#")
        )
        other = self.world.engine(worker="cli", alive=frozenset({"bot"}))
        other(broadcast_id=B1)
        if held_by_bot:  # the bot is sending it: the other sends nothing
            assert self.world.copies() == before

    @rule(seconds=st.floats(0, 40))
    def time_passes(self, seconds: float) -> None:
        self.world.clock.advance(seconds)

    @rule(after=st.integers(1, 15))
    def crash_mid_step(self, after: int) -> None:
        copier = CrashingCopier(self.world.messenger, after)
        # The process dies before that send; the next step is a restarted one.
        with contextlib.suppress(Crash):
            self.world.engine(copier=copier)(broadcast_id=B1)

    @rule(user=st.integers(1, USERS), retry_after=st.floats(0, 5))
    def telegram_says_429(self, user: int, retry_after: float) -> None:
        self.world.messenger.failures_for.setdefault(user, []).append(RateLimited(retry_after))

    @rule(user=st.integers(1, USERS), times=st.integers(1, 3))
    def telegram_fails(self, user: int, times: int) -> None:
        self.world.messenger.failures_for.setdefault(user, []).extend(
            [DeliveryFailed("500")] * times
        )

    @precondition(lambda self: not self.ended)
    @rule()
    def cancel(self) -> None:
        self.cancelled = self.world.store.broadcasts.cancel(B1, at=self.world.clock.now())
        self.ended = True

    @invariant()
    def nobody_gets_two_copies(self) -> None:
        copies = self.world.copies()
        assert all(n == 1 for n in copies.values()), copies
        assert set(copies) <= self.recipients - self.world.messenger.blocked

    @invariant()
    def every_copy_is_recorded_sent(self) -> None:
        for user_id in self.world.copies():
            assert self.world.outcome(user_id) is Delivery.SENT

    def teardown(self) -> None:
        if not hasattr(self, "world"):
            return
        self.world.messenger.failures_for.clear()  # the outage ends
        self.world.run_to_end()
        copies = self.world.copies()
        assert all(n == 1 for n in copies.values())
        found = self.world.store.broadcasts.get(B1)
        assert found is not None
        if self.cancelled:
            assert found.state is BroadcastState.CANCELLED
            return
        assert found.state is BroadcastState.DONE
        reachable = self.recipients - self.world.messenger.blocked
        failed = {u for u in reachable if self.world.outcome(u) is Delivery.FAILED}
        assert set(copies) == reachable - failed
        counts = self.world.store.broadcasts.counts(B1)
        assert counts.pending == 0 and counts.sent == len(copies)
        assert counts.blocked == len(self.recipients & self.world.messenger.blocked)


TestBroadcastProperties = BroadcastMachine.TestCase
TestBroadcastProperties.settings = settings(max_examples=100, stateful_step_count=40, deadline=None)
