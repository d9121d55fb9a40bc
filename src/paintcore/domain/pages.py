"""What a coloring page is made of: the user's options, the raw image, the finished page."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from .quality import PageQuality


class AgeLevel(enum.StrEnum):
    """How intricate a page should be."""

    TODDLER = "2-4"
    KIDS = "4-7"
    CHILDREN = "8-12"
    ADULT = "adult"


class Style(enum.StrEnum):
    CARTOON = "cartoon"
    REALISTIC = "realistic"
    MANDALA = "mandala"
    KAWAII = "kawaii"


class Paper(enum.StrEnum):
    A4 = "a4"
    LETTER = "letter"


@dataclass(frozen=True, slots=True)
class PageOptions:
    """How the user wants the page drawn; the defaults give the shortest path."""

    level: AgeLevel = AgeLevel.KIDS
    style: Style = Style.CARTOON
    paper: Paper = Paper.A4


class ArtKind(enum.StrEnum):
    """What a page shows, so that its caption can say so truthfully."""

    DESCRIPTION = "description"  # a drawing of the whole description (an image model)
    SUBJECTS = "subjects"  # the subjects recognised in the description, drawn from artwork
    PATTERN = "pattern"  # an ornamental pattern titled with the description (nothing recognised)
    PHOTO = "photo"  # the user's photo traced into line art


@dataclass(frozen=True, slots=True)
class DrawnSubject:
    """One thing drawn on a page: its emoji and its Unicode CLDR short names."""

    emoji: str  # "🐈"
    name_en: str  # "cat"
    name_ru: str  # "кошка"

    def name(self, language: str) -> str:
        """The name in `language` ("ru" or "en"; anything else gets English)."""
        return self.name_ru if language == "ru" and self.name_ru else self.name_en


@dataclass(frozen=True, slots=True)
class RenderedImage:
    """An image as a backend produced it (any size, maybe gray or colour), encoded as PNG/JPEG."""

    data: bytes
    source: str  # which backend made it, e.g. "offline-mandala", "openai:gpt-image-1.5"
    kind: ArtKind = ArtKind.DESCRIPTION
    subjects: tuple[DrawnSubject, ...] = ()  # what is drawn, when the backend knows (offline)
    credit: str = ""  # a line the printed page must carry (the artwork's licence)


@dataclass(frozen=True, slots=True)
class ColoringPage:
    """The finished page: pure black-and-white line art on a printable sheet, as PNG and PDF."""

    title: str
    png: bytes
    pdf: bytes
    width: int
    height: int
    source: str
    quality: PageQuality | None = None  # measured by the finisher; None when not measured
    kind: ArtKind = ArtKind.DESCRIPTION
    subjects: tuple[DrawnSubject, ...] = ()
