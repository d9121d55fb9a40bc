"""Whole portrait pages: the mandala sheet with its frame, corner fans and rosettes."""

from __future__ import annotations

import math
import random

from paintcore.domain.pages import AgeLevel

from . import shapes
from .canvas import Canvas
from .mandala import draw_mandala

WIDTH, HEIGHT = 1024, 1536

# Line weight per age at 1024 px wide. The page prints about 2x larger at 300 dpi, so these land
# a little above the finisher's minimum for the age and it has nothing to thicken.
LINE: dict[AgeLevel, int] = {
    AgeLevel.TODDLER: 8,
    AgeLevel.KIDS: 5,
    AgeLevel.CHILDREN: 4,
    AgeLevel.ADULT: 2,
}

FRAME_MARGIN = 28.0
FRAME_GAP = 14.0  # between the two lines of a double frame
FRAME_RADIUS = 36.0


def new_canvas(level: AgeLevel) -> Canvas:
    return Canvas(WIDTH, HEIGHT, LINE[level])


def frame_inset(level: AgeLevel) -> float:
    """How far inside the page edge the (innermost) frame line runs."""
    return FRAME_MARGIN + (FRAME_GAP if level in (AgeLevel.CHILDREN, AgeLevel.ADULT) else 0.0)


def frame(c: Canvas, level: AgeLevel) -> None:
    """A rounded frame around the page, doubled for the older ages."""
    inset = FRAME_MARGIN
    while inset <= frame_inset(level):
        radius = FRAME_RADIUS - (inset - FRAME_MARGIN)
        outline = shapes.rounded_rect(inset, inset, WIDTH - inset, HEIGHT - inset, radius)
        c.stroke(outline, closed=True)
        inset += FRAME_GAP


def clip_outside(c: Canvas, inset: float) -> None:
    """Whiten everything outside the frame, so motifs centred on its corners end at the frame."""
    radius = max(FRAME_RADIUS - (inset - FRAME_MARGIN), 4.0)
    c.keep_inside(shapes.rounded_rect(inset, inset, WIDTH - inset, HEIGHT - inset, radius))


def motif(c: Canvas, rng: random.Random, x: float, y: float, r: float, level: AgeLevel) -> None:
    """A small closed ornament for the spare space: a rosette, a star or a heart."""
    pick = rng.randrange(3)
    if pick == 0 or level in (AgeLevel.CHILDREN, AgeLevel.ADULT):
        easier = AgeLevel.TODDLER if level in (AgeLevel.TODDLER, AgeLevel.KIDS) else AgeLevel.KIDS
        draw_mandala(c, rng, x, y, r, easier)
    elif pick == 1:
        c.shape(shapes.star(x, y, r * 0.45, r, 5, -math.pi / 2))
        c.shape(shapes.star(x, y, r * 0.2, r * 0.45, 5, -math.pi / 2))
    else:
        c.shape(shapes.heart(x, y, r * 1.8))
        c.shape(shapes.heart(x, y, r * 0.9))


def mandala_page(rng: random.Random, level: AgeLevel) -> Canvas:
    """One big mandala in the middle; frame, corner fans and rosettes fill the tall page."""
    c = new_canvas(level)
    cx, cy = WIDTH / 2, HEIGHT / 2
    radius = WIDTH / 2 - (20 if level is AgeLevel.TODDLER else 44)
    spare = (HEIGHT - 2 * radius) / 2  # above and below the mandala
    if level is AgeLevel.TODDLER:
        small = spare * 0.42
        for y in (spare / 2, HEIGHT - spare / 2):
            motif(c, rng, cx, y, small, level)
    else:
        inset = frame_inset(level)
        fan = spare * 0.8
        corners = [
            (inset, inset),
            (WIDTH - inset, inset),
            (inset, HEIGHT - inset),
            (WIDTH - inset, HEIGHT - inset),
        ]
        seed = rng.random()  # one seed for all four: the corners match
        for x, y in corners:
            draw_mandala(c, random.Random(seed), x, y, fan, _one_easier(level))
        clip_outside(c, inset)
        frame(c, level)
        rosette = min(spare * 0.34, (spare - inset) / 2 - 12)
        seed = rng.random()
        for y in ((inset + cy - radius) / 2, HEIGHT - (inset + cy - radius) / 2):
            motif(c, random.Random(seed), cx, y, rosette, level)
    draw_mandala(c, rng, cx, cy, radius, level)
    return c


def _one_easier(level: AgeLevel) -> AgeLevel:
    order = list(AgeLevel)
    return order[max(0, order.index(level) - 1)]
