"""FairChatQueues: one bounded queue per chat, served round-robin to a pool of threads.

A chat is held by at most one thread at a time, so its updates are handled in order; a chat that
was served goes to the back of the line, so one chat's backlog never delays another chat's update
by more than one turn. Two lanes bend this for money: a KEPT item (a payment) waits in order but
is never refused by the bound nor shed; an URGENT item (a pre-checkout query, which Telegram drops
after 10 s) goes ahead of its chat's waiting items and its chat ahead of every chat's turn, so it
waits only for the one item its chat may be handling and for a free thread.
"""

from __future__ import annotations

import enum
import threading
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class Lane(enum.Enum):
    NORMAL = "normal"  # in order; refused past the bound; may be shed
    KEPT = "kept"  # in order; never refused nor shed
    URGENT = (
        "urgent"  # ahead of the chat's waiting items and of other chats; never refused nor shed
    )


class FairChatQueues(Generic[T]):
    def __init__(self, bound: int) -> None:
        self.bound = bound  # waiting items per chat; the one a thread holds does not count
        self._waiting: dict[int, deque[tuple[T, bool]]] = {}  # (item, kept), oldest first
        self._urgent: dict[int, deque[T]] = {}
        self._turns: deque[int] = deque()  # chats with waiting items and no thread on them
        self._held: set[int] = set()
        self._closed = False
        self._cond = threading.Condition()

    def put(self, chat: int, item: T, lane: Lane = Lane.NORMAL) -> bool:
        """Queue `item` in its lane; False (not queued) when a NORMAL item finds the chat full."""
        with self._cond:
            waiting = self._waiting.setdefault(chat, deque())
            if lane is Lane.URGENT:
                self._urgent.setdefault(chat, deque()).append(item)
                if chat not in self._held:
                    if chat in self._turns:
                        self._turns.remove(chat)
                    self._turns.appendleft(chat)
                    self._cond.notify()
                return True
            if lane is Lane.NORMAL and len(waiting) >= self.bound:
                return False
            waiting.append((item, lane is Lane.KEPT))
            if chat not in self._held and self._pending(chat) == 1:
                self._turns.append(chat)
                self._cond.notify()
            return True

    def take(self) -> tuple[int, T] | None:
        """The next chat's urgent or oldest item, held by the caller until release(); None once
        closed."""
        with self._cond:
            while not self._turns and not self._closed:
                self._cond.wait()
            if self._closed:
                return None
            chat = self._turns.popleft()
            self._held.add(chat)
            urgent = self._urgent.get(chat)
            if urgent:
                return chat, urgent.popleft()
            return chat, self._waiting[chat].popleft()[0]

    def release(self, chat: int) -> bool:
        """The holder is done with the chat's item; True if the chat has more waiting."""
        with self._cond:
            self._held.discard(chat)
            if self._urgent.get(chat):
                self._turns.appendleft(chat)
                self._cond.notify()
                return True
            if self._waiting.get(chat):
                self._turns.append(chat)  # behind every chat already waiting for a turn
                self._cond.notify()
                return True
            self._waiting.pop(chat, None)
            self._urgent.pop(chat, None)
            return False

    def shed(self, minimum: int) -> list[T]:
        """Empty the longest line of sheddable (NORMAL) items if it holds at least `minimum`;
        its items, oldest first. KEPT and URGENT items stay, as does the item a thread holds."""
        with self._cond:
            counts = {c: sum(not kept for _, kept in w) for c, w in self._waiting.items()}
            chat = max(counts, key=counts.__getitem__, default=None)
            if chat is None or counts[chat] < minimum:
                return []
            shed = [item for item, kept in self._waiting[chat] if not kept]
            self._waiting[chat] = deque(entry for entry in self._waiting[chat] if entry[1])
            if not self._pending(chat):
                if chat in self._turns:
                    self._turns.remove(chat)
                if chat not in self._held:
                    self._waiting.pop(chat, None)
            return shed

    def close(self) -> list[T]:
        """Stop handing out items (take() returns None); the items nobody took, urgent ones
        first, then oldest first."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            left = [item for urgent in self._urgent.values() for item in urgent]
            left += [item for waiting in self._waiting.values() for item, _ in waiting]
            self._waiting.clear()
            self._urgent.clear()
            self._turns.clear()
            return left

    def _pending(self, chat: int) -> int:
        return len(self._waiting.get(chat, ())) + len(self._urgent.get(chat, ()))
