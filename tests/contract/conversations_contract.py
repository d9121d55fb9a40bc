"""The Conversations contract, run against every adapter (subclasses provide `conversations`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from paintcore.domain.conversation import (
    Awaiting,
    BroadcastDraft,
    ChosenPack,
    ConversationState,
    Payload,
)
from paintcore.domain.users import UserId
from paintcore.ports import Conversations

NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def awaiting_description(user_id: int, at: datetime = NOON) -> ConversationState:
    return ConversationState(UserId(user_id), Awaiting.DESCRIPTION, at)


class ConversationsContract:
    def test_nothing_is_expected_from_a_new_user(self, conversations: Conversations) -> None:
        assert conversations.current(UserId(1)) is None

    def test_an_expectation_is_remembered(self, conversations: Conversations) -> None:
        conversations.expect(awaiting_description(1))

        assert conversations.current(UserId(1)) == awaiting_description(1)

    def test_a_new_expectation_replaces_the_earlier_one(self, conversations: Conversations) -> None:
        later = NOON + timedelta(minutes=5)
        conversations.expect(awaiting_description(1))

        conversations.expect(awaiting_description(1, at=later))

        current = conversations.current(UserId(1))
        assert current == awaiting_description(1, at=later)
        assert current is not None and current.updated_at.utcoffset() is not None

    def test_clear_forgets_the_expectation(self, conversations: Conversations) -> None:
        conversations.expect(awaiting_description(1))

        conversations.clear(UserId(1))

        assert conversations.current(UserId(1)) is None

    def test_clearing_when_nothing_is_expected_is_a_no_op(
        self, conversations: Conversations
    ) -> None:
        conversations.clear(UserId(1))
        conversations.clear(UserId(1))

        assert conversations.current(UserId(1)) is None

    def test_users_have_separate_expectations(self, conversations: Conversations) -> None:
        conversations.expect(awaiting_description(1))
        conversations.expect(awaiting_description(2))

        conversations.clear(UserId(1))

        assert conversations.current(UserId(1)) is None
        assert conversations.current(UserId(2)) == awaiting_description(2)

    def test_a_sweep_forgets_expectations_set_before_the_moment_only(
        self, conversations: Conversations
    ) -> None:
        conversations.expect(awaiting_description(1, NOON))
        conversations.expect(awaiting_description(2, NOON + timedelta(hours=1)))
        conversations.expect(awaiting_description(3, NOON + timedelta(hours=2)))

        assert conversations.sweep(NOON + timedelta(hours=1)) == 1

        assert conversations.current(UserId(1)) is None
        assert conversations.current(UserId(2)) == awaiting_description(
            2, NOON + timedelta(hours=1)
        )
        assert conversations.current(UserId(3)) is not None
        assert conversations.sweep(NOON + timedelta(hours=1)) == 0

    @pytest.mark.parametrize(
        "payload",
        [
            BroadcastDraft(-100123, 2**40, "active", 0),
            BroadcastDraft(7, 1, "all", 2),
            ChosenPack(pages=30, price=120, currency="XTR"),
        ],
        ids=repr,
    )
    def test_a_steps_payload_is_remembered_with_it(
        self, conversations: Conversations, payload: Payload
    ) -> None:
        state = ConversationState(UserId(1), Awaiting.BROADCAST_CONFIRMATION, NOON, payload)

        conversations.expect(state)

        assert conversations.current(UserId(1)) == state

    def test_a_new_expectation_without_a_payload_drops_the_earlier_payload(
        self, conversations: Conversations
    ) -> None:
        conversations.expect(
            ConversationState(UserId(1), Awaiting.PAYMENT, NOON, ChosenPack(10, 50, "XTR"))
        )

        conversations.expect(awaiting_description(1, NOON + timedelta(minutes=1)))

        current = conversations.current(UserId(1))
        assert current is not None and current.payload is None

    def test_payloads_of_users_are_separate(self, conversations: Conversations) -> None:
        first = ConversationState(UserId(1), Awaiting.PAYMENT, NOON, ChosenPack(10, 50, "XTR"))
        second = ConversationState(UserId(2), Awaiting.PAYMENT, NOON, ChosenPack(100, 350, "XTR"))
        conversations.expect(first)
        conversations.expect(second)

        assert conversations.current(UserId(1)) == first
        assert conversations.current(UserId(2)) == second
