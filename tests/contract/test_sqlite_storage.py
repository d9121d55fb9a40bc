"""The storage contracts run against SqliteStore, plus what only a file on disk can show."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from adapters.memory import ManualClock
from adapters.sqlite import MIGRATIONS, SCHEMA_VERSION, SqliteStore
from adapters.sqlite.schema import migrate, schema_version
from contract.conversations_contract import ConversationsContract, awaiting_description
from contract.jobs_contract import JobsContract, a_job, at
from contract.ledger_contract import LedgerContract, give_free
from contract.preferences_contract import PreferencesContract
from contract.racing import race
from contract.users_contract import UsersContract, a_user
from paintcore.domain.conversation import Awaiting, BroadcastDraft, ConversationState
from paintcore.domain.credits import Balance, Bucket, Hold, TransactionKind
from paintcore.domain.errors import JobInFlight, QuotaExceeded, StorageUnavailable
from paintcore.domain.jobs import JobState
from paintcore.domain.users import UserId
from paintcore.ports import Conversations, Jobs, Ledger, Preferences, Users

ANNA = UserId(1)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "paintbot.sqlite3"


@pytest.fixture
def store(db_path: Path, clock: ManualClock) -> Iterator[SqliteStore]:
    with SqliteStore(db_path, clock) as store:
        yield store


class TestSqliteUsers(UsersContract):
    @pytest.fixture
    def users(self, store: SqliteStore) -> Users:
        return store.users


class TestSqliteLedger(LedgerContract):
    @pytest.fixture
    def ledger(self, store: SqliteStore) -> Ledger:
        return store.ledger


class TestSqliteJobs(JobsContract):
    @pytest.fixture
    def jobs(self, store: SqliteStore) -> Jobs:
        return store.jobs


class TestSqlitePreferences(PreferencesContract):
    @pytest.fixture
    def preferences(self, store: SqliteStore) -> Preferences:
        return store.preferences


class TestSqliteConversations(ConversationsContract):
    @pytest.fixture
    def conversations(self, store: SqliteStore) -> Conversations:
        return store.conversations


def raw(path: Path) -> sqlite3.Connection:
    """A connection of our own, as another process or an operator's sqlite3 shell would have."""
    return sqlite3.connect(path, isolation_level=None)


# -- durability ----------------------------------------------------------------------------------


def test_everything_survives_closing_and_reopening_the_store(
    db_path: Path, clock: ManualClock
) -> None:
    with SqliteStore(db_path, clock) as store:
        store.users.add(a_user(1))
        give_free(store.ledger, ANNA, 10)
        hold = store.ledger.reserve(user_id=ANNA, job_id="j1")
        store.jobs.add(a_job("j1"))
        store.jobs.start("j1", at=at(1))
        store.conversations.expect(awaiting_description(1))
        transactions = store.ledger.transactions()

    with SqliteStore(db_path, clock) as reopened:
        assert reopened.users.get(ANNA) == a_user(1)
        assert reopened.ledger.balance(ANNA) == Balance(free=9, held=1)
        assert reopened.ledger.hold("j1") == hold
        assert reopened.ledger.transactions() == transactions
        running = reopened.jobs.get("j1")
        assert running is not None and running.state is JobState.RUNNING
        assert reopened.conversations.current(ANNA) == awaiting_description(1)
        # The rules hold across restarts too.
        with pytest.raises(JobInFlight):
            reopened.jobs.add(a_job("j2"))
        assert reopened.ledger.capture(job_id="j1") is True


def test_an_in_memory_database_works_for_throwaway_use(clock: ManualClock) -> None:
    with SqliteStore(":memory:", clock) as store:
        give_free(store.ledger, ANNA, 2)
        store.ledger.reserve(user_id=ANNA, job_id="j1")

        assert store.ledger.balance(ANNA) == Balance(free=1, held=1)


def test_the_file_is_in_wal_mode(store: SqliteStore, db_path: Path) -> None:
    assert raw(db_path).execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_times_are_stored_as_utc_iso_text(store: SqliteStore, db_path: Path) -> None:
    store.jobs.add(a_job("j1"))

    stored = raw(db_path).execute("SELECT created_at FROM jobs").fetchone()

    assert stored == ("2026-03-01T12:00:00.000000+00:00",)


