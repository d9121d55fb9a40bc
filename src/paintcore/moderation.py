"""ModerationChain: several moderators as one (the local word list first, then a remote one)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .ports import Moderator


@dataclass(frozen=True, slots=True)
class ModerationChain:
    """Every moderator in order; the first refusal wins."""

    moderators: Sequence[Moderator]

    def check(self, text: str) -> None:
        for moderator in self.moderators:
            moderator.check(text)
