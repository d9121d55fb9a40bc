"""IntervalPacer: evenly spaced sends at the configured rate."""

from __future__ import annotations

import pytest

from adapters.pacing import IntervalPacer


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_sends_are_spaced_by_one_over_the_rate() -> None:
    clock = FakeTime()
    pacer = IntervalPacer(4, monotonic=clock.monotonic, sleep=clock.sleep)
    for _ in range(5):
        pacer.pace()
    assert clock.slept == [0.25, 0.25, 0.25, 0.25]


def test_time_already_passed_is_not_slept_again() -> None:
    clock = FakeTime()
    pacer = IntervalPacer(2, monotonic=clock.monotonic, sleep=clock.sleep)
    pacer.pace()
    clock.now += 10
    pacer.pace()
    assert clock.slept == []


def test_rate_must_be_positive() -> None:
    with pytest.raises(ValueError):
        IntervalPacer(0)