def test_naive_times_are_refused_rather_than_guessed(store: SqliteStore) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.users.add(a_user(1, registered_at=datetime(2026, 3, 1, 12, 0)))
    assert store.users.count() == 0


# -- the rules are in the schema, not only in Python ---------------------------------------------


def test_the_schema_refuses_a_negative_balance(store: SqliteStore, db_path: Path) -> None:
    give_free(store.ledger, ANNA, 1)

    with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        raw(db_path).execute("UPDATE wallets SET free = free - 2 WHERE user_id = 1")

    assert store.ledger.balance(ANNA) == Balance(free=1)


def test_the_schema_refuses_a_second_job_in_flight(store: SqliteStore, db_path: Path) -> None:
    store.jobs.add(a_job("j1"))
    store.jobs.finish("j1", state=JobState.FAILED, at=at(1))
    store.jobs.add(a_job("j2"))

    with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
        raw(db_path).execute("UPDATE jobs SET state = 'running' WHERE id = 'j1'")


def test_two_stores_on_one_file_reserve_the_last_credit_once(
    db_path: Path, clock: ManualClock
) -> None:
    # Two stores have two connections, like two bot processes sharing the file: only SQLite's
    # own locking (BEGIN IMMEDIATE, busy_timeout) keeps them apart.
    with SqliteStore(db_path, clock) as first, SqliteStore(db_path, clock) as second:
        give_free(first.ledger, ANNA, 1)
        stores = (first, second)

        outcomes = race(8, lambda i: stores[i % 2].ledger.reserve(user_id=ANNA, job_id=f"j{i}"))

        assert sum(isinstance(o, Hold) for o in outcomes) == 1
        assert sum(isinstance(o, QuotaExceeded) for o in outcomes) == 7
        assert second.ledger.balance(ANNA) == Balance(free=0, held=1)


# -- schema and migrations -----------------------------------------------------------------------


def test_a_new_file_is_created_at_the_current_schema_version(
    db_path: Path, clock: ManualClock
) -> None:
    SqliteStore(db_path, clock).close()

    conn = raw(db_path)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert schema_version(conn) == SCHEMA_VERSION == len(MIGRATIONS)
    assert {"users", "wallets", "transactions", "holds", "jobs", "conversations"} <= tables


def test_an_empty_file_is_migrated(db_path: Path, clock: ManualClock) -> None:
    db_path.touch()

    with SqliteStore(db_path, clock) as store:
        store.users.add(a_user(1))

    assert schema_version(raw(db_path)) == SCHEMA_VERSION


def test_reopening_a_migrated_file_keeps_its_version_and_data(
    db_path: Path, clock: ManualClock
) -> None:
    with SqliteStore(db_path, clock) as store:
        store.users.add(a_user(1))

    for _ in range(2):
        with SqliteStore(db_path, clock) as store:
            assert store.users.count() == 1

    assert schema_version(raw(db_path)) == SCHEMA_VERSION


def test_migrate_applies_only_the_migrations_a_file_lacks(db_path: Path) -> None:
    conn = raw(db_path)
    migrate(conn, MIGRATIONS)
    conn.execute(
        "INSERT INTO conversations (user_id, awaiting, updated_at)"
        " VALUES (1, 'description', '2026-01-01')"
    )
    later = (*MIGRATIONS, ("CREATE TABLE future_things (id TEXT PRIMARY KEY)",))

    assert migrate(conn, later) == SCHEMA_VERSION + 1
    # Running it again would fail on CREATE TABLE if it re-applied anything.
    assert migrate(conn, later) == SCHEMA_VERSION + 1
    assert conn.execute("SELECT count(*) FROM conversations").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM future_things").fetchone() == (0,)


def test_a_failing_migration_leaves_the_file_as_it_was(db_path: Path) -> None:
    conn = raw(db_path)
    migrate(conn, MIGRATIONS)
    broken = (*MIGRATIONS, ("CREATE TABLE future_things (id TEXT)", "THIS IS NOT SQL"))

    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, broken)

    assert schema_version(conn) == SCHEMA_VERSION
    assert (
        conn.execute("SELECT name FROM sqlite_master WHERE name = 'future_things'").fetchone()
        is None
    )


