"""A corpus of synthetic model-like pages, each with the verdict a person gives it.

Pages are drawn 4x larger with PIL and shrunk with LANCZOS, so their edges come out in every
shade of gray like an image API's, at the sizes such APIs return (1024x1536, 1024x1024). Points
are in page widths (x and y alike); strokes in millimetres as printed on A4 without a title.
"""

from __future__ import annotations

import enum
import functools
import io
import math
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw

from adapters.pages import sheet
from paintcore.domain.pages import Paper, RenderedImage

PORTRAIT = (1024, 1536)
SQUARE = (1024, 1024)
SUPERSAMPLE = 4
BLACK, WHITE = 0, 255
Point = tuple[float, float]


class Verdict(enum.Enum):
    """What a person says of a page as the model drew it."""

    PRINTABLE = "printable"  # colour it as it is
    FLAGGED = "flagged"  # has an area a child cannot colour: draw it again (or hollow it)
    REFUSED = "refused"  # not a coloring page at all (blank, mostly dark): no page, no credit


@dataclass(frozen=True)
class CorpusPage:
    """One page of the corpus: how to draw it, the verdict, and whether hollowing rescues it."""

    name: str
    draw: Callable[[], Image.Image]
    verdict: Verdict
    hollowable: bool = False  # its filled areas become clean outlined regions

    @property
    def delivered_as_is(self) -> bool:
        """The gate should let the finished page through without a redraw."""
        return self.verdict is Verdict.PRINTABLE or self.hollowable

    def image(self) -> RenderedImage:
        return RenderedImage(data=_png(self.name), source=f"corpus:{self.name}")


def px_per_mm(size: tuple[int, int]) -> float:
    """Source pixels per printed millimetre for an image of `size` placed on A4 untitled."""
    layout = sheet.plan(Paper.A4, "", margin_mm=10.0, title_px=0)
    placed = sheet.fit(size[0], size[1], layout.art_area)
    return sheet.DPI / sheet.MM_PER_INCH / (placed.width / size[0])


class Sketch:
    """A supersampled gray canvas; `inverted` draws white ink on black paper."""

    def __init__(self, size: tuple[int, int] = PORTRAIT, *, inverted: bool = False) -> None:
        self.size = size
        self.ink, self.paper = (WHITE, BLACK) if inverted else (BLACK, WHITE)
        self.image = Image.new("L", (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE), self.paper)
        self.pen = ImageDraw.Draw(self.image)
        self._unit = size[0] * SUPERSAMPLE
        self._mm = px_per_mm(size) * SUPERSAMPLE  # canvas pixels per printed mm

    @property
    def height(self) -> float:
        """The page's height in widths."""
        return self.size[1] / self.size[0]

    def mm(self, mm: float) -> float:
        """A printed length in page widths."""
        return mm * self._mm / self._unit

    def _xy(self, points: list[Point]) -> list[tuple[float, float]]:
        return [(x * self._unit, y * self._unit) for x, y in points]

    def ellipse(
        self, c: Point, rx: float, ry: float = 0.0, *, line_mm: float = 0, fill: int | None = None
    ) -> None:
        ry = ry or rx
        box = self._xy([(c[0] - rx, c[1] - ry), (c[0] + rx, c[1] + ry)])
        width = round(line_mm * self._mm)
        self.pen.ellipse(box, fill=fill, outline=self.ink if width else None, width=width)

    def polygon(self, points: list[Point], *, line_mm: float = 0, fill: int | None = None) -> None:
        if fill is not None:
            self.pen.polygon(self._xy(points), fill=fill)
        if line_mm:
            self.line([*points, points[0]], line_mm)

    def line(self, points: list[Point], line_mm: float, *, ink: int | None = None) -> None:
        width, xy, ink = (
            round(line_mm * self._mm),
            self._xy(points),
            self.ink if ink is None else ink,
        )
        self.pen.line(xy, fill=ink, width=width, joint="curve")
        for x, y in (xy[0], xy[-1]):  # round caps, as a pen draws
            self.pen.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=ink)

    def box(
        self, a: Point, b: Point, *, line_mm: float = 0, fill: int | None = None, radius: float = 0
    ) -> None:
        width = round(line_mm * self._mm)
        self.pen.rounded_rectangle(
            self._xy([a, b]), radius * self._unit, fill, self.ink if width else None, width
        )

    def done(self) -> Image.Image:
        return self.image.resize(self.size, Image.Resampling.LANCZOS)


