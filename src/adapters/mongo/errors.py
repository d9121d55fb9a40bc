"""pymongo failures turned into StorageUnavailable, and short retries of commands safe to repeat."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from pymongo.errors import (
    AutoReconnect,
    ConnectionFailure,
    DuplicateKeyError,
    InvalidOperation,
    OperationFailure,
    PyMongoError,
    ServerSelectionTimeoutError,
)

from paintcore.domain.errors import StorageUnavailable

UNAUTHORIZED = 13
AUTHENTICATION_FAILED = 18
RETRY_DELAYS = (0.05, 0.25)  # seconds; a failover takes longer and is pymongo's own retry's job

P = ParamSpec("P")
R = TypeVar("R")


def describe(error: PyMongoError) -> str:
    """One line saying what went wrong, without pymongo's topology dump."""
    if isinstance(error, ServerSelectionTimeoutError):
        first = str(error).split(", Timeout:")[0]
        return f"no MongoDB server answered within the server selection timeout ({first})"
    if isinstance(error, ConnectionFailure):
        return f"the connection to MongoDB failed ({error})"
    if isinstance(error, OperationFailure):
        message = _errmsg(error)
        if error.code == AUTHENTICATION_FAILED:
            return (
                f"authentication failed: check the user name, password and authSource ({message})"
            )
        if error.code == UNAUTHORIZED:
            return f"not authorized: the MongoDB user lacks the rights for this ({message})"
        return f"MongoDB refused the command: {message} (code {error.code})"
    if isinstance(error, InvalidOperation):
        return f"the MongoDB client cannot be used ({error})"
    return f"{type(error).__name__}: {error}"


def unavailable(operation: str, error: PyMongoError) -> StorageUnavailable:
    return StorageUnavailable(f"MongoDB {operation}: {describe(error)}")


def storage_call(operation: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Translate every pymongo failure of a port method but a duplicate key into
    StorageUnavailable (duplicate keys are answers the methods interpret themselves)."""

    def decorate(method: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(method)
        def translated(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return method(*args, **kwargs)
            except DuplicateKeyError:
                raise
            except PyMongoError as error:
                raise unavailable(operation, error) from error

        return translated

    return decorate


def retried(command: Callable[[], R]) -> R:
    """Run a read or an idempotent write, again after a short pause when the connection dropped.

    Not after a server selection timeout: that already waited the whole timeout."""
    for delay in RETRY_DELAYS:
        try:
            return command()
        except ServerSelectionTimeoutError:
            raise
        except AutoReconnect:
            time.sleep(delay)
    return command()


def _errmsg(error: OperationFailure) -> str:
    details = error.details or {}
    message = details.get("errmsg") if isinstance(details, dict) else None
    return str(message or error)
