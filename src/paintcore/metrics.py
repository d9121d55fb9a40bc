"""NoMetrics: the Metrics port that keeps nothing, every use case's default (metrics are optional)."""

from __future__ import annotations

from .domain.jobs import ClosedJob
from .domain.metrics import Fact, Timing
from .ports.metrics import Metrics


class NoMetrics:
    """Counts nothing: a use case built without metrics works as before."""

    def count(self, fact: Fact, amount: int = 1, **labels: str) -> None:
        return None

    def observe(self, timing: Timing, seconds: float) -> None:
        return None


NO_METRICS = NoMetrics()


def count_failed(metrics: Metrics, closed: ClosedJob | None) -> None:
    """Count what `PageOrders.close(state=FAILED)` did: nothing when it did not move the job (it
    ended elsewhere, which counted it), else a failed page, refunded when its credit came back.
    (A delivered page is counted where it is delivered, whatever its close says.)"""
    if closed is None:
        return
    metrics.count(Fact.PAGES_FAILED)
    if closed.settled:
        metrics.count(Fact.PAGES_REFUNDED)
