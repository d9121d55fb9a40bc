"""Watermark: the getUpdates offset that confirms exactly the updates already handled.

Telegram forgets every update below the offset a getUpdates call sends, and delivers everything
from the offset on again and again until then. So the offset may only pass the contiguous prefix
of handled updates: the oldest update still in hand holds it back, and the ones handled above it
are remembered here so that the next getUpdates, which returns them again, does not repeat them.
"""

from __future__ import annotations

import threading


class Watermark:
    def __init__(self) -> None:
        self._in_hand: set[int] = set()
        self._settled: set[int] = set()  # handled above the oldest in hand
        self._next: int | None = None  # one past the newest update seen
        self._moved = threading.Condition()

    @property
    def offset(self) -> int | None:
        """Where the next getUpdates starts; None before the first update (Telegram decides)."""
        with self._moved:
            return self._offset()

    @property
    def in_hand(self) -> int:
        """Updates fetched and not yet settled: what a stop now would leave to the next start."""
        with self._moved:
            return len(self._in_hand)

    def take(self, update_id: int) -> bool:
        """Claim a fetched update; False if it was seen before (in hand, or already settled)."""
        with self._moved:
            offset = self._offset()
            if offset is not None and update_id < offset:
                return False
            if update_id in self._in_hand or update_id in self._settled:
                return False
            self._in_hand.add(update_id)
            self._next = max(self._next or 0, update_id + 1)
            return True

    def settle(self, update_id: int) -> None:
        """The update was handled (or counts as handled): the offset may pass it."""
        with self._moved:
            if update_id not in self._in_hand:
                return
            self._in_hand.discard(update_id)
            self._settled.add(update_id)
            offset = self._offset()
            if offset is not None:
                self._settled = {u for u in self._settled if u >= offset}
            self._moved.notify_all()

    def wait_moved(self, offset: int | None, timeout: float) -> None:
        """Wait until the offset is no longer `offset`, or `timeout` seconds."""
        with self._moved:
            self._moved.wait_for(lambda: self._offset() != offset, timeout=timeout)

    def _offset(self) -> int | None:
        return min(self._in_hand) if self._in_hand else self._next