# -- subjects (x, y, size in page widths) ---------------------------------------------------------


def cat(s: Sketch, x: float, y: float, size: float, *, line_mm: float, mode: str = "") -> None:
    """A sitting cat `size` tall: outlined, with `mode` "solid eyes", or a "silhouette"."""

    def at(dx: float, dy: float) -> Point:
        return (x + dx * size, y + dy * size)

    ears = [[at(k * 0.19, -0.33), at(k * 0.16, -0.52), at(k * 0.05, -0.45)] for k in (-1, 1)]
    tail = [at(0.2, 0.38), at(0.38, 0.33), at(0.44, 0.15), at(0.4, -0.02)]
    parts = [(at(0, 0.15), 0.24 * size, 0.3 * size), (at(0, -0.27), 0.2 * size, 0.2 * size)]
    eyes = [at(k * 0.08, -0.3) for k in (-1, 1)]
    if mode == "silhouette":  # filled parts, the tail a stroke as wide as a paw
        for ear in ears:
            s.polygon(ear, fill=s.ink)
        s.line(tail, 6.0)
        for centre, rx, ry in parts:
            s.ellipse(centre, rx, ry, fill=s.ink)
        for eye in eyes:  # white eyes with a pupil: holes, and a small detail inside them
            s.ellipse(eye, 0.045 * size, fill=s.paper)
            s.ellipse(eye, 0.018 * size, fill=s.ink)
        return
    for ear in ears:
        s.polygon(ear, line_mm=line_mm)
    s.line(tail, line_mm)
    for centre, rx, ry in parts:
        s.ellipse(centre, rx, ry, line_mm=line_mm, fill=s.paper)
    for k, eye in zip((-1, 1), eyes, strict=True):
        solid = s.ink if mode == "solid eyes" else None
        s.ellipse(eye, 0.035 * size, 0.04 * size, line_mm=line_mm, fill=solid)
        for dy in (-0.02, 0.02):
            s.line([at(k * 0.09, -0.2), at(k * 0.3, dy - 0.2)], line_mm / 2)  # whiskers
        s.ellipse(at(k * 0.1, 0.43), 0.07 * size, 0.04 * size, line_mm=line_mm, fill=s.paper)
    s.polygon([at(-0.03, -0.25), at(0.03, -0.25), at(0, -0.22)], line_mm=line_mm, fill=s.ink)


def sun(s: Sketch, x: float, y: float, r: float, *, line_mm: float) -> None:
    s.ellipse((x, y), r, line_mm=line_mm)
    for a in (k * math.pi / 5 for k in range(10)):
        s.line([(x + f * r * math.cos(a), y + f * r * math.sin(a)) for f in (1.3, 1.8)], line_mm)


def flower(s: Sketch, x: float, y: float, size: float, *, line_mm: float) -> None:
    s.line([(x, y), (x + 0.05 * size, y + size)], line_mm)
    for a in (k * math.pi / 3 for k in range(6)):
        petal = (x + 0.18 * size * math.cos(a), y + 0.18 * size * math.sin(a))
        s.ellipse(petal, 0.12 * size, line_mm=line_mm, fill=s.paper)
    s.ellipse((x, y), 0.1 * size, line_mm=line_mm, fill=s.paper)


def scene(s: Sketch, *, line_mm: float) -> None:
    """What goes around a subject: a sun, two flowers, the ground."""
    h = s.height
    sun(s, 0.82, 0.12 * h, 0.07, line_mm=line_mm)
    flower(s, 0.14, 0.72 * h, 0.18, line_mm=line_mm)
    flower(s, 0.86, 0.74 * h, 0.16, line_mm=line_mm)
    s.line([(0.04, 0.92 * h), (0.5, 0.9 * h), (0.96, 0.92 * h)], line_mm)


# -- the pages ------------------------------------------------------------------------------------


def outlined_cat(line_mm: float, size: tuple[int, int] = PORTRAIT) -> Image.Image:
    """The 'bold and easy' page: a cat and its scene in outlines `line_mm` wide."""
    s = Sketch(size)
    cat(s, 0.5, 0.52 * s.height, 0.62 * s.height, line_mm=line_mm)
    scene(s, line_mm=line_mm)
    return s.done()