def test_a_file_from_a_newer_version_is_refused(db_path: Path, clock: ManualClock) -> None:
    SqliteStore(db_path, clock).close()
    raw(db_path).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")

    with pytest.raises(StorageUnavailable) as raised:
        SqliteStore(db_path, clock)

    assert str(raised.value).startswith(f"cannot open database {db_path}: ")
    assert f"schema version {SCHEMA_VERSION + 1} is newer" in str(raised.value)


# -- opening failures the CLI prints -------------------------------------------------------------


def test_a_missing_directory_is_named_in_the_error(tmp_path: Path, clock: ManualClock) -> None:
    path = tmp_path / "missing" / "paintbot.sqlite3"

    with pytest.raises(StorageUnavailable) as raised:
        SqliteStore(path, clock)

    assert str(raised.value) == (
        f"cannot open database {path}: directory {path.parent} does not exist"
    )
    assert not path.parent.exists()


def test_a_path_under_a_file_is_refused_with_the_reason(tmp_path: Path, clock: ManualClock) -> None:
    # Also stands in for a read-only directory when the tests run as root, who may write anywhere.
    (tmp_path / "afile").write_text("not a directory")
    path = tmp_path / "afile" / "paintbot.sqlite3"

    with pytest.raises(StorageUnavailable) as raised:
        SqliteStore(path, clock)

    assert str(raised.value) == f"cannot open database {path}: {path.parent} is not a directory"


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write to read-only directories"
)
def test_a_read_only_directory_is_refused_with_the_reason(
    tmp_path: Path, clock: ManualClock
) -> None:
    directory = tmp_path / "readonly"
    directory.mkdir(mode=0o500)
    path = directory / "paintbot.sqlite3"

    with pytest.raises(StorageUnavailable) as raised:
        SqliteStore(path, clock)

    assert str(raised.value) == (
        f"cannot open database {path}: directory {directory} is not writable"
    )


def test_a_directory_given_as_the_file_is_refused(tmp_path: Path, clock: ManualClock) -> None:
    with pytest.raises(StorageUnavailable, match="is a directory"):
        SqliteStore(tmp_path, clock)


def test_a_file_that_is_not_a_database_is_refused(db_path: Path, clock: ManualClock) -> None:
    db_path.write_bytes(b"these are not the pages you are looking for\n" * 100)

    with pytest.raises(StorageUnavailable) as raised:
        SqliteStore(db_path, clock)

    assert str(raised.value) == f"cannot open database {db_path}: file is not a database"


# -- health and shutdown -------------------------------------------------------------------------


def test_ping_answers_while_open_and_fails_once_closed(db_path: Path, clock: ManualClock) -> None:
    store = SqliteStore(db_path, clock)
    store.ping()

    store.close()

    with pytest.raises(StorageUnavailable, match=str(db_path)):
        store.ping()


def test_every_port_reports_storage_unavailable_once_closed(store: SqliteStore) -> None:
    store.close()
    store.close()  # closing twice is harmless

    calls = [
        store.users.count,
        lambda: store.users.add(a_user(1)),
        lambda: store.ledger.balance(ANNA),
        lambda: store.ledger.grant(
            user_id=ANNA, amount=1, key="k", kind=TransactionKind.ADMIN_GRANT, bucket=Bucket.FREE
        ),
        lambda: store.jobs.get("j1"),
        lambda: store.jobs.add(a_job("j1")),
        lambda: store.conversations.current(ANNA),
    ]
    for call in calls:
        with pytest.raises(StorageUnavailable):
            call()


def test_a_write_lock_held_too_long_elsewhere_is_reported_and_leaves_the_store_usable(
    db_path: Path, clock: ManualClock
) -> None:
    with SqliteStore(db_path, clock, busy_timeout=0.1) as store:
        other_process = raw(db_path)
        other_process.execute("BEGIN IMMEDIATE")

        with pytest.raises(StorageUnavailable, match="locked"):
            give_free(store.ledger, ANNA, 10)

        other_process.execute("ROLLBACK")
        give_free(store.ledger, ANNA, 10)
        assert store.ledger.balance(ANNA) == Balance(free=10)


def test_the_export_carries_a_conversations_payload(store: SqliteStore, clock: ManualClock) -> None:
    state = ConversationState(
        UserId(7), Awaiting.BROADCAST_CONFIRMATION, clock.now(), BroadcastDraft(7, 4242, "ru", 4243)
    )
    store.conversations.expect(state)

    assert store.export().conversations() == [state]
