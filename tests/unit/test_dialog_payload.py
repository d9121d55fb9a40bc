"""A conversation step's payload: JSON-safe both ways, and states from before payloads still read."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paintcore.domain.conversation import (
    Awaiting,
    BroadcastDraft,
    ChosenPack,
    ConversationState,
    Payload,
    payload_from_json,
    payload_to_json,
)
from paintcore.domain.users import UserId

payloads = st.one_of(
    st.builds(
        BroadcastDraft,
        from_chat_id=st.integers(-(2**52), 2**52),
        message_id=st.integers(1, 2**31),
        audience=st.sampled_from(["all", "ru", "en", "active"]),
        panel_message_id=st.integers(0, 2**31),
    ),
    st.builds(
        ChosenPack,
        pages=st.integers(min_value=1, max_value=10**6),
        price=st.integers(min_value=0, max_value=10**9),
        currency=st.text(min_size=1, max_size=5),
    ),
)


@given(payloads)
def test_every_payload_survives_a_trip_through_json(payload: Payload) -> None:
    assert payload_from_json(json.loads(json.dumps(payload_to_json(payload)))) == payload


def test_a_payload_is_tagged_with_its_kind() -> None:
    assert payload_to_json(ChosenPack(30, 120, "XTR")) == {
        "kind": "chosen_pack",
        "pages": 30,
        "price": 120,
        "currency": "XTR",
    }
    assert payload_to_json(None) == {}


def test_a_state_stored_before_payloads_has_none() -> None:
    assert payload_from_json({}) is None
    assert payload_from_json(None) is None
    state = ConversationState(UserId(1), Awaiting.DESCRIPTION, datetime(2026, 3, 1, tzinfo=UTC))
    assert state.payload is None


@pytest.mark.parametrize(
    "stored",
    [
        {"kind": "lottery_ticket", "number": 7},
        {"kind": "chosen_pack", "pages": 30, "price": "120", "currency": "XTR"},
        {"kind": "chosen_pack", "pages": True, "price": 120, "currency": "XTR"},
        {"kind": "broadcast_draft"},
        {"text": "no kind"},
        ["broadcast_draft", "hi"],
        "broadcast_draft",
    ],
    ids=repr,
)
def test_a_payload_this_version_cannot_read_is_none_not_a_guess(stored: object) -> None:
    assert payload_from_json(stored) is None


def test_fields_a_later_version_added_are_ignored() -> None:
    stored = {
        "kind": "broadcast_draft",
        "from_chat_id": 7,
        "message_id": 42,
        "audience": "en",
        "panel_message_id": 43,
        "buttons": "later",
    }

    assert payload_from_json(stored) == BroadcastDraft(7, 42, "en", 43)


def test_a_draft_of_the_text_only_broadcast_is_asked_again() -> None:
    # What the simple /broadcast stored before drafts named a message to copy.
    assert payload_from_json({"kind": "broadcast_draft", "text": "привет"}) is None
