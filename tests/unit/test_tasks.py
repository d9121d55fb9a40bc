"""Tasks: named, JSON-safe, identified values; the in-memory queue runs them by their names."""

from __future__ import annotations

import pytest

from adapters.memory import InMemoryJobQueue
from paintcore.domain.tasks import (
    PAGE,
    Payload,
    Task,
    page_handler,
    page_job_id,
    page_job_ids,
    page_task,
)


def test_a_page_task_is_named_page_and_identified_by_its_job() -> None:
    task = page_task("j1")

    assert task == Task(PAGE, {"job_id": "j1"}, id="page:j1")
    assert page_job_id(task) == "j1"
    assert page_task("j1") == page_task("j1") and hash(page_task("j1")) == hash(task)


def test_only_page_tasks_have_a_job_id() -> None:
    step = Task("broadcast-step", {"job_id": "not a page"}, id="broadcast:1:0")

    assert page_job_id(step) is None
    assert page_job_ids([page_task("a"), step, page_task("b")]) == ["a", "b"]


def test_a_task_keeps_its_payload_as_enqueued() -> None:
    payload: dict[str, str | int | float | bool | None] = {"broadcast": "b1", "offset": 0}
    task = Task("broadcast-step", payload, id="broadcast:b1:0")
    payload["offset"] = 500

    assert task.payload == {"broadcast": "b1", "offset": 0}
    with pytest.raises(TypeError):
        task.payload["offset"] = 1  # type: ignore[index]


@pytest.mark.parametrize(
    "payload", [{"ids": [1, 2]}, {"nested": {"a": 1}}, {"when": object()}, {1: "x"}]
)
def test_a_payload_must_be_flat_and_json_safe(payload: dict[object, object]) -> None:
    with pytest.raises(ValueError):
        Task("anything", payload, id="t1")  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "task_id"), [("", "t1"), ("page", "")])
def test_a_task_needs_a_name_and_an_id(name: str, task_id: str) -> None:
    with pytest.raises(ValueError):
        Task(name, {}, id=task_id)


def test_the_page_handler_runs_the_page_of_the_tasks_job() -> None:
    ran: list[str] = []

    def run(*, job_id: str) -> None:
        ran.append(job_id)

    page_handler(run)(page_task("j9").payload)
    assert ran == ["j9"]


# -- the in-memory queue --------------------------------------------------------------------------


def test_the_memory_queue_runs_each_task_by_its_own_handler_in_order() -> None:
    ran: list[tuple[str, object]] = []

    def step(payload: Payload) -> None:
        ran.append(("step", payload["offset"]))

    queue = InMemoryJobQueue()
    queue.handlers[PAGE] = lambda payload: ran.append(("page", payload["job_id"]))
    queue.handlers["broadcast-step"] = step
    queue.enqueue(page_task("j1"))
    queue.enqueue(Task("broadcast-step", {"offset": 0}, id="b:0"))

    assert queue.pending == ["j1"]  # the waiting pages' job ids
    assert queue.depth() == 2
    assert queue.run_pending() == 2
    assert ran == [("page", "j1"), ("step", 0)]
    assert queue.depth() == 0


def test_the_memory_queue_drops_a_task_it_has_no_handler_for() -> None:
    ran: list[object] = []
    queue = InMemoryJobQueue()
    queue.handlers[PAGE] = lambda payload: ran.append(payload["job_id"])
    mystery = Task("mystery", {}, id="m1")
    queue.enqueue(mystery)
    queue.enqueue(page_task("j1"))

    assert queue.run_pending() == 1
    assert ran == ["j1"]
    assert queue.dropped == [mystery]


def test_the_memory_queue_takes_a_waiting_task_once() -> None:
    queue = InMemoryJobQueue()
    queue.enqueue(page_task("j1"))
    queue.enqueue(page_task("j1"))

    assert queue.pending == ["j1"]
    assert queue.depth() == 1
