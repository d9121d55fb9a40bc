"""The storage contracts run against the in-memory fakes of adapters.memory."""

from __future__ import annotations

import pytest

from adapters.memory import (
    InMemoryConversations,
    InMemoryJobs,
    InMemoryLedger,
    InMemoryPreferences,
    InMemoryUsers,
    ManualClock,
)
from contract.conversations_contract import ConversationsContract
from contract.jobs_contract import JobsContract
from contract.ledger_contract import LedgerContract
from contract.preferences_contract import PreferencesContract
from contract.users_contract import UsersContract


class TestInMemoryUsers(UsersContract):
    @pytest.fixture
    def users(self) -> InMemoryUsers:
        return InMemoryUsers()


class TestInMemoryLedger(LedgerContract):
    @pytest.fixture
    def ledger(self, clock: ManualClock) -> InMemoryLedger:
        return InMemoryLedger(clock)


class TestInMemoryJobs(JobsContract):
    @pytest.fixture
    def jobs(self) -> InMemoryJobs:
        return InMemoryJobs()


class TestInMemoryConversations(ConversationsContract):
    @pytest.fixture
    def conversations(self) -> InMemoryConversations:
        return InMemoryConversations()


class TestInMemoryPreferences(PreferencesContract):
    @pytest.fixture
    def preferences(self) -> InMemoryPreferences:
        return InMemoryPreferences()
