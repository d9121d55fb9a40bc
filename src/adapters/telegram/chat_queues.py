"""FairChatQueues: one bounded queue per chat, served round-robin to a pool of threads.

A chat is held by at most one thread at a time, so its updates are handled in order; a chat that
was served goes to the back of the line, so one chat's backlog never delays another chat's update
by more than one turn.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class FairChatQueues(Generic[T]):
    def __init__(self, bound: int) -> None:
        self.bound = bound  # waiting items per chat; the one a thread holds does not count
        self._waiting: dict[int, deque[T]] = {}
        self._turns: deque[int] = deque()  # chats with waiting items and no thread on them
        self._held: set[int] = set()
        self._closed = False
        self._cond = threading.Condition()

    def put(self, chat: int, item: T) -> bool:
        """Queue `item` behind the chat's earlier ones; False (not queued) when the chat is full."""
        with self._cond:
            waiting = self._waiting.setdefault(chat, deque())
            if len(waiting) >= self.bound:
                return False
            waiting.append(item)
            if chat not in self._held and len(waiting) == 1:
                self._turns.append(chat)
                self._cond.notify()
            return True

    def take(self) -> tuple[int, T] | None:
        """The next chat's oldest item, now held by the caller until release(); None once closed."""
        with self._cond:
            while not self._turns and not self._closed:
                self._cond.wait()
            if self._closed:
                return None
            chat = self._turns.popleft()
            self._held.add(chat)
            return chat, self._waiting[chat].popleft()

    def release(self, chat: int) -> bool:
        """The holder is done with the chat's item; True if the chat has more waiting."""
        with self._cond:
            self._held.discard(chat)
            if self._waiting.get(chat):
                self._turns.append(chat)  # behind every chat already waiting for a turn
                self._cond.notify()
                return True
            self._waiting.pop(chat, None)
            return False

    def shed(self, minimum: int) -> list[T]:
        """Empty the longest line if it holds at least `minimum` items; its items, oldest first.
        A thread holding that chat keeps its item."""
        with self._cond:
            chat = max(self._waiting, key=lambda c: len(self._waiting[c]), default=None)
            if chat is None or len(self._waiting[chat]) < minimum:
                return []
            shed = list(self._waiting.pop(chat))
            if chat in self._turns:
                self._turns.remove(chat)
            return shed

    def close(self) -> list[T]:
        """Stop handing out items (take() returns None); the items nobody took, oldest first."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            left = [item for waiting in self._waiting.values() for item in waiting]
            self._waiting.clear()
            self._turns.clear()
            return left
