"""In-memory Conversations."""

from __future__ import annotations

import threading

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
