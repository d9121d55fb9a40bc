"""mongomock made to run one command at a time, as a MongoDB server runs a single-document write.

mongomock re-queries by _id inside find_one_and_update (dropping the guard) and checks unique
indexes after inserting, so under threads it is not atomic where a real server is; see the list of
differences in docs/MONGO.md, "mongomock vs a real server".
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import mongomock
from mongomock.collection import Cursor
from mongomock.command_cursor import CommandCursor

_WRAPPED = (
    mongomock.MongoClient,
    mongomock.Database,
    mongomock.Collection,
    Cursor,
    CommandCursor,
)


class Serialized:
    """mongomock running one command at a time, as a server runs a single-document write
    (difference 1 above), and re-creating an existing index as a no-op (difference 10). Cursors
    are read whole under the lock too."""

    def __init__(self, target: Any, lock: threading.RLock | None = None) -> None:
        self._target = target
        self._lock = lock or threading.RLock()

    def _wrap(self, value: Any) -> Any:
        return Serialized(value, self._lock) if isinstance(value, _WRAPPED) else value

    def __getattr__(self, name: str) -> Any:
        if name == "create_index" and isinstance(self._target, mongomock.Collection):
            return self._create_index
        value = getattr(self._target, name)
        if isinstance(value, _WRAPPED) or not callable(value):
            return self._wrap(value)

        def locked(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return self._wrap(value(*args, **kwargs))

        return locked

    def _create_index(self, keys: Any, **options: Any) -> str:
        """As on a server, creating an index that exists does nothing (difference 10)."""
        with self._lock:
            name = options.get("name")
            if name is not None and name in self._target.index_information():
                return str(name)
            return str(self._target.create_index(keys, **options))

    def __getitem__(self, name: str) -> Any:
        with self._lock:
            return self._wrap(self._target[name])

    def __iter__(self) -> Iterator[Any]:
        with self._lock:
            return iter(list(self._target))
