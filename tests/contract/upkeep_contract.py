"""The UpdateLog and Flags contracts, run against every store (subclasses provide `store`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from paintcore.ports import Storage

from .racing import race

NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


class UpdateLogContract:
    def test_an_update_never_recorded_was_not_handled(self, store: Storage) -> None:
        assert store.updates.handled(1) is False

    def test_a_recorded_update_was_handled(self, store: Storage) -> None:
        assert store.updates.record(7, at=NOON) is True

        assert store.updates.handled(7) is True
        assert store.updates.handled(8) is False

    def test_recording_again_changes_nothing(self, store: Storage) -> None:
        store.updates.record(7, at=NOON)

        assert store.updates.record(7, at=NOON + timedelta(hours=1)) is False
        # The first record's time stands: a sweep between the two times forgets it.
        assert store.updates.sweep(NOON + timedelta(minutes=30)) == 1
        assert store.updates.handled(7) is False

    def test_of_racing_records_exactly_one_wins(self, store: Storage) -> None:
        outcomes = race(8, lambda i: store.updates.record(42, at=NOON))

        assert sorted(map(repr, outcomes)) == ["False"] * 7 + ["True"]

    def test_sweep_forgets_only_older_records(self, store: Storage) -> None:
        store.updates.record(1, at=NOON - timedelta(days=2))
        store.updates.record(2, at=NOON)

        assert store.updates.sweep(NOON - timedelta(days=1)) == 1
        assert (store.updates.handled(1), store.updates.handled(2)) == (False, True)
        assert store.updates.sweep(NOON - timedelta(days=1)) == 0

    def test_a_claimed_update_is_not_handled_yet_and_nobody_else_may_take_it(
        self, store: Storage
    ) -> None:
        assert store.updates.claim(7, at=NOON, until=NOON + timedelta(minutes=2)) is True

        assert store.updates.handled(7) is False
        assert store.updates.claim(7, at=NOON + timedelta(minutes=1), until=NOON + HOUR) is False
        assert store.updates.claim(8, at=NOON, until=NOON + HOUR) is True

    def test_a_claim_that_ran_out_is_taken_over(self, store: Storage) -> None:
        store.updates.claim(7, at=NOON, until=NOON + timedelta(minutes=2))

        later = NOON + timedelta(minutes=2)
        assert store.updates.claim(7, at=later, until=later + timedelta(minutes=2)) is True
        assert store.updates.claim(7, at=later, until=later + HOUR) is False

    def test_a_handled_update_is_never_claimed_again(self, store: Storage) -> None:
        store.updates.claim(7, at=NOON, until=NOON + timedelta(minutes=2))

        assert store.updates.record(7, at=NOON + timedelta(seconds=1)) is True
        assert store.updates.handled(7) is True
        assert store.updates.record(7, at=NOON + timedelta(seconds=2)) is False
        assert store.updates.claim(7, at=NOON + HOUR, until=NOON + 2 * HOUR) is False
        store.updates.record(9, at=NOON)
        assert store.updates.claim(9, at=NOON + HOUR, until=NOON + 2 * HOUR) is False

    def test_of_racing_claims_exactly_one_wins(self, store: Storage) -> None:
        outcomes = race(8, lambda i: store.updates.claim(42, at=NOON, until=NOON + HOUR))

        assert sorted(map(repr, outcomes)) == ["False"] * 7 + ["True"]

    def test_sweep_forgets_old_claims_too(self, store: Storage) -> None:
        store.updates.claim(1, at=NOON - timedelta(days=2), until=NOON - timedelta(days=2) + HOUR)
        store.updates.claim(2, at=NOON, until=NOON + HOUR)

        assert store.updates.sweep(NOON - timedelta(days=1)) == 1
        assert store.updates.claim(1, at=NOON, until=NOON + HOUR) is True
        assert store.updates.claim(2, at=NOON, until=NOON + HOUR) is False


class FlagsContract:
    def test_raising_a_flag_reports_the_change_once(self, store: Storage) -> None:
        assert store.flags.raise_flag("backend-down", at=NOON) is True
        assert store.flags.raise_flag("backend-down", at=NOON) is False

    def test_lowering_reports_the_change_once(self, store: Storage) -> None:
        assert store.flags.lower_flag("backend-down") is False
        store.flags.raise_flag("backend-down", at=NOON)

        assert store.flags.lower_flag("backend-down") is True
        assert store.flags.lower_flag("backend-down") is False
        assert store.flags.raise_flag("backend-down", at=NOON) is True

    def test_flags_are_independent(self, store: Storage) -> None:
        store.flags.raise_flag("a", at=NOON)

        assert store.flags.raise_flag("b", at=NOON) is True
        assert store.flags.lower_flag("a") is True
        assert store.flags.lower_flag("b") is True

    def test_of_racing_raisers_exactly_one_wins(self, store: Storage) -> None:
        outcomes = race(8, lambda i: store.flags.raise_flag("backend-down", at=NOON))

        assert sorted(map(repr, outcomes)) == ["False"] * 7 + ["True"]
