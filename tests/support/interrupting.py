"""Collections that crash (or let other work land) between two writes of one movement."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class SimulatedCrash(Exception):
    """The process died here: nothing after this command ran."""


def crash() -> None:
    raise SimulatedCrash("the process died before this command")


class Interrupting:
    """A collection that runs `action` just before the `call`-th use of `method`: another
    process's work landing in between, or, when `action` raises (`crash`, the default), this
    process dying there."""

    def __init__(
        self,
        collection: Any,
        method: str,
        call: int = 1,
        action: Callable[[], object] = crash,
    ) -> None:
        self._collection = collection
        self._method = method
        self._calls_left = call
        self._action = action

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._collection, name)
        if name != self._method:
            return real

        def interrupted(*args: Any, **kwargs: Any) -> Any:
            self._calls_left -= 1
            if self._calls_left == 0:
                self._action()
            return real(*args, **kwargs)

        return interrupted
