"""RecordingMetrics: the Metrics port kept in memory, for tests to read back what was counted."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

from paintcore.domain.metrics import Fact, Timing, labels_of

Labels = tuple[tuple[str, str], ...]  # sorted (name, value) pairs


@dataclass
class RecordingMetrics:
    """Counts and timings as they came; labels are checked as a Prometheus registry would."""

    counts: Counter[tuple[Fact, Labels]] = field(default_factory=Counter)
    timings: dict[Timing, list[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, fact: Fact, amount: int = 1, **labels: str) -> None:
        if set(labels) != set(labels_of(fact)):
            raise ValueError(f"{fact} is counted with {labels_of(fact)}, not {tuple(labels)}")
        if amount < 0:
            raise ValueError("counts only go up")
        with self._lock:
            self.counts[fact, tuple(sorted(labels.items()))] += amount

    def observe(self, timing: Timing, seconds: float) -> None:
        with self._lock:
            self.timings.setdefault(timing, []).append(seconds)

    def total(self, fact: Fact, **labels: str) -> int:
        """The count of `fact` over every label value, or of those matching `labels`."""
        wanted = set(labels.items())
        with self._lock:
            return sum(n for (f, got), n in self.counts.items() if f is fact and wanted <= set(got))

    def by(self, fact: Fact, label: str) -> dict[str, int]:
        """The counts of `fact` per value of its label `label` (those counted at all)."""
        found: Counter[str] = Counter()
        with self._lock:
            for (f, got), n in self.counts.items():
                if f is fact:
                    found[dict(got)[label]] += n
        return dict(found)
