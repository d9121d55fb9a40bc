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
    AgeLevel.TODDLER: (
        "for toddlers aged 2-4: one big friendly subject made of a few very simple large shapes, "
        "very thick bold outlines, no background, nothing small"
    ),
    AgeLevel.KIDS: (
        "for children aged 4-7: simple shapes, thick clean outlines, a simple background with few "
        "large areas to colour"
    ),
    AgeLevel.CHILDREN: (
        "for children aged 8-12: moderate detail, medium-weight outlines, a background scene with "
        "clearly separated areas"
    ),
    AgeLevel.ADULT: (
        "for adults: intricate detail and ornamental patterns filling the shapes, fine but unbroken "
        "outlines"
    ),
}

_STYLE = {
    Style.CARTOON: "friendly cartoon style with rounded shapes and expressive faces",
    Style.REALISTIC: "realistic proportions drawn as clean contour lines, like a botanical illustration",
    Style.MANDALA: "mandala style: the subject built from symmetric ornamental patterns",
    Style.KAWAII: "cute kawaii style: chubby rounded shapes, big eyes, small smiles",
}

_PAGE_RULES = (
    "Black line art on a pure white background. Bold, clean, closed black outlines. No shading, "
    "no hatching, no gray, no colour, no filled black areas, no text, letters or signatures. "
    "The subject centred and fully inside a portrait page with a white margin."
)


def page_prompt(description: str, options: PageOptions) -> str:
    """The prompt that asks an image model for a printable coloring page of `description`."""
    return (
        f"A printable coloring book page of: {description}. "
        f"{_STYLE[options.style]}, {_LEVEL[options.level]}. {_PAGE_RULES}"
    )


def photo_prompt(options: PageOptions) -> str:
    """The prompt that asks an image model to redraw a user's photo as a coloring page."""
    return (
        "Redraw this photo as a printable coloring book page: keep the main subject and its pose, "
        "drop the background clutter. "
        f"{_STYLE[options.style]}, {_LEVEL[options.level]}. {_PAGE_RULES}"
    )
