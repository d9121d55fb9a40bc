"""In-memory Preferences."""

from __future__ import annotations

import threading

from paintcore.domain.pages import PageOptions
from paintcore.domain.users import UserId


class InMemoryPreferences:
    def __init__(self) -> None:
        self.by_user: dict[UserId, PageOptions] = {}
        self._lock = threading.Lock()

    def get(self, user_id: UserId) -> PageOptions | None:
        with self._lock:
            return self.by_user.get(user_id)

    def set(self, user_id: UserId, options: PageOptions) -> None:
        with self._lock:
            self.by_user[user_id] = options
