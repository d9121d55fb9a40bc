"""Fixtures of the unit tests."""

from __future__ import annotations

import pytest

from support.world import World, build_world


@pytest.fixture
def world() -> World:
    return build_world()
