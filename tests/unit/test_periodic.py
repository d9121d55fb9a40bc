"""Every: ticks until stopped and survives a failing task."""

from __future__ import annotations

import threading

import pytest

from entrypoints.periodic import Every


def test_runs_the_task_repeatedly_survives_failures_and_stops() -> None:
    calls: list[int] = []
    third = threading.Event()

    def task() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("storage blip")
        if len(calls) >= 3:
            third.set()

    ticker = Every(0.01, task, name="test").start()
    assert third.wait(10), "the task ran three times despite the first failing"
    ticker.stop()
    settled = len(calls)
    threading.Event().wait(0.05)
    assert len(calls) == settled, "no ticks after stop()"


def test_interval_must_be_positive() -> None:
    with pytest.raises(ValueError):
        Every(0, lambda: None, name="bad")
