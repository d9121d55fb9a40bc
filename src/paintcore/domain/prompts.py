"""Description rules and the coloring-page prompt: pure policy, no I/O."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from .errors import InvalidPrompt
from .pages import AgeLevel, PageOptions, Style


@dataclass(frozen=True, slots=True)
class DescriptionRules:
    """What a description must look like before anything is spent on it."""

    min_length: int = 3
    max_length: int = 1000

    def clean(self, text: str | None) -> str:
        """The description trimmed, with runs of whitespace and control characters folded;
        InvalidPrompt("empty" | "too_short" | "too_long") otherwise."""
        printable = "".join(
            " " if unicodedata.category(ch)[0] in "CZ" else ch for ch in (text or "")
        )
        cleaned = " ".join(printable.split())
        if not cleaned:
            raise InvalidPrompt("empty", min_length=self.min_length, max_length=self.max_length)
        if len(cleaned) < self.min_length:
            raise InvalidPrompt("too_short", min_length=self.min_length, max_length=self.max_length)
        if len(cleaned) > self.max_length:
            raise InvalidPrompt("too_long", min_length=self.min_length, max_length=self.max_length)
        return cleaned


_LEVEL = {
    AgeLevel.TODDLER: "for toddlers aged 2-4: a few very simple large shapes, very thick lines",
    AgeLevel.KIDS: "for children aged 4-7: simple shapes, thick lines, little detail",
    AgeLevel.CHILDREN: "for children aged 8-12: moderate detail, medium lines",
    AgeLevel.ADULT: "for adults: intricate detailed patterns, fine lines",
}

_STYLE = {
    Style.CARTOON: "friendly cartoon style",
    Style.REALISTIC: "realistic proportions, clean outlines",
    Style.MANDALA: "mandala-like ornamental patterns filling the shapes",
    Style.KAWAII: "cute kawaii style with rounded shapes",
}


def page_prompt(description: str, options: PageOptions) -> str:
    """The prompt that asks an image model for a printable coloring page of `description`."""
    return (
        f"A coloring book page of: {description}. "
        f"{_STYLE[options.style]}, {_LEVEL[options.level]}. "
        "Bold clean black outlines on a pure white background, no shading, no gray, no color, "
        "no text, closed shapes ready to color, subject centred, portrait page."
    )