def cat_silhouette() -> Image.Image:
    """The cat filled black (white eyes), its scene in ordinary outlines."""
    s = Sketch()
    cat(s, 0.5, 0.52 * s.height, 0.62 * s.height, line_mm=1.0, mode="silhouette")
    scene(s, line_mm=1.0)
    return s.done()


def filled_car() -> Image.Image:
    """A car with a solid black body and white windows, outlined wheels, on a square page."""
    s = Sketch(SQUARE)
    s.polygon(
        [(0.12, 0.62), (0.12, 0.48), (0.28, 0.46), (0.36, 0.32), (0.66, 0.32), (0.76, 0.46),
         (0.88, 0.5), (0.88, 0.62)],
        fill=s.ink,
    )  # fmt: skip
    s.polygon([(0.39, 0.35), (0.5, 0.35), (0.5, 0.45), (0.32, 0.45)], fill=s.paper)
    s.polygon([(0.54, 0.35), (0.64, 0.35), (0.72, 0.45), (0.54, 0.45)], fill=s.paper)
    for x in (0.3, 0.7):
        s.ellipse((x, 0.63), 0.09, line_mm=1.2, fill=s.paper)
        s.ellipse((x, 0.63), 0.03, line_mm=1.2)
    s.line([(0.04, 0.73), (0.96, 0.73)], 1.2)
    sun(s, 0.15, 0.14, 0.06, line_mm=1.2)
    return s.done()


def night_sky() -> Image.Image:
    """A blacked-out sky over the top half with a white moon and stars; the cat in outline."""
    s = Sketch()
    h = s.height
    s.box((0, 0), (1, 0.5 * h), fill=s.ink)
    s.ellipse((0.78, 0.12 * h), 0.08, fill=s.paper)
    for x, y in ((0.15, 0.08), (0.3, 0.2), (0.55, 0.06), (0.1, 0.35), (0.88, 0.38)):
        s.ellipse((x, y * h), 0.015, fill=s.paper)
    cat(s, 0.5, 0.6 * h, 0.6 * h, line_mm=1.0)
    s.line([(0.04, 0.92 * h), (0.96, 0.92 * h)], 1.0)
    return s.done()


def white_lines_on_black_panel() -> Image.Image:
    """Inverted art on a black panel: the cat drawn in white lines, white paper around it."""
    s = Sketch()
    h = s.height
    s.box((0.12, 0.2 * h), (0.88, 0.78 * h), fill=s.ink, radius=0.05)
    s.ink, s.paper = s.paper, s.ink
    cat(s, 0.5, 0.5 * h, 0.5 * h, line_mm=1.5)
    return s.done()


def white_lines_on_black_page() -> Image.Image:
    """Inverted art on the whole page: white line art on black."""
    s = Sketch(inverted=True)
    cat(s, 0.5, 0.52 * s.height, 0.62 * s.height, line_mm=1.5)
    scene(s, line_mm=1.5)
    return s.done()


def solid_details() -> Image.Image:
    """Outline art with the small solid parts people expect: eyes, buttons, wheels, a nose."""
    s = Sketch()
    h = s.height
    cat(s, 0.32, 0.4 * h, 0.4 * h, line_mm=1.2, mode="solid eyes")
    s.ellipse((0.75, 0.3 * h), 0.084, line_mm=1.2)  # a snowman with black buttons and eyes
    s.ellipse((0.75, 0.42 * h), 0.12, line_mm=1.2)
    for k in range(3):
        s.ellipse((0.75, (0.39 + 0.035 * k) * h), 0.022, fill=s.ink)
    for k in (-1, 1):
        s.ellipse((0.75 + k * 0.03, 0.29 * h), 0.015, fill=s.ink)
    s.box((0.15, 0.7 * h), (0.85, 0.8 * h), line_mm=1.2, radius=0.02)  # a cart
    for x in (0.3, 0.7):  # solid wheels 25 mm across
        s.ellipse((x, 0.83 * h), s.mm(12.5), fill=s.ink)
    s.line([(0.04, 0.92 * h), (0.96, 0.92 * h)], 1.2)
    return s.done()


