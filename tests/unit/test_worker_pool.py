"""InProcessJobQueue: bounded concurrency, dispatch by task name, survives crashes, drains."""

from __future__ import annotations

import threading
import time

import pytest

from adapters.queue import InProcessJobQueue
from paintcore.domain.errors import StorageUnavailable
from paintcore.domain.tasks import PAGE, Payload, Task, page_handler, page_task


class Recorder:
    """A page runner (RunGeneration's signature) that records the jobs it ran."""

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


def pages(runner: Recorder, *, workers: int) -> InProcessJobQueue:
    return InProcessJobQueue({PAGE: page_handler(runner)}, workers=workers)


def test_runs_every_task_with_at_most_the_configured_concurrency() -> None:
    handler = Recorder(delay=0.02)
    pool = pages(handler, workers=3)
    for i in range(12):
        pool.enqueue(page_task(f"j{i}"))

    assert pool.join(timeout=10)
    assert sorted(handler.done) == sorted(f"j{i}" for i in range(12))
    assert handler.peak == 3
    assert pool.depth() == 0
    pool.close()


def test_a_crashing_handler_does_not_kill_the_worker() -> None:
    handler = Recorder(crash_on="bad")
    pool = pages(handler, workers=1)
    for job in ("a", "bad", "b"):
        pool.enqueue(page_task(job))
    assert pool.join(timeout=10)
    assert handler.done == ["a", "b"]
    pool.close()


def test_a_task_with_an_unknown_name_is_logged_dropped_and_the_worker_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    handler = Recorder()
    pool = pages(handler, workers=1)
    pool.enqueue(page_task("a"))
    pool.enqueue(Task("reconcile-payments", {"provider": "yookassa"}, id="reconcile:1"))
    pool.enqueue(page_task("b"))

    assert pool.join(timeout=10)
    assert handler.done == ["a", "b"]
    assert pool.depth() == 0
    assert "no handler" in caplog.text and "reconcile:1" in caplog.text
    pool.close()


def test_each_task_name_goes_to_its_own_handler() -> None:
    pages_run, steps_run = Recorder(), []

    def broadcast_step(payload: Payload) -> None:
        steps_run.append(payload["broadcast"])

    pool = InProcessJobQueue(
        {PAGE: page_handler(pages_run), "broadcast-step": broadcast_step}, workers=2
    )
    pool.enqueue(page_task("j1"))
    pool.enqueue(Task("broadcast-step", {"broadcast": "b7"}, id="broadcast:b7:0"))

    assert pool.join(timeout=10)
    assert pages_run.done == ["j1"]
    assert steps_run == ["b7"]
    pool.close()


def test_a_task_still_waiting_is_taken_once() -> None:
    gate = threading.Event()
    ran: list[str] = []

    def blocked(*, job_id: str) -> None:
        ran.append(job_id)
        gate.wait(10)

    pool = InProcessJobQueue({PAGE: page_handler(blocked)}, workers=1)
    pool.enqueue(page_task("running"))
    pool.enqueue(page_task("waiting"))
    pool.enqueue(page_task("waiting"))  # e.g. a request and the start-up recovery at once
    assert pool.depth() == 2
    gate.set()
    assert pool.join(timeout=10)
    assert ran == ["running", "waiting"]
    pool.close()


def test_a_task_that_already_started_may_be_enqueued_again() -> None:
    handler = Recorder()
    pool = pages(handler, workers=1)
    pool.enqueue(page_task("j1"))
    assert pool.join(timeout=10)
    pool.enqueue(page_task("j1"))  # the handler decides there is nothing left to do
    assert pool.join(timeout=10)
    assert handler.done == ["j1", "j1"]
    pool.close()


def test_depth_counts_waiting_and_running_tasks() -> None:
    gate = threading.Event()

    def blocked(*, job_id: str) -> None:
        gate.wait(10)

    pool = InProcessJobQueue({PAGE: page_handler(blocked)}, workers=1)
    pool.enqueue(page_task("a"))
    pool.enqueue(page_task("b"))
    assert pool.depth() == 2
    assert not pool.join(timeout=0.05)
    gate.set()
    assert pool.join(timeout=10)
    assert pool.depth() == 0
    pool.close()


def test_close_finishes_queued_work_then_refuses_new_tasks() -> None:
    handler = Recorder(delay=0.01)
    pool = pages(handler, workers=2)
    for i in range(5):
        pool.enqueue(page_task(str(i)))
    assert pool.close(timeout=10)
    assert len(handler.done) == 5
    with pytest.raises(StorageUnavailable):
        pool.enqueue(page_task("late"))


def test_workers_must_be_positive() -> None:
    with pytest.raises(ValueError):
        pages(Recorder(), workers=0)


def test_close_without_draining_finishes_running_tasks_and_drops_waiting_ones() -> None:
    started = threading.Event()
    release = threading.Event()
    ran: list[str] = []

    def handler(*, job_id: str) -> None:
        ran.append(job_id)
        started.set()
        release.wait(10)

    pool = InProcessJobQueue({PAGE: page_handler(handler)}, workers=1)
    for job in ("running", "waiting-1", "waiting-2"):
        pool.enqueue(page_task(job))
    assert started.wait(10)
    assert pool.in_flight() == [page_task("running")]

    assert not pool.close(timeout=0.05, drain=False)  # the running task holds it past the timeout
    assert pool.in_flight() == [page_task("running")]
    release.set()
    assert pool.join(timeout=10)
    assert ran == ["running"]
    assert pool.in_flight() == []
