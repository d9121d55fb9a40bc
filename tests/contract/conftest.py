"""Fixtures shared by the storage contract suites."""

from __future__ import annotations

import pytest

from adapters.memory import ManualClock


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()