def hatched_house() -> Image.Image:
    """A house shaded with hatching: 0.6 mm lines 3 mm apart on the wall and the roof."""
    s = Sketch()
    h, step = s.height, s.mm(3.0)
    s.box((0.2, 0.4 * h), (0.8, 0.75 * h), line_mm=1.0)
    s.polygon([(0.15, 0.4 * h), (0.5, 0.2 * h), (0.85, 0.4 * h)], line_mm=1.0)
    for k in range(1, int(0.6 / step)):
        s.line([(0.2 + k * step, 0.4 * h + step), (0.2 + k * step, 0.75 * h - step)], 0.6)
    for k in range(1, int(0.18 * h / step)):  # each line ending at the roof's slopes
        y = 0.4 * h - k * step
        half = (y - 0.2 * h) / (0.2 * h) * 0.35
        s.line([(0.5 - half + step, y), (0.5 + half - step, y)], 0.6)
    s.box((0.42, 0.58 * h), (0.58, 0.75 * h), line_mm=1.0, fill=s.paper)
    s.line([(0.02, 0.85 * h), (0.5, 0.8 * h), (0.98, 0.86 * h)], 1.0)
    return s.done()


def dense_mandala() -> Image.Image:
    """An adult mandala: rings 5 mm apart, 40 spokes, petals, all in 0.4 mm lines."""
    s = Sketch(SQUARE)
    ring, c = s.mm(5.0), (0.5, 0.5)
    for k in range(1, int(0.47 / ring) + 1):
        s.ellipse(c, k * ring, line_mm=0.4)
    for k in range(40):
        a, inner = k * math.pi / 20, ring * (3 if k % 2 else 1)
        s.line([(0.5 + r * math.cos(a), 0.5 + r * math.sin(a)) for r in (inner, 0.47)], 0.4)
    for a in (k * math.pi / 8 for k in range(16)):
        petal = (0.5 + 0.3 * math.cos(a), 0.5 + 0.3 * math.sin(a))
        s.ellipse(petal, ring * 1.2, line_mm=0.4, fill=s.paper)
        s.ellipse(petal, ring * 0.5, line_mm=0.4)
    return s.done()


def nearly_blank() -> Image.Image:
    """A page the model left empty but for a faint scratch."""
    s = Sketch()
    s.line([(0.49, 0.68), (0.51, 0.69)], 0.3, ink=120)
    return s.done()


def dark_night() -> Image.Image:
    """Mostly dark: a black night over the whole page but a small white house."""
    s = Sketch(inverted=True)
    h = s.height
    s.box((0.35, 0.55 * h), (0.65, 0.8 * h), fill=s.ink)
    s.ink, s.paper = s.paper, s.ink
    s.box((0.45, 0.68 * h), (0.55, 0.8 * h), line_mm=1.0)
    return s.done()


P = functools.partial
CORPUS: tuple[CorpusPage, ...] = (
    CorpusPage("thin outlines 0.5 mm", P(outlined_cat, 0.5), Verdict.PRINTABLE),
    CorpusPage("bold outlines 2 mm", P(outlined_cat, 2.0), Verdict.PRINTABLE),
    CorpusPage("bold outlines 2.5 mm", P(outlined_cat, 2.5), Verdict.PRINTABLE),
    CorpusPage("bold outlines 3 mm", P(outlined_cat, 3.0), Verdict.PRINTABLE),
    CorpusPage("bold outlines 2.5 mm, square", P(outlined_cat, 2.5, SQUARE), Verdict.PRINTABLE),
    CorpusPage("solid eyes, buttons, wheels", solid_details, Verdict.PRINTABLE),
    CorpusPage("hatching 3 mm apart", hatched_house, Verdict.PRINTABLE),
    CorpusPage("dense mandala", dense_mandala, Verdict.PRINTABLE),
    CorpusPage("black cat silhouette", cat_silhouette, Verdict.FLAGGED, hollowable=True),
    CorpusPage("filled black car, square", filled_car, Verdict.FLAGGED, hollowable=True),
    CorpusPage("blacked-out night sky", night_sky, Verdict.FLAGGED),
    CorpusPage("white lines on a black panel", white_lines_on_black_panel, Verdict.FLAGGED),
    CorpusPage("white lines on a black page", white_lines_on_black_page, Verdict.REFUSED),
    CorpusPage("mostly dark page", dark_night, Verdict.REFUSED),
    CorpusPage("nearly blank page", nearly_blank, Verdict.REFUSED),
)
PAGES = {page.name: page for page in CORPUS}


@functools.cache
def _png(name: str) -> bytes:
    buffer = io.BytesIO()
    PAGES[name].draw().save(buffer, format="PNG")
    return buffer.getvalue()
