"""The printable sheet: paper sizes at 300 dpi, margins, title band, and where the art goes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from paintcore.domain.pages import Paper

from . import title as titles

DPI = 300
MM_PER_INCH = 25.4


@dataclass(frozen=True, slots=True)
class SheetSize:
    """A portrait sheet in pixels at 300 dpi and in PDF points (what the printer is told)."""

    width_px: int
    height_px: int
    width_pt: float
    height_pt: float


SHEETS: dict[Paper, SheetSize] = {
    # ISO 216: 210 x 297 mm = 595.2756 x 841.8898 pt (595.28 x 841.89 to two places).
    Paper.A4: SheetSize(2480, 3508, 595.2756, 841.8898),
    Paper.LETTER: SheetSize(2550, 3300, 612.0, 792.0),
}


def mm_to_px(mm: float) -> int:
    return round(mm / MM_PER_INCH * DPI)


@dataclass(frozen=True, slots=True)
class Box:
    left: int
    top: int
    width: int
    height: int


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the title lines and the art sit on one sheet."""

    sheet: SheetSize
    title_lines: tuple[str, ...]
    title_top: int
    title_spacing: int
    art_area: Box


def plan(paper: Paper, title: str, *, margin_mm: float, title_px: int) -> Layout:
    """Lay out a sheet: the title (if any) along the top margin, the art area below it."""
    sheet = SHEETS[paper]
    margin = mm_to_px(margin_mm)
    inner = Box(margin, margin, sheet.width_px - 2 * margin, sheet.height_px - 2 * margin)
    lines: list[str] = []
    if title_px > 0:
        text = titles.clean_title(title, title_px)
        lines = titles.wrap_title(text, titles.font(title_px), inner.width) if text else []
    spacing = round(title_px * 1.25)
    # A gap of one line height keeps the title clear of the art's top edge.
    band = (len(lines) + 1) * spacing if lines else 0
    art = Box(inner.left, inner.top + band, inner.width, inner.height - band)
    return Layout(sheet, tuple(lines), inner.top, spacing, art)


def fit(width: int, height: int, area: Box) -> Box:
    """The largest box of the art's aspect ratio inside `area`, centred in it."""
    scale = min(area.width / width, area.height / height)
    fitted_w = max(1, min(area.width, round(width * scale)))
    fitted_h = max(1, min(area.height, round(height * scale)))
    return Box(
        area.left + (area.width - fitted_w) // 2,
        area.top + (area.height - fitted_h) // 2,
        fitted_w,
        fitted_h,
    )


# The artwork's credit line: small print (about 2 mm) centred in the bottom margin.
FOOTER_PX = 26


def compose(
    layout: Layout, ink: NDArray[np.uint8], where: Box, title_px: int, *, footer: str = ""
) -> Image.Image:
    """The finished 1-bit sheet: white paper, the ink mask at `where`, the title on top and the
    footer (a licence's credit line) in the bottom margin."""
    sheet = layout.sheet
    paper = np.full((sheet.height_px, sheet.width_px), 255, dtype=np.uint8)
    region = paper[where.top : where.top + where.height, where.left : where.left + where.width]
    region[ink > 0] = 0
    page = Image.fromarray(paper).convert("1", dither=Image.Dither.NONE)
    if layout.title_lines:
        titles.draw_title(
            page,
            layout.title_lines,
            titles.font(title_px),
            top=layout.title_top,
            spacing=layout.title_spacing,
        )
    if footer:
        margin = sheet.height_px - (layout.art_area.top + layout.art_area.height)
        face = titles.font(FOOTER_PX)
        line = titles.clean_title(footer, FOOTER_PX)
        lines = tuple(titles.wrap_title(line, face, sheet.width_px - 2 * layout.art_area.left))[:1]
        top = sheet.height_px - margin + (margin - FOOTER_PX) // 2
        titles.draw_title(page, lines, face, top=top, spacing=FOOTER_PX)
    return page
