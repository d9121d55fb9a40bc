"""Platform-neutral outgoing message parts: keyboards the messenger renders its own way."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Keyboard:
    """A persistent menu of reply buttons, as rows of labels; pressing one sends its label as text."""

    rows: tuple[tuple[str, ...], ...]
