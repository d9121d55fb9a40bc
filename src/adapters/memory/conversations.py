"""In-memory Conversations."""

from __future__ import annotations

import threading
from datetime import datetime

from paintcore.domain.conversation import ConversationState
from paintcore.domain.users import UserId


class InMemoryConversations:
    def __init__(self) -> None:
        self.states: dict[UserId, ConversationState] = {}
        self._lock = threading.Lock()

    def expect(self, state: ConversationState) -> None:
        with self._lock:
            self.states[state.user_id] = state

    def current(self, user_id: UserId) -> ConversationState | None:
        with self._lock:
            return self.states.get(user_id)

    def clear(self, user_id: UserId) -> None:
        with self._lock:
            self.states.pop(user_id, None)

    def sweep(self, before: datetime) -> int:
        with self._lock:
            stale = [uid for uid, state in self.states.items() if state.updated_at < before]
            for uid in stale:
                del self.states[uid]
            return len(stale)
