"""MONGODB_URI selects the MongoDB store: the whole console flow on it (mongomock in-process), and a
clear, fast refusal when the server cannot be reached."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import mongomock
import pytest
from dependency_injector import providers

from adapters.console import ConsoleChat
from adapters.memory import ManualClock
from adapters.mongo import MongoStore
from adapters.system_clock import SystemClock
from entrypoints.container import Container
from entrypoints.recovery import start_recovery
from entrypoints.settings import Settings
from paintcore.domain.conversation import EXPECTATION_LIFETIME, Awaiting, ConversationState
from paintcore.domain.credits import Balance
from paintcore.domain.users import Profile, UserId
from support.serialized_mongo import Serialized


def test_the_console_flow_runs_on_the_mongo_store(tmp_path: Path) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        MONGODB_URI="mongodb://localhost:27017/paint_e2e",
        PAINTBOT_OUTPUT_DIR=str(tmp_path / "pages"),
    )
    container = Container(settings=settings)
    store = MongoStore(Serialized(mongomock.MongoClient(tz_aware=True)), "paint_e2e", SystemClock())
    container.store.override(providers.Object(store))
    out = io.StringIO()
    container.out.override(providers.Object(out))

    assert container.store() is store  # MONGODB_URI selected the Mongo provider, overridden here
    queue = container.queue()
    script = io.BytesIO("/start\nПолучить раскраску\nкот в шляпе\n".encode())
    ConsoleChat(container.dialog().handle, Profile(UserId(7), "Аня"), script).run()
    assert queue.close(timeout=60)

    assert "Осталось раскрасок: 9" in out.getvalue()
    assert store.ledger.balance(UserId(7)) == Balance(free=9)
    assert len(list((tmp_path / "pages").glob("*.pdf"))) == 1


@pytest.mark.slow
def test_an_unreachable_mongodb_stops_start_up_with_exit_2_and_hides_the_password(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PAINTBOT_", "MONGODB_URI"))}
    env["MONGODB_URI"] = "mongodb://paint:s3cret-pw@127.0.0.1:9/paint?serverSelectionTimeoutMS=500"
    done = subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", "check"],
        capture_output=True,
        cwd=tmp_path,
        env=env,
        timeout=30,
        check=False,
    )
    err = done.stderr.decode()
    assert done.returncode == 2
    assert "storage unavailable" in err and "127.0.0.1:9" in err
    assert "s3cret-pw" not in err + done.stdout.decode() and "Traceback" not in err


def test_recovery_at_start_up_heals_the_store_and_forgets_day_old_expectations(
    tmp_path: Path,
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        MONGODB_URI="mongodb://localhost:27017/paint_recovery",
        PAINTBOT_OUTPUT_DIR=str(tmp_path / "pages"),
    )
    container = Container(settings=settings)
    clock = ManualClock()
    store = MongoStore(Serialized(mongomock.MongoClient(tz_aware=True)), "paint_recovery", clock)
    container.store.override(providers.Object(store))
    container.clock.override(providers.Object(clock))
    now = clock.now()
    store.conversations.expect(ConversationState(UserId(1), Awaiting.DESCRIPTION, now))
    old = now - EXPECTATION_LIFETIME - timedelta(seconds=1)
    store.conversations.expect(ConversationState(UserId(2), Awaiting.DESCRIPTION, old))

    ticker = start_recovery(container, settings)
    ticker.stop()

    assert store.conversations.current(UserId(1)) is not None
    assert store.conversations.current(UserId(2)) is None
