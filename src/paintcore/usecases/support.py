"""Support: who to contact for help, as configured."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Support:
    contact: str = ""

    def __call__(self) -> str:
        """The contact, or an empty string when none is configured."""
        return self.contact.strip()
