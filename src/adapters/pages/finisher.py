"""ColoringPageFinisher: the PageFinisher port, raw backend image -> printable coloring page."""

from __future__ import annotations

from paintcore.domain.errors import GenerationFailed
from paintcore.domain.pages import ColoringPage, PageOptions, RenderedImage
from paintcore.domain.quality import QualityRules

from . import export, hollow, lineart, quality, sheet
from .decode import decode_gray

# An art area this empty or this dark is a failed generation, not a page worth a credit. The
# floor is low on purpose: judging sparse-but-real art is the quality check's job, not ours.
MIN_INK_SHARE = 0.0005
MAX_INK_SHARE = 0.6


class ColoringPageFinisher:
    """Thresholds, cleans and thickens the art, fits it on A4/Letter under the title (and over
    the artwork's credit line, when the image carries one), encodes it with what is drawn in the
    PDF's Keywords, and measures the art's quality (paper and ink shares, largest solid blob) for the core.
    Filled areas over the solid limit of `rules` are hollowed into outlines when that is clean
    (see hollow.hollow): cheaper than the redraw the core orders for a page below the rules.

    `margin_mm` is the white border printers need; `title_px` the title's font size in pixels at
    300 dpi (0 leaves the title off).
    """

    def __init__(
        self, *, margin_mm: float = 10.0, title_px: int = 72, rules: QualityRules | None = None
    ) -> None:
        if margin_mm < 0 or title_px < 0:
            raise ValueError("margin_mm and title_px must not be negative")
        self._margin_mm = margin_mm
        self._title_px = title_px
        self._rules = rules or QualityRules()

    def finish(self, image: RenderedImage, *, title: str, options: PageOptions) -> ColoringPage:
        """Turn a raw image into a printable black-and-white page; GenerationFailed if unusable."""
        gray = decode_gray(image.data)
        layout = sheet.plan(
            options.paper, title, margin_mm=self._margin_mm, title_px=self._title_px
        )
        where = sheet.fit(gray.shape[1], gray.shape[0], layout.art_area)
        ink = lineart.to_line_art(gray, width=where.width, height=where.height, level=options.level)
        share = float(ink.mean()) / 255.0
        if share < MIN_INK_SHARE:
            raise GenerationFailed("the image has no line art on it (blank page)")
        if share > MAX_INK_SHARE:
            raise GenerationFailed(f"the image is mostly dark ({share:.0%} ink), not line art")
        # Measured on the art alone (the mask as placed on the sheet): counting the margins and
        # the title band would make every page look whiter than it prints.
        found = quality.filled_areas(ink, quality.solid_px(options.level))
        measured = quality.quality_of(ink, found)
        if measured.largest_solid_share > self._rules.max_solid:
            hollowed = hollow.hollow(ink, options.level, self._rules, found)
            if hollowed is not None:
                ink, measured = hollowed.ink, hollowed.quality
        page = sheet.compose(layout, ink, where, self._title_px, footer=image.credit)
        pdf = export.pdf_bytes(
            page,
            layout.sheet,
            title=" ".join(layout.title_lines),
            subjects=image.subjects,
            credit=image.credit,
        )
        return ColoringPage(
            title=title,
            png=export.png_bytes(page),
            pdf=pdf,
            width=page.width,
            height=page.height,
            source=image.source,
            quality=measured,
            kind=image.kind,
            subjects=image.subjects,
        )
