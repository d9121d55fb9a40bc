"""What the bot counts and times (the Metrics port's vocabulary): names checked by mypy, each
counted fact with the labels it carries. Adapters turn them into metrics (Prometheus:
`paintbot_<fact>_total`, `paintbot_<timing>`)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType


class Fact(enum.StrEnum):
    """Something that happened, counted where it happens."""

    UPDATES_HANDLED = "updates_handled"  # kind: an UpdateKind
    UPDATES_DROPPED = "updates_dropped"  # a chat wrote faster than it was answered
    PAGES_REQUESTED = "pages_requested"  # a job opened with its credit held
    PAGES_DELIVERED = "pages_delivered"  # the user holds the page (the PDF may have failed)
    PAGES_FAILED = "pages_failed"  # a job closed as failed (by its worker, recovery, a queue error)
    PAGES_REFUNDED = "pages_refunded"  # ... and that close gave its held credit back
    PAYMENTS_CREDITED = "payments_credited"  # currency: a payment's pages granted, once
    PAYMENTS_REFUNDED = "payments_refunded"  # currency: money given back (/refund, or unhonoured)
    BROADCAST_MESSAGES = "broadcast_messages"  # outcome: a Delivery (sent, blocked, failed)


class UpdateKind(enum.StrEnum):
    """The `kind` of a handled update."""

    MESSAGE = "message"
    CALLBACK = "callback"  # a button press
    PAYMENT = "payment"  # a pre-checkout query or a successful payment
    OTHER = "other"  # a kind the bot does not handle (not asked for, so rare)


class Timing(enum.StrEnum):
    """Something that took time, observed in seconds."""

    GENERATION = "generation_seconds"  # a page: from taking its job to delivering it


# The labels each fact carries, every one of them at every count (Prometheus needs a fixed set).
LABELS: Mapping[Fact, tuple[str, ...]] = MappingProxyType(
    {
        Fact.UPDATES_HANDLED: ("kind",),
        Fact.PAYMENTS_CREDITED: ("currency",),
        Fact.PAYMENTS_REFUNDED: ("currency",),
        Fact.BROADCAST_MESSAGES: ("outcome",),
    }
)


def labels_of(fact: Fact) -> tuple[str, ...]:
    """The label names `fact` is counted with (none for most)."""
    return LABELS.get(fact, ())
