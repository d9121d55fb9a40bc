"""InProcessJobQueue: bounded concurrency, survives handler crashes, drains before closing."""

from __future__ import annotations

import threading
import time

import pytest

from adapters.queue import InProcessJobQueue
from paintcore.domain.errors import StorageUnavailable


class Recorder:
    def __init__(self, delay: float = 0.0, crash_on: str | None = None) -> None:
        self.delay = delay
        self.crash_on = crash_on
        self.done: list[str] = []
        self.active = 0
        self.peak = 0
        self._lock = threading.Lock()

    def __call__(self, *, job_id: str) -> None:
        with self._lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            time.sleep(self.delay)
            if job_id == self.crash_on:
                raise RuntimeError("handler bug")
            with self._lock:
                self.done.append(job_id)
        finally:
            with self._lock:
                self.active -= 1


def test_runs_every_job_with_at_most_the_configured_concurrency() -> None:
    handler = Recorder(delay=0.02)
    pool = InProcessJobQueue(handler, workers=3)
    for i in range(12):
        pool.enqueue(f"j{i}")

    assert pool.join(timeout=10)
    assert sorted(handler.done) == sorted(f"j{i}" for i in range(12))
    assert handler.peak == 3
    assert pool.depth() == 0
    pool.close()


def test_a_crashing_handler_does_not_kill_the_worker() -> None:
    handler = Recorder(crash_on="bad")
    pool = InProcessJobQueue(handler, workers=1)
    for job in ("a", "bad", "b"):
        pool.enqueue(job)
    assert pool.join(timeout=10)
    assert handler.done == ["a", "b"]
    pool.close()


def test_depth_counts_waiting_and_running_jobs() -> None:
    gate = threading.Event()

    def blocked(*, job_id: str) -> None:
        gate.wait(10)

    pool = InProcessJobQueue(blocked, workers=1)
    pool.enqueue("a")
    pool.enqueue("b")
    assert pool.depth() == 2
    assert not pool.join(timeout=0.05)
    gate.set()
    assert pool.join(timeout=10)
    assert pool.depth() == 0
    pool.close()


def test_close_finishes_queued_work_then_refuses_new_jobs() -> None:
    handler = Recorder(delay=0.01)
    pool = InProcessJobQueue(handler, workers=2)
    for i in range(5):
        pool.enqueue(str(i))
    assert pool.close(timeout=10)
    assert len(handler.done) == 5
    with pytest.raises(StorageUnavailable):
        pool.enqueue("late")


def test_workers_must_be_positive() -> None:
    with pytest.raises(ValueError):
        InProcessJobQueue(Recorder(), workers=0)


def test_close_without_draining_finishes_running_jobs_and_leaves_waiting_ones() -> None:
    started = threading.Event()
    release = threading.Event()
    ran: list[str] = []

    def handler(*, job_id: str) -> None:
        ran.append(job_id)
        started.set()
        release.wait(10)

    pool = InProcessJobQueue(handler, workers=1)
    for job in ("running", "waiting-1", "waiting-2"):
        pool.enqueue(job)
    assert started.wait(10)
    assert pool.running() == ["running"]

    assert not pool.close(timeout=0.05, drain=False)  # the running job holds it past the timeout
    assert pool.running() == ["running"]
    release.set()
    assert pool.join(timeout=10)
    assert ran == ["running"]
    assert pool.running() == []
