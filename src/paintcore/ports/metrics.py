"""Metrics: what the core tells an operator's monitoring, without knowing which one."""

from __future__ import annotations

from typing import Protocol

from ..domain.metrics import Fact, Timing


class Metrics(Protocol):
    def count(self, fact: Fact, amount: int = 1, **labels: str) -> None:
        """Add `amount` (>= 0) to `fact`, with exactly the labels `domain.metrics.labels_of(fact)`
        names; ValueError for others. Cheap and never blocks on I/O."""
        ...

    def observe(self, timing: Timing, seconds: float) -> None:
        """Record one duration of `timing`. Cheap and never blocks on I/O."""
        ...
