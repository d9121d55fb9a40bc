"""The Users contract, run against every adapter of the port (subclasses provide `users`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from contract.racing import race
from paintcore.domain.errors import UserNotFound
from paintcore.domain.users import User, UserId
from paintcore.ports import Users

REGISTERED = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def a_user(user_id: int = 1, **changes: object) -> User:
    fields: dict[str, object] = {
        "id": UserId(user_id),
        "first_name": "Аня",
        "last_name": "Петрова",
        "username": "anya",
        "language": "ru",
        "registered_at": REGISTERED,
    }
    fields.update(changes)
    return User(**fields)  # type: ignore[arg-type]


class UsersContract:
    def test_an_added_user_reads_back_unchanged(self, users: Users) -> None:
        user = a_user(banned=True, blocked=True)

        assert users.add(user) is True
        assert users.get(user.id) == user

    def test_registration_time_reads_back_as_the_same_aware_instant(self, users: Users) -> None:
        moscow = timezone(timedelta(hours=3))
        users.add(a_user(registered_at=REGISTERED.astimezone(moscow)))

        stored = users.get(UserId(1))

        assert stored is not None
        assert stored.registered_at == REGISTERED
        assert stored.registered_at.utcoffset() is not None

    def test_adding_a_known_id_returns_false_and_keeps_the_first_data(self, users: Users) -> None:
        first = a_user(first_name="Аня")
        users.add(first)

        assert users.add(a_user(first_name="Someone else", language="en")) is False
        assert users.get(first.id) == first
        assert users.count() == 1

    def test_an_unknown_id_is_none(self, users: Users) -> None:
        users.add(a_user(1))

        assert users.get(UserId(2)) is None

    def test_count_counts_registered_users(self, users: Users) -> None:
        assert users.count() == 0

        users.add(a_user(1))
        users.add(a_user(2))
        users.add(a_user(1))

        assert users.count() == 2

    def test_set_blocked_records_and_clears_the_block(self, users: Users) -> None:
        users.add(a_user(1))

        users.set_blocked(UserId(1), True)
        blocked = users.get(UserId(1))
        users.set_blocked(UserId(1), False)
        unblocked = users.get(UserId(1))

        assert blocked is not None and blocked.blocked is True
        assert unblocked is not None and unblocked.blocked is False

    def test_set_banned_bans_and_lifts_the_ban(self, users: Users) -> None:
        users.add(a_user(1))

        users.set_banned(UserId(1), True)
        banned = users.get(UserId(1))
        users.set_banned(UserId(1), False)
        unbanned = users.get(UserId(1))

        assert banned is not None and banned.banned is True
        assert unbanned is not None and unbanned.banned is False

    def test_flags_change_only_their_own_field_of_their_own_user(self, users: Users) -> None:
        users.add(a_user(1))
        users.add(a_user(2, username="other"))

        users.set_blocked(UserId(1), True)

        assert users.get(UserId(1)) == a_user(1, blocked=True)
        assert users.get(UserId(2)) == a_user(2, username="other")

    def test_set_blocked_of_an_unknown_user_raises_user_not_found(self, users: Users) -> None:
        with pytest.raises(UserNotFound):
            users.set_blocked(UserId(404), True)
        assert users.get(UserId(404)) is None

    def test_set_banned_of_an_unknown_user_raises_user_not_found(self, users: Users) -> None:
        with pytest.raises(UserNotFound):
            users.set_banned(UserId(404), True)
        assert users.count() == 0

    def test_racing_adds_of_one_user_insert_it_once(self, users: Users) -> None:
        outcomes = race(8, lambda i: users.add(a_user(1, first_name=f"racer {i}")))

        assert outcomes.count(True) == 1
        assert outcomes.count(False) == 7
        winner = outcomes.index(True)
        assert users.get(UserId(1)) == a_user(1, first_name=f"racer {winner}")
        assert users.count() == 1

    def test_recipients_are_users_neither_blocked_nor_banned_in_id_order(
        self, users: Users
    ) -> None:
        for uid in (30, 10, 20, 40):
            users.add(a_user(uid))
        users.set_blocked(UserId(20), True)
        users.set_banned(UserId(40), True)

        assert users.recipients() == [UserId(10), UserId(30)]

        users.set_blocked(UserId(20), False)
        assert users.recipients() == [UserId(10), UserId(20), UserId(30)]

    def test_no_users_means_no_recipients(self, users: Users) -> None:
        assert users.recipients() == []

    # -- finding and walking -------------------------------------------------------------------

    @pytest.mark.parametrize("asked", ["anya_P", "@anya_p", "ANYA_P", " @Anya_P "])
    def test_find_knows_a_username_in_any_letter_case_with_or_without_at(
        self, users: Users, asked: str
    ) -> None:
        anya = a_user(1, username="Anya_P")
        users.add(anya)
        users.add(a_user(2, username="boris"))

        assert users.find(asked) == anya

    def test_find_of_an_unknown_or_empty_username_is_none(self, users: Users) -> None:
        users.add(a_user(1, username="anya"))
        users.add(a_user(2, username=""))

        assert users.find("anyaa") is None
        assert users.find("any") is None
        assert users.find("") is None
        assert users.find("@") is None

    def test_find_takes_a_username_literally(self, users: Users) -> None:
        users.add(a_user(1, username="anya"))
        assert users.find("an.a") is None
        assert users.find("an%") is None

    def test_ids_walk_every_user_in_order_page_by_page(self, users: Users) -> None:
        for user_id in (5, 3, 9, 1, 7):
            users.add(a_user(user_id, username=f"u{user_id}", blocked=user_id == 3))

        assert users.ids() == [1, 3, 5, 7, 9]
        assert users.ids(limit=2) == [1, 3]
        assert users.ids(after=UserId(3), limit=2) == [5, 7]
        assert users.ids(after=UserId(7), limit=2) == [9]
        assert users.ids(after=UserId(9)) == []
        assert users.ids(after=UserId(4)) == [5, 7, 9]

    def test_registered_since_counts_users_registered_at_or_after_a_moment(
        self, users: Users
    ) -> None:
        for user_id, days in ((1, 0), (2, 1), (3, 2), (4, 3)):
            users.add(a_user(user_id, registered_at=REGISTERED + timedelta(days=days)))

        assert users.registered_since(REGISTERED + timedelta(days=1)) == 3
        assert users.registered_since(REGISTERED + timedelta(days=1, microseconds=1)) == 2
        assert users.registered_since(REGISTERED - timedelta(days=1)) == 4
        assert users.registered_since(REGISTERED + timedelta(days=9)) == 0
        # The same instant in another zone is the same instant.
        moscow = timezone(timedelta(hours=3))
        assert users.registered_since((REGISTERED + timedelta(days=2)).astimezone(moscow)) == 2
