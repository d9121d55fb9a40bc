"""`paintbot migrate sqlite-to-mongo`: the command that moves an embedded deployment into MongoDB
(the move itself is entrypoints/migration.py)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from adapters.mongo import redact
from adapters.sqlite import SqliteStore
from paintcore.domain.errors import StorageUnavailable
from paintcore.ports import Storage

from .migration import Migration, ReplayClock
from .settings import Settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

__all__ = ["Migration", "ReplayClock", "add_parser", "run_migrate"]


# -- the command -------------------------------------------------------------------------------


class Connector(Protocol):
    def __call__(self, uri: str, *, clock: ReplayClock) -> Storage: ...


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    migrate = sub.add_parser("migrate", help="move the data of one storage into another")
    kinds = migrate.add_subparsers(dest="direction", required=True, metavar="DIRECTION")
    move = kinds.add_parser(
        "sqlite-to-mongo",
        help="copy users, credits, jobs and their history from SQLite into MongoDB "
        "(stop the bot first; running it again changes nothing)",
    )
    move.add_argument(
        "--sqlite", type=Path, default=None, help="the SQLite file (default: PAINTBOT_DB_PATH)"
    )
    move.add_argument(
        "--mongodb-uri",
        default=None,
        help="the target (default: MONGODB_URI; prefer the variable: arguments show in ps)",
    )


def run_migrate(settings: Settings, args: argparse.Namespace, connect: Connector) -> int:
    """Exit 0 when everything is in the target and the balances agree, 1 when some did not move
    (each problem printed), 2 when the source or the target cannot be opened."""
    path: Path = args.sqlite or settings.db_path
    uri = args.mongodb_uri or (
        settings.mongodb_uri.get_secret_value() if settings.mongodb_uri else ""
    )
    if not uri:
        print("paintbot migrate: no target: set MONGODB_URI or pass --mongodb-uri", file=sys.stderr)
        return EXIT_USAGE
    if not path.is_file():
        print(f"paintbot migrate: no SQLite database at {path}", file=sys.stderr)
        return EXIT_USAGE
    clock = ReplayClock(datetime.now(UTC))
    source = SqliteStore(path, clock)
    try:
        target = connect(uri, clock=clock)
    except StorageUnavailable:
        source.close()
        raise
    try:
        print(f"moving {path} into {redact(uri)}")
        report = Migration(source, source.export(), target, clock).run()
    finally:
        target.close()
        source.close()
    for line in report.lines():
        print(line)
    print("done: the balances agree" if report.ok else "NOT done: see the problems above")
    return EXIT_OK if report.ok else EXIT_FAILED
