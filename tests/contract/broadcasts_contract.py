"""The Broadcasts contract, run against every store (subclasses provide `storage`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from contract.jobs_contract import a_job
from contract.racing import race
from contract.users_contract import a_user
from paintcore.domain.broadcasts import (
    Audience,
    Broadcast,
    BroadcastCounts,
    BroadcastId,
    BroadcastState,
    CopiedMessage,
    Delivery,
)
from paintcore.domain.errors import BroadcastRunning
from paintcore.domain.jobs import Job, JobState
from paintcore.domain.users import UserId
from paintcore.ports import Storage

CONFIRMED = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
B1, B2 = BroadcastId("b1"), BroadcastId("b2")


def a_broadcast(
    broadcast_id: str = "b1", audience: Audience | None = None, minutes: int = 0
) -> Broadcast:
    return Broadcast(
        id=BroadcastId(broadcast_id),
        admin_id=UserId(7),
        message=CopiedMessage(from_chat_id=7, message_id=42),
        audience=audience or Audience.everyone(),
        created_at=CONFIRMED - timedelta(minutes=1),
        started_at=CONFIRMED + timedelta(minutes=minutes),
        paid=True,
    )


def users(storage: Storage, *ids: int, **changes: object) -> None:
    for user_id in ids:
        storage.users.add(a_user(user_id, **changes))


def every_pending(storage: Storage, broadcast_id: BroadcastId, page: int = 2) -> list[UserId]:
    """All pending recipients, read page by page as the engine does."""
    found: list[UserId] = []
    while batch := storage.broadcasts.pending(
        broadcast_id, after=found[-1] if found else None, limit=page
    ):
        found.extend(batch)
    return found


def at(seconds: float) -> datetime:
    return CONFIRMED + timedelta(seconds=seconds)


class BroadcastsContract:
    def test_a_started_broadcast_reads_back_running_with_its_total(self, storage: Storage) -> None:
        users(storage, 3, 1, 2)

        started = storage.broadcasts.start(a_broadcast())

        assert started == replace(a_broadcast(), total=3)
        assert storage.broadcasts.get(B1) == started
        assert storage.broadcasts.current() == started
        assert storage.broadcasts.latest() == started
        assert storage.broadcasts.get(B2) is None

    def test_recipients_are_fixed_at_confirmation_in_id_order(self, storage: Storage) -> None:
        users(storage, 5, 1, 3)
        users(storage, 2, blocked=True)
        users(storage, 4, banned=True)
        storage.broadcasts.start(a_broadcast())
        users(storage, 6)  # registered later: not included
        storage.users.set_blocked(UserId(3), True)  # blocked later: still on the list

        assert every_pending(storage, B1) == [1, 3, 5]
        assert storage.broadcasts.counts(B1) == BroadcastCounts(pending=3)

    def test_an_audience_by_language(self, storage: Storage) -> None:
        users(storage, 1, 2, language="ru")
        users(storage, 3, language="en")

        started = storage.broadcasts.start(a_broadcast(audience=Audience.speaking("en")))

        assert started.total == 1 and every_pending(storage, B1) == [3]
        assert storage.broadcasts.get(B1) == started

    def test_an_audience_of_users_active_in_the_last_30_days(self, storage: Storage) -> None:
        users(storage, 1, 2, 3, 4)
        storage.jobs.add(a_page_request("old", 1, CONFIRMED - timedelta(days=31)))
        storage.jobs.add(a_page_request("new", 2, CONFIRMED - timedelta(days=29)))
        storage.jobs.add(a_page_request("new2", 2, CONFIRMED - timedelta(days=1)))
        storage.jobs.add(a_page_request("new3", 4, CONFIRMED - timedelta(days=2)))
        audience = Audience.active(CONFIRMED)

        started = storage.broadcasts.start(a_broadcast(audience=audience))

        assert every_pending(storage, B1) == [2, 4] and started.total == 2
        assert storage.broadcasts.get(B1) == started

    def test_a_second_broadcast_is_refused_while_one_runs(self, storage: Storage) -> None:
        users(storage, 1)
        storage.broadcasts.start(a_broadcast())

        with pytest.raises(BroadcastRunning):
            storage.broadcasts.start(a_broadcast("b2"))

        assert storage.broadcasts.get(B2) is None
        assert storage.broadcasts.counts(B2) == BroadcastCounts()

    def test_a_known_id_is_refused(self, storage: Storage) -> None:
        storage.broadcasts.start(a_broadcast())
        storage.broadcasts.finish(B1, at=at(1))

        with pytest.raises(ValueError):
            storage.broadcasts.start(a_broadcast())

    def test_another_may_start_once_the_first_finished_or_was_cancelled(
        self, storage: Storage
    ) -> None:
        users(storage, 1)
        storage.broadcasts.start(a_broadcast())
        assert storage.broadcasts.finish(B1, at=at(5)) is True
        storage.broadcasts.start(a_broadcast("b2", minutes=1))
        assert storage.broadcasts.cancel(B2, at=at(90)) is True

        storage.broadcasts.start(a_broadcast("b3", minutes=2))

        first, second = storage.broadcasts.get(B1), storage.broadcasts.get(B2)
        assert first is not None and first.state is BroadcastState.DONE
        assert first.finished_at == at(5)
        assert second is not None and second.state is BroadcastState.CANCELLED
        latest = storage.broadcasts.latest()
        assert latest is not None and latest.id == "b3"

    def test_cancel_and_finish_change_only_a_running_broadcast(self, storage: Storage) -> None:
        storage.broadcasts.start(a_broadcast())

        assert storage.broadcasts.cancel(B1, at=at(1)) is True
        assert storage.broadcasts.cancel(B1, at=at(2)) is False
        assert storage.broadcasts.finish(B1, at=at(3)) is False
        assert storage.broadcasts.cancel(B2, at=at(1)) is False
        found = storage.broadcasts.get(B1)
        assert found is not None and found.finished_at == at(1)
        assert storage.broadcasts.current() is None

    def test_a_delivery_is_recorded_once(self, storage: Storage) -> None:
        users(storage, 1, 2, 3, 4)
        storage.broadcasts.start(a_broadcast())

        assert storage.broadcasts.record(B1, UserId(1), Delivery.SENT, at=at(1)) is True
        assert storage.broadcasts.record(B1, UserId(1), Delivery.FAILED, at=at(2)) is False
        assert storage.broadcasts.record(B1, UserId(2), Delivery.BLOCKED, at=at(2)) is True
        assert storage.broadcasts.record(B1, UserId(3), Delivery.FAILED, at=at(2)) is True
        assert storage.broadcasts.record(B1, UserId(9), Delivery.SENT, at=at(2)) is False
        assert storage.broadcasts.record(B2, UserId(4), Delivery.SENT, at=at(2)) is False

        assert storage.broadcasts.counts(B1) == BroadcastCounts(1, 1, 1, 1)
        assert every_pending(storage, B1) == [4]

    def test_pending_is_read_after_an_id_a_page_at_a_time(self, storage: Storage) -> None:
        users(storage, *range(1, 8))
        storage.broadcasts.start(a_broadcast())
        storage.broadcasts.record(B1, UserId(3), Delivery.SENT, at=at(1))

        assert storage.broadcasts.pending(B1, limit=3) == [1, 2, 4]
        assert storage.broadcasts.pending(B1, after=UserId(4), limit=2) == [5, 6]
        assert storage.broadcasts.pending(B1, after=UserId(7)) == []
        assert storage.broadcasts.pending(B1, limit=0) == []

    def test_pending_is_refused_as_an_outcome(self, storage: Storage) -> None:
        users(storage, 1)
        storage.broadcasts.start(a_broadcast())

        with pytest.raises(ValueError):
            storage.broadcasts.record(B1, UserId(1), Delivery.PENDING, at=at(1))

    def test_eight_threads_recording_one_delivery_record_it_once(self, storage: Storage) -> None:
        users(storage, 1, 2)
        storage.broadcasts.start(a_broadcast())
        outcomes = (Delivery.SENT, Delivery.BLOCKED, Delivery.FAILED, Delivery.SENT) * 2

        results = race(8, lambda i: storage.broadcasts.record(B1, UserId(1), outcomes[i], at=at(i)))

        assert sorted(map(str, results)) == ["False"] * 7 + ["True"]
        counts = storage.broadcasts.counts(B1)
        assert counts.pending == 1 and counts.done == 1

    def test_eight_threads_starting_broadcasts_start_one(self, storage: Storage) -> None:
        users(storage, 1, 2, 3)

        results = race(8, lambda i: storage.broadcasts.start(a_broadcast(f"r{i}")))

        started = [r for r in results if isinstance(r, Broadcast)]
        assert len(started) == 1, results
        assert all(isinstance(r, BroadcastRunning) for r in results if r not in started)
        assert storage.broadcasts.current() == started[0]
        assert every_pending(storage, started[0].id) == [1, 2, 3]

    def test_the_first_of_a_long_list_is_read_without_the_rest(self, storage: Storage) -> None:
        users(storage, *range(1, 2501))
        started = storage.broadcasts.start(a_broadcast())

        assert started.total == 2500
        assert storage.broadcasts.pending(B1, after=UserId(2400), limit=150) == list(
            range(2401, 2501)
        )


def a_page_request(job_id: str, user_id: int, created: datetime) -> Job:
    """A page the user requested at `created` (finished: one user may have several)."""
    return replace(a_job(job_id, user_id), created_at=created, state=JobState.SUCCEEDED)
