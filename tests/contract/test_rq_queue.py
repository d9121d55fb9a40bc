"""RqTaskQueue on a real redis-server: idempotent enqueue (also racing), depth, follow-ups, the
job function's transient and permanent failures, a dead worker's job, Redis down; the periodic
lock. Workers run here in burst mode on the main thread (RQ's signals and job timeout need it)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from rq import Queue
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from adapters.rq_queue import (
    QUEUE_NAME,
    RETRY_AFTER,
    RedisPeriodLock,
    RqTaskQueue,
    RqWorker,
    connect_redis,
    rq_job_id,
)
from entrypoints import rq_jobs
from paintcore.domain.errors import StorageUnavailable
from paintcore.domain.tasks import Payload, Task
from support.redis_server import RedisServer

DEAD = "host/999999/1"  # an RQ worker name our fake `worker_gone` calls dead


def a_task(number: int = 1, name: str = "echo") -> Task:
    return Task(name, {"n": number}, id=f"{name}:{number}")


class Ran:
    """Handlers that record what they ran; `chain` returns a follow-up until n reaches 3."""

    def __init__(self) -> None:
        self.payloads: list[dict[str, object]] = []
        self.failures: list[Exception] = []

    def echo(self, payload: Payload) -> None:
        self.payloads.append(dict(payload))
        if self.failures:
            raise self.failures.pop(0)

    def chain(self, payload: Payload) -> Task | None:
        self.payloads.append(dict(payload))
        n = int(str(payload["n"]))
        return a_task(n + 1, "chain") if n < 3 else None


@pytest.fixture
def queue(redis_server: RedisServer) -> Iterator[RqTaskQueue]:
    yield RqTaskQueue(
        connect_redis(redis_server.url),
        function=rq_jobs.RUN_TASK,
        worker_gone=lambda name: name == DEAD,
    )


@pytest.fixture
def ran(queue: RqTaskQueue) -> Iterator[Ran]:
    handlers = Ran()
    rq_jobs.bind({"echo": handlers.echo, "chain": handlers.chain}, queue)
    yield handlers
    rq_jobs.unbind()


def work(redis_server: RedisServer) -> None:
    worker = RqWorker(
        connect_redis(redis_server.url), name="test-worker", worker_gone=lambda n: n == DEAD
    )
    worker.work(burst=True, level="WARNING")


def job_of(redis_server: RedisServer, task: Task) -> Job:
    return Job.fetch(
        rq_job_id(task.id), connection=redis_server.client(), serializer=JSONSerializer
    )


def test_a_task_waiting_in_the_queue_is_taken_once(queue: RqTaskQueue) -> None:
    queue.enqueue(a_task(1))
    queue.enqueue(a_task(1))
    queue.enqueue(a_task(2))

    assert queue.depth() == 2


def test_concurrent_enqueues_of_one_task_push_it_once(
    queue: RqTaskQueue, redis_server: RedisServer
) -> None:
    start = threading.Barrier(8)

    def enqueue() -> None:
        start.wait()
        queue.enqueue(a_task(7))

    threads = [threading.Thread(target=enqueue) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    waiting = Queue(QUEUE_NAME, connection=redis_server.client()).get_job_ids()
    assert waiting == [rq_job_id("echo:7")]


def test_a_worker_runs_each_task_by_its_name_with_its_payload(
    queue: RqTaskQueue, ran: Ran, redis_server: RedisServer
) -> None:
    queue.enqueue(a_task(1))
    queue.enqueue(a_task(2))
    assert queue.depth() == 2

    work(redis_server)

    assert ran.payloads == [{"n": 1}, {"n": 2}]
    assert queue.depth() == 0
    assert job_of(redis_server, a_task(1)).get_status() == JobStatus.FINISHED


def test_a_returned_task_is_the_follow_up_and_runs_too(
    queue: RqTaskQueue, ran: Ran, redis_server: RedisServer
) -> None:
    queue.enqueue(a_task(1, "chain"))

    work(redis_server)

    assert ran.payloads == [{"n": 1}, {"n": 2}, {"n": 3}]


def test_a_finished_task_enqueued_again_runs_again(
    queue: RqTaskQueue, ran: Ran, redis_server: RedisServer
) -> None:
    queue.enqueue(a_task(1))
    work(redis_server)
    queue.enqueue(a_task(1))  # e.g. recovery handing a page to the queue again

    assert queue.depth() == 1
    work(redis_server)
    assert ran.payloads == [{"n": 1}, {"n": 1}]


def test_an_unknown_task_name_is_dropped_and_the_worker_goes_on(
    queue: RqTaskQueue, ran: Ran, redis_server: RedisServer
) -> None:
    queue.enqueue(a_task(1, "no-such-task"))
    queue.enqueue(a_task(2))

    work(redis_server)

    assert ran.payloads == [{"n": 2}]
    assert job_of(redis_server, a_task(1, "no-such-task")).get_status() == JobStatus.FINISHED


def test_storage_unavailable_is_transient_and_retried_later_with_backoff(
    queue: RqTaskQueue, ran: Ran, redis_server: RedisServer
) -> None:
    ran.failures.append(StorageUnavailable("database is locked"))
    queue.enqueue(a_task(1))

    work(redis_server)

    job = job_of(redis_server, a_task(1))
    assert job.get_status() == JobStatus.SCHEDULED  # RQ's scheduler enqueues it in 5 s
    assert job.retries_left == 2
    queue.enqueue(a_task(1))  # waiting for its retry: not a second copy
    assert Queue(QUEUE_NAME, connection=redis_server.client()).count == 0


def test_a_retry_runs_once_its_backoff_has_passed_even_if_a_dead_worker_held_the_scheduler(
    queue: RqTaskQueue, ran: Ran, redis_server: RedisServer
) -> None:
    ran.failures.append(StorageUnavailable("database is locked"))
    queue.enqueue(a_task(1))
    work(redis_server)
    # A killed worker's scheduler held RQ's lock (it would lapse in a minute): taken over at once.
    redis_server.client().set(f"rq:scheduler-lock:{QUEUE_NAME}", f"{DEAD}-scheduler", ex=60)

    time.sleep(RETRY_AFTER[0] + 0.2)
    work(redis_server)  # RQ's scheduler (a thread of the worker) puts it back first

    assert ran.payloads == [{"n": 1}, {"n": 1}]
    assert job_of(redis_server, a_task(1)).get_status() == JobStatus.FINISHED


def test_any_other_exception_is_a_bug_failed_at_once_without_retries(
    queue: RqTaskQueue, ran: Ran, redis_server: RedisServer
) -> None:
    ran.failures.append(KeyError("job_id"))
    queue.enqueue(a_task(1))

    work(redis_server)

    assert job_of(redis_server, a_task(1)).get_status() == JobStatus.FAILED
    assert ran.payloads == [{"n": 1}]
    queue.enqueue(a_task(1))  # over: a new run may be asked for
    work(redis_server)
    assert ran.payloads == [{"n": 1}, {"n": 1}]


def test_a_job_started_by_a_dead_worker_is_enqueued_again(
    queue: RqTaskQueue, redis_server: RedisServer
) -> None:
    queue.enqueue(a_task(1))
    client = redis_server.client()
    key = Job.key_for(rq_job_id("echo:1"))
    client.lpop(f"rq:queue:{QUEUE_NAME}")  # as a worker's dequeue does
    client.hset(key, mapping={"status": "started", "worker_name": "host/1/alive"})

    queue.enqueue(a_task(1))
    assert queue.depth() == 0, "a live worker's job is left alone"

    client.hset(key, "worker_name", DEAD)
    queue.enqueue(a_task(1))
    assert Queue(QUEUE_NAME, connection=client).get_job_ids() == [rq_job_id("echo:1")]


def test_redis_down_is_storage_unavailable(queue: RqTaskQueue, redis_server: RedisServer) -> None:
    redis_server.stop()

    with pytest.raises(StorageUnavailable):
        queue.enqueue(a_task(1))
    with pytest.raises(StorageUnavailable):
        queue.depth()
    with pytest.raises(StorageUnavailable, match=r"cannot reach Redis at redis://127\.0\.0\.1"):
        connect_redis(redis_server.url)


def test_the_password_never_shows_in_the_unreachable_message(redis_server: RedisServer) -> None:
    redis_server.stop()
    url = f"redis://paint:s3cret-pw@127.0.0.1:{redis_server.port}/0"

    with pytest.raises(StorageUnavailable) as caught:
        connect_redis(url)
    assert "s3cret-pw" not in str(caught.value)
    assert f"redis://paint:***@127.0.0.1:{redis_server.port}/0" in str(caught.value)


@pytest.mark.parametrize(
    "task_id", ["page:0af3", "broadcast:b1:12", "a_b", "a_5fb", "кот:1", "x-y", "a/b c"]
)
def test_every_task_id_is_a_valid_and_distinct_rq_job_id(task_id: str) -> None:
    others = {"page:0af3", "broadcast:b1:12", "a_b", "a_5fb", "кот:1", "x-y", "a/b c"} - {task_id}

    job_id = rq_job_id(task_id)
    assert job_id and all(c.isascii() and (c.isalnum() or c in "_-") for c in job_id)
    assert job_id not in {rq_job_id(other) for other in others}


def test_the_periodic_lock_gives_one_turn_per_period_across_processes(
    redis_server: RedisServer,
) -> None:
    one = RedisPeriodLock(redis_server.client(), owner="host/1/1")
    other = RedisPeriodLock(redis_server.client(), owner="host/2/1")

    assert one.once("recovery", 0.3)
    assert not other.once("recovery", 0.3)
    assert not one.once("recovery", 0.3), "not twice in a period, even for the holder"
    assert other.once("sweep", 0.3), "one lock per task name"
    threading.Event().wait(0.35)
    assert other.once("recovery", 0.3), "the next period is anyone's"
