"""`paintbot stats` and `paintbot ledger verify` as an operator runs them: a subprocess on SQLite;
the same commands in-process on MongoDB (mongomock) and on memory."""

from __future__ import annotations

import argparse
import io
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import mongomock
import pytest
from dependency_injector import providers

from adapters.memory import ManualClock
from adapters.mongo import MongoStore
from adapters.sqlite import SqliteStore
from entrypoints.admin_commands import run_admin_command
from entrypoints.container import Container
from entrypoints.settings import Settings
from paintcore.domain.credits import Bucket, TransactionKind
from paintcore.domain.jobs import Job, JobId, JobState
from paintcore.domain.pages import PageOptions
from paintcore.domain.payments import Payment
from paintcore.domain.users import User, UserId
from paintcore.ports import Storage
from support.serialized_mongo import Serialized

_OURS = ("PAINTBOT_", "BOT_TOKEN", "OPENAI_", "MONGODB_URI", "REDIS_URL", "ADMIN_IDS")


def _paintbot(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    env |= {"PAINTBOT_DB_PATH": str(db), "PAINTBOT_LOG_FORMAT": "json", "PAINTBOT_LANGUAGE": "en"}
    return subprocess.run(
        [sys.executable, "-m", "entrypoints.cli", *args],
        capture_output=True,
        text=True,
        cwd=db.parent,  # no stray .env
        env=env,
        timeout=120,
        check=False,
    )


def _fill(store: Storage, now: datetime) -> None:
    """Three users with registrations, a drawn page (reserved, captured), a purchase."""
    for uid in (1, 2, 3):
        store.users.add(User(UserId(uid), f"U{uid}", "", f"u{uid}", "en", now))
        store.ledger.grant(
            user_id=UserId(uid),
            amount=10,
            key=f"register:{uid}",
            kind=TransactionKind.REGISTRATION,
            bucket=Bucket.FREE,
        )
    job = Job(JobId("job-1"), UserId(1), 1, "cat", PageOptions(), JobState.QUEUED, now)
    store.jobs.add(job)
    store.ledger.reserve(user_id=UserId(1), job_id=job.id)
    store.jobs.start(job.id, at=now + timedelta(seconds=1))
    store.ledger.capture(job_id=job.id)
    store.jobs.finish(job.id, state=JobState.SUCCEEDED, at=now + timedelta(seconds=13))
    store.ledger.purchase(Payment("c1", "stars", UserId(2), 10, 50, "XTR", now))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "bot.sqlite3"
    with SqliteStore(path, ManualClock(datetime.now(UTC) - timedelta(hours=1))) as store:
        _fill(store, datetime.now(UTC) - timedelta(hours=1))
    return path


@pytest.mark.slow
def test_ledger_verify_on_a_consistent_sqlite_store_exits_0(db: Path) -> None:
    run = _paintbot(db, "ledger", "verify")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ledger consistent: 3 users checked"


@pytest.mark.slow
def test_ledger_verify_names_a_wallet_changed_behind_the_ledger_and_exits_1(db: Path) -> None:
    with closing(sqlite3.connect(db)) as conn, conn:
        conn.execute("UPDATE wallets SET free = free + 5 WHERE user_id = 3")
    run = _paintbot(db, "ledger", "verify")
    assert run.returncode == 1, run.stderr
    assert run.stdout.splitlines() == [
        "user 3: stored free=15 paid=0 held=0; from transactions free=10 paid=0 held=0",
        "sum over all accounts: 5 (should be 0)",
        "ledger NOT consistent: 1 of 3 wallets differ from their transactions",
    ]


@pytest.mark.slow
def test_stats_prints_what_the_admin_command_shows_and_exits_0(db: Path) -> None:
    run = _paintbot(db, "stats")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("📊 Stats as of ")
    assert lines[1:5] == [
        "Users: 3; new in 24 h 3, in 7 d 3",
        "Active (requested a page): in 24 h 1, in 7 d 1",
        lines[3],  # "today" depends on the hour the test runs at
        "Succeeded in 7 d: 100.0 %",
    ]
    assert "in 7 d: 1 (done 1, failed 0)" in lines[3]
    assert lines[5] == "Drawing time: mean 12.0 s, p95 12.0 s"
    assert lines[6] == "Stars: received 50, refunded 0"


def _in_process(store: Storage, command: str) -> tuple[int, str]:
    settings = Settings(_env_file=None, PAINTBOT_STORAGE="memory", PAINTBOT_LANGUAGE="en")  # type: ignore[call-arg]
    container = Container(settings=settings)
    container.store.override(providers.Object(store))
    out = io.StringIO()
    args = argparse.Namespace(command=command, ledger_action="verify")
    return run_admin_command(container, args, out), out.getvalue()


def test_ledger_verify_and_stats_on_mongodb() -> None:
    now = datetime.now(UTC) - timedelta(hours=1)
    client = Serialized(mongomock.MongoClient(tz_aware=True))
    store = MongoStore(client, "paint_verify", ManualClock(now))
    _fill(store, now)
    assert _in_process(store, "ledger") == (0, "ledger consistent: 3 users checked\n")

    store = MongoStore(client, "paint_verify", ManualClock(now))  # the command closed the last one
    client.get_database("paint_verify").wallets.update_one({"_id": 2}, {"$inc": {"paid": 4}})
    code, out = _in_process(store, "ledger")
    assert code == 1
    assert out.splitlines()[0] == (
        "user 2: stored free=10 paid=14 held=0; from transactions free=10 paid=10 held=0"
    )

    store = MongoStore(client, "paint_verify", ManualClock(now))
    code, out = _in_process(store, "stats")
    assert code == 0 and "Users: 3; new in 24 h 3, in 7 d 3" in out


def test_ledger_verify_on_memory() -> None:
    from adapters.memory import InMemoryStore

    now = datetime.now(UTC)
    store = InMemoryStore(ManualClock(now))
    _fill(store, now)
    assert _in_process(store, "ledger") == (0, "ledger consistent: 3 users checked\n")
