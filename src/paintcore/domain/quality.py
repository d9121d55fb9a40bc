"""Is a finished page worth printing? Measured by the finisher, judged here (pure policy)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PageQuality:
    """Shares of the art area (0..1): white paper, black ink, and the largest solid black blob
    (a filled region rather than a line: printers smear it and children cannot colour it)."""

    white_share: float
    black_share: float
    largest_solid_share: float


@dataclass(frozen=True, slots=True)
class QualityRules:
    min_white: float = 0.65
    max_black: float = 0.25
    max_solid: float = 0.02

    def problems(self, quality: PageQuality) -> list[str]:
        """What is wrong with the page, in words for logs; empty when it is fine."""
        found = []
        if quality.white_share < self.min_white:
            found.append(f"white {quality.white_share:.0%} < {self.min_white:.0%}")
        if quality.black_share > self.max_black:
            found.append(f"black {quality.black_share:.0%} > {self.max_black:.0%}")
        if quality.largest_solid_share > self.max_solid:
            found.append(
                f"solid black area {quality.largest_solid_share:.1%} > {self.max_solid:.1%}"
            )
        return found

    def acceptable(self, quality: PageQuality | None) -> bool:
        return quality is None or not self.problems(quality)

    def score(self, quality: PageQuality | None) -> float:
        """Higher is better: how far inside (positive) or outside (negative) the limits."""
        if quality is None:
            return 0.0
        return min(
            quality.white_share - self.min_white,
            self.max_black - quality.black_share,
            (self.max_solid - quality.largest_solid_share) * 5,
        )
