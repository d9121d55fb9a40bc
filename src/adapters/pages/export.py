"""Encode a finished sheet: a 300-dpi PNG and a one-page PDF of the exact paper size."""

from __future__ import annotations

import io
import math

from PIL import Image

from paintcore.domain.pages import DrawnSubject

from .sheet import DPI, SheetSize


def png_bytes(page: Image.Image) -> bytes:
    """A 1-bit PNG that says 300 dpi, so image viewers print it at paper size."""
    buffer = io.BytesIO()
    # zlib level 3 halves the encode time of level 6 for a file only ~15% larger.
    page.save(buffer, format="PNG", dpi=(DPI, DPI), compress_level=3)
    return buffer.getvalue()


def pdf_bytes(
    page: Image.Image,
    sheet: SheetSize,
    *,
    title: str = "",
    subjects: tuple[DrawnSubject, ...] = (),
    credit: str = "",
) -> bytes:
    """One PDF page whose MediaBox is the paper: A4 595.2756 x 841.8898 pt, Letter 612 x 792.

    Its Keywords list what is drawn ("🐈 cat, 🎩 top hat") so other programs can check it, and
    its Subject carries the artwork's credit line when there is one."""
    # Whole pixels at 300 dpi miss A4 by a fraction of a pixel, so a plain resolution=300 gives a
    # 595.2 x 841.92 pt page that printers do not recognise as A4; per-axis resolutions (off
    # 300 by < 0.02%) make the MediaBox the true paper size.
    dpi = (
        _resolution(page.width, sheet.width_pt),
        _resolution(page.height, sheet.height_pt),
    )
    buffer = io.BytesIO()
    info = {"title": title[:200], "creator": "PaintBot"}
    if subjects:
        info["keywords"] = keywords(subjects)
    if credit:
        info["subject"] = credit
    page.save(buffer, format="PDF", dpi=dpi, **info)
    return buffer.getvalue()


def keywords(subjects: tuple[DrawnSubject, ...]) -> str:
    """The PDF Keywords entry: each drawn subject as its emoji and English CLDR short name."""
    return ", ".join(f"{s.emoji} {s.name_en}" for s in subjects)


def _resolution(pixels: int, points: float) -> float:
    # Pillow writes pixels * 72 / resolution with repr(); try the neighbouring floats so it
    # prints the intended value (841.8898) and not 841.8898000000001.
    exact = pixels * 72.0 / points
    for step in (0, 1, -1, 2, -2, 3, -3, 4, -4):
        resolution = exact
        for _ in range(abs(step)):
            resolution = math.nextafter(resolution, math.inf if step > 0 else 0.0)
        if pixels * 72.0 / resolution == points:
            return resolution
    return exact
