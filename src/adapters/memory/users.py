"""In-memory Users."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime

from paintcore.domain.errors import UserNotFound
from paintcore.domain.users import User, UserId


class InMemoryUsers:
    def __init__(self) -> None:
        self.by_id: dict[UserId, User] = {}
        self._lock = threading.Lock()

    def add(self, user: User) -> bool:
        with self._lock:
            if user.id in self.by_id:
                return False
            self.by_id[user.id] = user
            return True

    def get(self, user_id: UserId) -> User | None:
        with self._lock:
            return self.by_id.get(user_id)

    def set_blocked(self, user_id: UserId, blocked: bool) -> None:
        self._change(user_id, blocked=blocked)

    def set_banned(self, user_id: UserId, banned: bool) -> None:
        self._change(user_id, banned=banned)

    def count(self) -> int:
        with self._lock:
            return len(self.by_id)

    def find(self, username: str) -> User | None:
        wanted = username.strip().removeprefix("@").lower()
        if not wanted:
            return None
        with self._lock:
            return next((u for u in self.by_id.values() if u.username.lower() == wanted), None)

    def ids(self, *, after: UserId | None = None, limit: int = 1000) -> list[UserId]:
        with self._lock:
            ids = sorted(i for i in self.by_id if after is None or i > after)
        return ids[: max(limit, 0)]

    def registered_since(self, moment: datetime) -> int:
        with self._lock:
            return sum(1 for u in self.by_id.values() if u.registered_at >= moment)

    def recipients(self) -> list[UserId]:
        with self._lock:
            return sorted(u.id for u in self.by_id.values() if not (u.blocked or u.banned))

    def _change(self, user_id: UserId, **changes: bool) -> None:
        with self._lock:
            user = self.by_id.get(user_id)
            if user is None:
                raise UserNotFound(f"no user {user_id}")
            self.by_id[user_id] = replace(user, **changes)  # type: ignore[arg-type]
