"""Document helpers shared by the collections: exact UTC times and tolerant field reads."""

from __future__ import annotations

import enum
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

Document = dict[str, Any]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
E = TypeVar("E", bound=enum.Enum)


def micros(moment: datetime) -> int:
    """Microseconds since the epoch: exact (BSON dates keep milliseconds only) and ordered."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: storage needs timezone-aware times")
    return (moment - EPOCH) // _MICROSECOND


def time_fields(name: str, moment: datetime | None) -> Document:
    """`name` as a BSON date (for people and tools) and `name_us`, the exact instant."""
    if moment is None:
        return {name: None, f"{name}_us": None}
    exact = micros(moment)
    return {name: moment.astimezone(UTC), f"{name}_us": exact}


def read_time(doc: Document, name: str) -> datetime | None:
    """The instant stored by `time_fields`, timezone-aware UTC; the BSON date alone when the exact
    field is missing (older documents) or no longer agrees with it (edited by hand)."""
    value = doc.get(name)
    date = None
    if isinstance(value, datetime):
        # Clients without tz_aware=True (and mongomock by default) hand back naive UTC.
        date = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    exact = doc.get(f"{name}_us")
    if isinstance(exact, int) and not isinstance(exact, bool):
        moment = EPOCH + exact * _MICROSECOND
        if date is None or moment.replace(microsecond=moment.microsecond // 1000 * 1000) == date:
            return moment
    return date


def text(doc: Document, name: str, default: str = "") -> str:
    value = doc.get(name)
    return value if isinstance(value, str) else default


def optional_text(doc: Document, name: str) -> str | None:
    value = doc.get(name)
    return value if isinstance(value, str) else None


def integer(doc: Document, name: str, default: int = 0) -> int:
    value = doc.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def flag(doc: Document, name: str) -> bool:
    return doc.get(name) is True


def choice(doc: Document, name: str, kind: type[E], default: E) -> E:
    """An enum field; the default when it is missing or holds a value this version does not know."""
    try:
        return kind(doc.get(name, default.value))
    except ValueError:
        return default
