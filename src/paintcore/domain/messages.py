"""Platform-neutral outgoing message parts: keyboards the messenger renders its own way."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Keyboard:
    """A persistent menu of reply buttons, as rows of labels; pressing one sends its label as text."""

    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class InlineButton:
    """A button under a message; pressing it sends `data` back (never trust it: it can be forged).
    With a `url` it opens that address instead (a payment page) and sends nothing back."""

    label: str
    data: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class InlineKeyboard:
    rows: tuple[tuple[InlineButton, ...], ...]
