"""In-memory Broadcasts: the recipients of each broadcast and their deliveries, under one lock."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime

from paintcore.domain.broadcasts import (
    Audience,
    Broadcast,
    BroadcastCounts,
    BroadcastId,
    BroadcastState,
    Delivery,
)
from paintcore.domain.errors import BroadcastRunning
from paintcore.domain.users import UserId
from paintcore.ports import Jobs, Users

_WALK = 1000  # users read per call while fixing the recipients


class InMemoryBroadcasts:
    """Reads users and jobs through their ports (so it works over any of them)."""

    def __init__(self, users: Users, jobs: Jobs) -> None:
        self._users = users
        self._jobs = jobs
        self.by_id: dict[BroadcastId, Broadcast] = {}
        # Per broadcast, each recipient's delivery; dicts keep insertion (= id) order.
        self.deliveries: dict[BroadcastId, dict[UserId, Delivery]] = {}
        self._lock = threading.Lock()

    def start(self, broadcast: Broadcast) -> Broadcast:
        with self._lock:
            if broadcast.id in self.by_id:
                raise ValueError(f"broadcast {broadcast.id} exists")
            if self._running() is not None:
                raise BroadcastRunning("another broadcast is running")
            recipients = self._recipients(broadcast.audience)
            started = replace(
                broadcast,
                state=BroadcastState.RUNNING,
                finished_at=None,
                total=len(recipients),
                lease_owner=None,
                lease_until=None,
            )
            self.by_id[broadcast.id] = started
            self.deliveries[broadcast.id] = dict.fromkeys(recipients, Delivery.PENDING)
            return started

    def get(self, broadcast_id: BroadcastId) -> Broadcast | None:
        with self._lock:
            return self.by_id.get(broadcast_id)

    def audience_size(self, audience: Audience) -> int:
        return len(self._recipients(audience))

    def claim(
        self,
        broadcast_id: BroadcastId,
        owner: str,
        *,
        until: datetime,
        now: datetime,
        replacing: str | None = None,
    ) -> bool:
        with self._lock:
            found = self.by_id.get(broadcast_id)
            if found is None or found.state is not BroadcastState.RUNNING:
                return False
            holder, held_until = found.lease_owner, found.lease_until
            free = holder is None or (held_until is not None and held_until <= now)
            if not (free or holder == owner or (replacing is not None and holder == replacing)):
                return False
            self.by_id[broadcast_id] = replace(found, lease_owner=owner, lease_until=until)
            return True

    def release(self, broadcast_id: BroadcastId, owner: str) -> bool:
        with self._lock:
            found = self.by_id.get(broadcast_id)
            if found is None or found.lease_owner != owner:
                return False
            self.by_id[broadcast_id] = replace(found, lease_owner=None, lease_until=None)
            return True

    def current(self) -> Broadcast | None:
        with self._lock:
            return self._running()

    def latest(self) -> Broadcast | None:
        with self._lock:
            # Started last; of two started at one instant, the one stored last.
            ordered = sorted(enumerate(self.by_id.values()), key=lambda p: (p[1].started_at, p[0]))
            return ordered[-1][1] if ordered else None

    def pending(
        self, broadcast_id: BroadcastId, *, after: UserId | None = None, limit: int = 100
    ) -> list[UserId]:
        found: list[UserId] = []
        with self._lock:
            for user_id, state in self.deliveries.get(broadcast_id, {}).items():
                if len(found) >= limit:
                    break
                if state is Delivery.PENDING and (after is None or user_id > after):
                    found.append(user_id)
        return found

    def record(
        self, broadcast_id: BroadcastId, user_id: UserId, outcome: Delivery, *, at: datetime
    ) -> bool:
        if outcome is Delivery.PENDING:
            raise ValueError("a delivery is recorded with its outcome, not as pending")
        with self._lock:
            deliveries = self.deliveries.get(broadcast_id, {})
            if deliveries.get(user_id) is not Delivery.PENDING:
                return False
            deliveries[user_id] = outcome
            return True

    def counts(self, broadcast_id: BroadcastId) -> BroadcastCounts:
        with self._lock:
            states = list(self.deliveries.get(broadcast_id, {}).values())
        return BroadcastCounts(
            sent=states.count(Delivery.SENT),
            blocked=states.count(Delivery.BLOCKED),
            failed=states.count(Delivery.FAILED),
            pending=states.count(Delivery.PENDING),
        )

    def cancel(self, broadcast_id: BroadcastId, *, at: datetime) -> bool:
        return self._end(broadcast_id, BroadcastState.CANCELLED, at)

    def finish(self, broadcast_id: BroadcastId, *, at: datetime) -> bool:
        return self._end(broadcast_id, BroadcastState.DONE, at)

    def _end(self, broadcast_id: BroadcastId, state: BroadcastState, at: datetime) -> bool:
        with self._lock:
            found = self.by_id.get(broadcast_id)
            if found is None or found.state is not BroadcastState.RUNNING:
                return False
            self.by_id[broadcast_id] = replace(found, state=state, finished_at=at)
            return True

    def _running(self) -> Broadcast | None:
        return next((b for b in self.by_id.values() if b.state is BroadcastState.RUNNING), None)

    def _recipients(self, audience: Audience) -> list[UserId]:
        """The users the audience names now, neither blocked nor banned, in id order: what `start`
        fixes and `audience_size` counts."""
        active = (
            None
            if audience.active_since is None
            else {job.user_id for job in self._jobs.since(audience.active_since)}
        )
        chosen: list[UserId] = []
        after: UserId | None = None
        while ids := self._users.ids(after=after, limit=_WALK):
            after = ids[-1]
            for user_id in ids:
                user = self._users.get(user_id)
                if user is None or user.blocked or user.banned:
                    continue
                if audience.language is not None and user.language != audience.language:
                    continue
                if active is not None and user_id not in active:
                    continue
                chosen.append(user_id)
        return chosen
