"""The recovery pass keeps the storage's upkeep tables small."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from dependency_injector import providers

from adapters.memory import ManualClock
from entrypoints.container import Container
from entrypoints.recovery import HANDLED_UPDATES_KEPT, start_recovery
from entrypoints.settings import Settings


def test_recovery_forgets_updates_handled_longer_ago_than_telegram_redelivers(
    tmp_path: Path,
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, PAINTBOT_STORAGE="memory", PAINTBOT_OUTPUT_DIR=str(tmp_path)
    )
    container = Container(settings=settings)
    clock = ManualClock()
    container.clock.override(providers.Object(clock))
    updates = container.updates()
    updates.record(1, at=clock.now() - HANDLED_UPDATES_KEPT - timedelta(seconds=1))
    updates.record(2, at=clock.now() - timedelta(hours=25))  # Telegram could still send it

    start_recovery(container, settings).stop()

    assert (updates.handled(1), updates.handled(2)) == (False, True)
