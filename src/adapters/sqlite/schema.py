"""The schema as an ordered list of migrations, applied on start and tracked by user_version."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from paintcore.domain.errors import StorageUnavailable

# Each entry brings the schema from version i to i + 1 (PRAGMA user_version). Append, never edit:
# a released migration has already run on someone's file.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            first_name TEXT NOT NULL,
            last_name TEXT NOT NULL,
            username TEXT NOT NULL,
            language TEXT NOT NULL,
            registered_at TEXT NOT NULL,
            banned INTEGER NOT NULL DEFAULT 0 CHECK (banned IN (0, 1)),
            blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1))
        )
        """,
        """
        CREATE TABLE wallets (
            user_id INTEGER PRIMARY KEY,
            free INTEGER NOT NULL DEFAULT 0 CHECK (free >= 0),
            paid INTEGER NOT NULL DEFAULT 0 CHECK (paid >= 0),
            held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0)
        )
        """,
        """
        CREATE TABLE transactions (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL UNIQUE,
            kind TEXT NOT NULL,
            user_id INTEGER NOT NULL,
            source TEXT NOT NULL,
            target TEXT NOT NULL CHECK (target <> source),
            amount INTEGER NOT NULL CHECK (amount > 0),
            created_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX transactions_by_user ON transactions (user_id, seq)",
        """
        CREATE TABLE holds (
            job_id TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES wallets (user_id),
            bucket TEXT NOT NULL CHECK (bucket IN ('free', 'paid')),
            amount INTEGER NOT NULL CHECK (amount > 0),
            state TEXT NOT NULL CHECK (state IN ('held', 'captured', 'released'))
        )
        """,
        """
        CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL,
            chat_id INTEGER NOT NULL,
            prompt TEXT NOT NULL,
            level TEXT NOT NULL,
            style TEXT NOT NULL,
            paper TEXT NOT NULL,
            state TEXT NOT NULL
                CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT,
            error TEXT NOT NULL DEFAULT ''
        )
        """,
        # The one-job-in-flight rule lives here, so that no race between two handlers can break it.
        """
        CREATE UNIQUE INDEX jobs_one_in_flight_per_user
            ON jobs (user_id) WHERE state IN ('queued', 'running')
        """,
        "CREATE INDEX jobs_by_state ON jobs (state, created_at)",
        """
        CREATE TABLE conversations (
            user_id INTEGER PRIMARY KEY,
            awaiting TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """,
    ),
    (  # 2: pages from photos; remembered page options
        "ALTER TABLE jobs ADD COLUMN photo_file_id TEXT",
        """
        CREATE TABLE preferences (
            user_id INTEGER PRIMARY KEY,
            level TEXT NOT NULL,
            style TEXT NOT NULL,
            paper TEXT NOT NULL
        )
        """,
    ),
    (  # 3: leases of running jobs (who works on it, until when without a renewal)
        "ALTER TABLE jobs ADD COLUMN lease_owner TEXT",
        "ALTER TABLE jobs ADD COLUMN lease_until TEXT",
    ),
    (  # 4: multi-step conversations; updates handled; deployment-wide flags
        "ALTER TABLE conversations ADD COLUMN payload TEXT NOT NULL DEFAULT '{}'",
        """
        CREATE TABLE handled_updates (
            update_id INTEGER PRIMARY KEY,
            handled_at TEXT NOT NULL
        )
        """,
        "CREATE INDEX handled_updates_by_time ON handled_updates (handled_at)",
        """
        CREATE TABLE flags (
            name TEXT PRIMARY KEY,
            raised_at TEXT NOT NULL
        )
        """,
    ),
    (  # 5: the shop: payments received (one per provider charge id); users found by username
        """
        CREATE TABLE payments (
            charge_id TEXT PRIMARY KEY,
            provider TEXT NOT NULL,
            user_id INTEGER NOT NULL,
            pages INTEGER NOT NULL CHECK (pages > 0),
            amount INTEGER NOT NULL CHECK (amount >= 0),
            currency TEXT NOT NULL,
            created_at TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('paid', 'refunded')),
            provider_charge_id TEXT NOT NULL DEFAULT '',
            refunded_at TEXT,
            refunded_pages INTEGER NOT NULL DEFAULT 0 CHECK (refunded_pages >= 0),
            shortfall INTEGER NOT NULL DEFAULT 0 CHECK (shortfall >= 0)
        )
        """,
        "CREATE INDEX payments_by_user ON payments (user_id, created_at)",
        "CREATE INDEX payments_by_time ON payments (created_at)",
        "CREATE INDEX users_by_username ON users (lower(username))",
        "CREATE INDEX users_by_registration ON users (registered_at)",
        "CREATE INDEX jobs_by_creation ON jobs (created_at)",
    ),
    (  # 6: resumable broadcasts: the job, its recipients fixed at confirmation, each delivery
        """
        CREATE TABLE broadcasts (
            id TEXT PRIMARY KEY,
            admin_id INTEGER NOT NULL,
            from_chat_id INTEGER NOT NULL,
            message_id INTEGER NOT NULL,
            language TEXT,
            active_since TEXT,
            paid INTEGER NOT NULL DEFAULT 0 CHECK (paid IN (0, 1)),
            state TEXT NOT NULL CHECK (state IN ('running', 'done', 'cancelled')),
            created_at TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            total INTEGER NOT NULL DEFAULT 0
        )
        """,
        # One broadcast at a time: every running row has the same state, so a second collides.
        "CREATE UNIQUE INDEX broadcasts_one_running ON broadcasts (state) WHERE state = 'running'",
        "CREATE INDEX broadcasts_by_start ON broadcasts (started_at)",
        """
        CREATE TABLE broadcast_deliveries (
            broadcast_id TEXT NOT NULL REFERENCES broadcasts (id),
            user_id INTEGER NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'sent', 'blocked', 'failed')),
            recorded_at TEXT,
            PRIMARY KEY (broadcast_id, user_id)
        ) WITHOUT ROWID
        """,
        # The next page of pending recipients, and the counts, without scanning the sent ones.
        """
        CREATE INDEX broadcast_deliveries_by_state
            ON broadcast_deliveries (broadcast_id, state, user_id)
        """,
    ),
    (  # 7: the admin's status message of a broadcast, and the lease of the process sending it
        "ALTER TABLE broadcasts ADD COLUMN status_message_id INTEGER",
        "ALTER TABLE broadcasts ADD COLUMN lease_owner TEXT",
        "ALTER TABLE broadcasts ADD COLUMN lease_until TEXT",  # ISO-8601 UTC, as started_at
    ),
    (  # 8: updates being handled: claimed until a time (NULL once handled), see SqliteUpdateLog
        "ALTER TABLE handled_updates ADD COLUMN claimed_until TEXT",
    ),
    (  # 9: orders paid on a provider's page (YooKassa), stored before the payment is created
        """
        CREATE TABLE checkout_orders (
            order_id TEXT PRIMARY KEY,
            provider TEXT NOT NULL,
            user_id INTEGER NOT NULL,
            chat_id INTEGER NOT NULL,
            pages INTEGER NOT NULL CHECK (pages > 0),
            price INTEGER NOT NULL CHECK (price > 0),
            currency TEXT NOT NULL,
            state TEXT NOT NULL CHECK (
                state IN ('new', 'pending', 'paid', 'canceled', 'expired', 'rejected')
            ),
            payment_id TEXT NOT NULL DEFAULT '',
            confirmation_url TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT,
            reason TEXT NOT NULL DEFAULT ''
        )
        """,
        # A provider's payment belongs to one order; orders not given one yet all have ''.
        """
        CREATE UNIQUE INDEX checkout_orders_by_payment
            ON checkout_orders (provider, payment_id) WHERE payment_id <> ''
        """,
        # What the poller asks about: the few open orders, not every order ever placed.
        """
        CREATE INDEX checkout_orders_open
            ON checkout_orders (provider, created_at, order_id) WHERE state IN ('new', 'pending')
        """,
        "CREATE INDEX checkout_orders_by_user ON checkout_orders (user_id, created_at, order_id)",
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


def migrate(conn: sqlite3.Connection, migrations: Sequence[Sequence[str]] = MIGRATIONS) -> int:
    """Apply the migrations the file lacks, all in one transaction; returns the new version.

    The version is read inside the write transaction, so two processes starting at once on a new
    file migrate it once. `conn` must be in autocommit mode (isolation_level=None).
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        current = schema_version(conn)
        if current > len(migrations):
            raise StorageUnavailable(
                f"database schema version {current} is newer than this program knows "
                f"({len(migrations)}): upgrade PaintBot"
            )
        for version, statements in enumerate(migrations[current:], start=current + 1):
            for statement in statements:
                conn.execute(statement)
            # PRAGMA takes no parameters; `version` is an int we computed.
            conn.execute(f"PRAGMA user_version = {version}")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return len(migrations)
