"""The Broadcasts contract, continued: the admin's status message, the preview's count
(`audience_size`) and the lease one sending process holds (`claim`, `release`). Run with
BroadcastsContract against every store (subclasses provide `storage`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from contract.broadcasts_contract import (
    B1,
    B2,
    CONFIRMED,
    a_broadcast,
    a_page_request,
    at,
    every_pending,
    users,
)
from contract.racing import race
from paintcore.domain.broadcasts import Audience, BroadcastState
from paintcore.domain.users import UserId
from paintcore.ports import Storage


class BroadcastLeasesContract:
    # -- the status message and the preview's count ---------------------------------------------

    def test_the_status_message_is_kept_and_a_started_broadcast_is_unleased(
        self, storage: Storage
    ) -> None:
        given = replace(a_broadcast(), status_message_id=555, lease_owner="x", lease_until=at(99))

        started = storage.broadcasts.start(given)

        assert started == replace(given, lease_owner=None, lease_until=None)
        assert started.status_message_id == 555 and not started.leased(at(0))
        assert storage.broadcasts.get(B1) == started
        assert storage.broadcasts.current() == started
        assert storage.broadcasts.latest() == started
        storage.broadcasts.finish(B1, at=at(5))
        finished = storage.broadcasts.get(B1)
        assert finished is not None and finished.status_message_id == 555

    def test_a_broadcast_without_a_status_message_reads_back_without_one(
        self, storage: Storage
    ) -> None:
        storage.broadcasts.start(a_broadcast())

        found = storage.broadcasts.get(B1)
        assert found is not None and found.status_message_id is None

    @pytest.mark.parametrize(
        ("audience", "expected"),
        [
            (Audience.everyone(), [1, 3, 5, 6]),
            (Audience.speaking("ru"), [1, 5]),
            (Audience.speaking("en"), [3, 6]),
            (Audience.active(CONFIRMED), [1, 6]),
            (Audience(language="ru", active_since=CONFIRMED - timedelta(days=30)), [1]),
        ],
        ids=["everyone", "ru", "en", "active", "active-ru"],
    )
    def test_the_audience_size_is_what_start_would_fix(
        self, storage: Storage, audience: Audience, expected: list[int]
    ) -> None:
        users(storage, 1, 5, language="ru")
        users(storage, 3, 6, language="en")
        users(storage, 2, language="ru", blocked=True)
        users(storage, 4, language="en", banned=True)
        for user_id in (1, 2, 4, 6):  # recent pages, two by users nobody may write to
            storage.jobs.add(
                a_page_request(f"new{user_id}", user_id, CONFIRMED - timedelta(days=3))
            )
        storage.jobs.add(a_page_request("old3", 3, CONFIRMED - timedelta(days=31)))

        size = storage.broadcasts.audience_size(audience)

        assert storage.broadcasts.current() is None  # counting stores nothing
        started = storage.broadcasts.start(a_broadcast(audience=audience))
        assert size == started.total == len(expected)
        assert every_pending(storage, B1) == expected

    def test_the_audience_size_follows_the_users_until_the_start(self, storage: Storage) -> None:
        assert storage.broadcasts.audience_size(Audience.everyone()) == 0
        users(storage, 1, 2, 3)
        storage.users.set_blocked(UserId(2), True)

        assert storage.broadcasts.audience_size(Audience.everyone()) == 2
        assert storage.broadcasts.start(a_broadcast()).total == 2

    # -- the lease --------------------------------------------------------------------------------

    def test_a_free_lease_is_claimed_and_nothing_else_changes(self, storage: Storage) -> None:
        users(storage, 1, 2)
        started = storage.broadcasts.start(replace(a_broadcast(), status_message_id=9))

        assert storage.broadcasts.claim(B1, "w1", until=at(30), now=at(0)) is True

        found = storage.broadcasts.get(B1)
        assert found == replace(started, lease_owner="w1", lease_until=at(30))
        assert found is not None and found.leased(at(29)) and not found.leased(at(30))
        assert storage.broadcasts.current() == found
        assert storage.broadcasts.latest() == found

    def test_a_live_lease_is_refused_to_another_owner(self, storage: Storage) -> None:
        storage.broadcasts.start(a_broadcast())
        storage.broadcasts.claim(B1, "w1", until=at(30), now=at(0))

        assert storage.broadcasts.claim(B1, "w2", until=at(60), now=at(29.999)) is False
        assert storage.broadcasts.claim(B1, "w2", until=at(60), now=at(1), replacing="w3") is False

        found = storage.broadcasts.get(B1)
        assert found is not None and (found.lease_owner, found.lease_until) == ("w1", at(30))

    @pytest.mark.parametrize("now", [30, 31], ids=["at-the-end", "after"])
    def test_a_lease_that_ran_out_is_taken_by_another(self, storage: Storage, now: int) -> None:
        storage.broadcasts.start(a_broadcast())
        storage.broadcasts.claim(B1, "w1", until=at(30), now=at(0))

        assert storage.broadcasts.claim(B1, "w2", until=at(now + 30), now=at(now)) is True

        found = storage.broadcasts.get(B1)
        assert found is not None and (found.lease_owner, found.lease_until) == ("w2", at(now + 30))
        assert storage.broadcasts.claim(B1, "w1", until=at(90), now=at(now)) is False

    def test_the_holder_renews_its_lease(self, storage: Storage) -> None:
        storage.broadcasts.start(a_broadcast())
        storage.broadcasts.claim(B1, "w1", until=at(30), now=at(0))

        assert storage.broadcasts.claim(B1, "w1", until=at(50), now=at(20)) is True
        found = storage.broadcasts.get(B1)
        assert found is not None and (found.lease_owner, found.lease_until) == ("w1", at(50))
        # Renewing to the same instant changes no value, and is still the holder's yes.
        assert storage.broadcasts.claim(B1, "w1", until=at(50), now=at(21)) is True
        assert storage.broadcasts.claim(B1, "w2", until=at(80), now=at(49)) is False

    def test_a_lease_held_by_a_dead_process_is_taken_over(self, storage: Storage) -> None:
        storage.broadcasts.start(a_broadcast())
        storage.broadcasts.claim(B1, "dead", until=at(30), now=at(0))

        assert storage.broadcasts.claim(B1, "w2", until=at(40), now=at(10), replacing="dead")

        found = storage.broadcasts.get(B1)
        assert found is not None and (found.lease_owner, found.lease_until) == ("w2", at(40))
        assert (
            storage.broadcasts.claim(B1, "w3", until=at(40), now=at(11), replacing="dead") is False
        )

    @pytest.mark.parametrize("end", ["finish", "cancel"])
    def test_an_ended_broadcast_is_not_claimed(self, storage: Storage, end: str) -> None:
        storage.broadcasts.start(a_broadcast())
        storage.broadcasts.claim(B1, "w1", until=at(30), now=at(0))
        getattr(storage.broadcasts, end)(B1, at=at(1))
        before = storage.broadcasts.get(B1)

        assert storage.broadcasts.claim(B1, "w1", until=at(60), now=at(2)) is False
        assert storage.broadcasts.claim(B1, "w2", until=at(60), now=at(31)) is False
        assert storage.broadcasts.claim(B1, "w2", until=at(60), now=at(2), replacing="w1") is False
        assert storage.broadcasts.get(B1) == before
        # Its holder still lets go of it.
        assert storage.broadcasts.release(B1, "w1") is True
        assert storage.broadcasts.claim(B1, "w2", until=at(60), now=at(3)) is False
        released = storage.broadcasts.get(B1)
        assert released is not None and released.lease_owner is None
        assert released.lease_until is None and released.state is not BroadcastState.RUNNING

    def test_an_unknown_broadcast_is_neither_claimed_nor_released(self, storage: Storage) -> None:
        assert storage.broadcasts.claim(B2, "w1", until=at(30), now=at(0)) is False
        assert storage.broadcasts.release(B2, "w1") is False
        assert storage.broadcasts.get(B2) is None

    def test_only_the_holder_releases_the_lease(self, storage: Storage) -> None:
        storage.broadcasts.start(a_broadcast())
        assert storage.broadcasts.release(B1, "w1") is False  # never claimed
        storage.broadcasts.claim(B1, "w1", until=at(30), now=at(0))

        assert storage.broadcasts.release(B1, "w2") is False
        found = storage.broadcasts.get(B1)
        assert found is not None and (found.lease_owner, found.lease_until) == ("w1", at(30))

        assert storage.broadcasts.release(B1, "w1") is True
        found = storage.broadcasts.get(B1)
        assert found is not None and (found.lease_owner, found.lease_until) == (None, None)
        assert found.state is BroadcastState.RUNNING
        assert storage.broadcasts.release(B1, "w1") is False
        # Released, the lease is free at once.
        assert storage.broadcasts.claim(B1, "w2", until=at(40), now=at(1)) is True

    @pytest.mark.parametrize("held", [False, True], ids=["free", "ran-out"])
    def test_eight_owners_claiming_one_lease_get_it_once(
        self, storage: Storage, held: bool
    ) -> None:
        storage.broadcasts.start(a_broadcast())
        if held:
            storage.broadcasts.claim(B1, "gone", until=at(10), now=at(0))

        results = race(8, lambda i: storage.broadcasts.claim(B1, f"w{i}", until=at(60), now=at(20)))

        assert sorted(map(str, results)) == ["False"] * 7 + ["True"], results
        found = storage.broadcasts.get(B1)
        assert found is not None and found.lease_owner == f"w{results.index(True)}"
        assert found.lease_until == at(60)
