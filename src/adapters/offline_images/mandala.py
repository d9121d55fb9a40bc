"""A layered mandala: rings of petals, beads, scallops and stars around a flower centre."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

from paintcore.domain.pages import AgeLevel

from . import shapes
from .canvas import Canvas
from .shapes import Petal


@dataclass(frozen=True, slots=True)
class Detail:
    """How busy a mandala of one age level is."""

    layers: tuple[int, int]  # inclusive range of rings between rim and centre
    arc: float  # target width of one petal along its ring, in px: fewer, bigger shapes when wide
    ornaments: int  # 0 plain shapes, 1 inner echoes, 2 echoes plus beads and veins


DETAIL: dict[AgeLevel, Detail] = {
    AgeLevel.TODDLER: Detail((2, 2), 260.0, 0),
    AgeLevel.KIDS: Detail((3, 4), 150.0, 1),
    AgeLevel.CHILDREN: Detail((5, 6), 95.0, 1),
    AgeLevel.ADULT: Detail((7, 9), 55.0, 2),
}

Ring = Callable[[Canvas, random.Random, "RingSpec"], None]


@dataclass(frozen=True, slots=True)
class RingSpec:
    cx: float
    cy: float
    outer: float  # rim of this ring
    inner: float  # where the next ring, drawn on top, begins
    count: int
    phase: float
    ornaments: int

    def angle(self, k: float) -> float:
        return self.phase + k * 2 * math.pi / self.count


def _petals(c: Canvas, rng: random.Random, s: RingSpec) -> None:
    kind = rng.choice([Petal.POINTED, Petal.ROUND, Petal.DROP])
    base = s.inner * 0.55
    middle = (base + s.outer) / 2
    half = min(
        middle * math.sin(math.pi / s.count) * rng.uniform(1.0, 1.2), (s.outer - base) * 0.42
    )
    if s.ornaments and rng.random() < 0.5:
        # A second row peeking out between the petals, half a step round.
        for k in range(s.count):
            c.shape(shapes.petal(s.cx, s.cy, s.angle(k + 0.5), base, s.outer, half, kind))
        outer = s.inner + (s.outer - s.inner) * 0.78
    else:
        outer = s.outer
    # Even petals first, odd ones over them: the overlaps stay symmetric all the way round.
    for k in [*range(0, s.count, 2), *range(1, s.count, 2)]:
        c.shape(shapes.petal(s.cx, s.cy, s.angle(k), base, outer, half, kind))
        if s.ornaments:
            length = outer - s.inner
            echo = shapes.petal(
                s.cx,
                s.cy,
                s.angle(k),
                s.inner + 0.12 * length,
                outer - 0.14 * length,
                half * 0.45,
                kind,
            )
            c.shape(echo)
            if s.ornaments >= 2:
                c.shape(shapes.scale(echo, *shapes.centroid(echo), 0.5))


def _beads(c: Canvas, rng: random.Random, s: RingSpec) -> None:
    c.shape(shapes.circle(s.cx, s.cy, s.outer))
    middle = (s.outer + s.inner) / 2
    radius = min((s.outer - s.inner) * 0.36, middle * math.pi / s.count * 0.8)
    for k in range(s.count):
        x, y = _polar(s, s.angle(k), middle)
        c.shape(shapes.circle(x, y, radius))
        if s.ornaments:
            c.shape(shapes.circle(x, y, radius * 0.5))
        if s.ornaments >= 2:
            x, y = _polar(s, s.angle(k + 0.5), middle)
            c.shape(shapes.circle(x, y, radius * 0.3))


def _scallops(c: Canvas, rng: random.Random, s: RingSpec) -> None:
    depth = (s.outer - s.inner) * rng.uniform(0.45, 0.6)
    c.shape(shapes.scalloped(s.cx, s.cy, s.outer, s.count, depth, s.phase))
    c.shape(shapes.circle(s.cx, s.cy, s.outer - depth))
    if s.ornaments:
        for k in range(s.count):
            x, y = _polar(s, s.angle(k + 0.5), s.outer - depth * 0.5)
            c.shape(shapes.circle(x, y, depth * 0.22))


def _star(c: Canvas, rng: random.Random, s: RingSpec) -> None:
    valley = s.inner + (s.outer - s.inner) * rng.uniform(0.3, 0.45)
    c.shape(shapes.star(s.cx, s.cy, valley, s.outer, s.count, s.phase))
    c.shape(shapes.circle(s.cx, s.cy, valley))
    if s.ornaments:
        # A smaller star in the same rhythm turns each spike into a nested triangle.
        spike = s.outer - valley
        c.shape(shapes.star(s.cx, s.cy, valley, s.outer - spike * 0.45, s.count, s.phase))
        c.shape(shapes.circle(s.cx, s.cy, valley))


def _leaves(c: Canvas, rng: random.Random, s: RingSpec) -> None:
    base = s.inner * 0.8
    half = min(s.outer * math.sin(math.pi / s.count) * 0.55, (s.outer - base) * 0.3)
    for k in range(s.count):
        a = s.angle(k)
        c.shape(shapes.petal(s.cx, s.cy, a, base, s.outer, half, Petal.POINTED))
        # The vein runs tip to tip, so it splits the leaf into two closed halves.
        vein = shapes.petal(s.cx, s.cy, a, base, s.outer, 0.0, Petal.POINTED)
        c.stroke(vein[: len(vein) // 2])


RINGS: tuple[Ring, ...] = (_petals, _petals, _beads, _scallops, _star, _leaves)


def _polar(s: RingSpec, angle: float, radius: float) -> tuple[float, float]:
    return s.cx + radius * math.cos(angle), s.cy + radius * math.sin(angle)


def draw_mandala(
    c: Canvas, rng: random.Random, cx: float, cy: float, radius: float, level: AgeLevel
) -> None:
    """A whole mandala of `radius` at (cx, cy), as busy as the age level wants."""
    detail = DETAIL[level]
    layers = rng.randint(*detail.layers)
    centre = radius * (0.24 if level is AgeLevel.TODDLER else rng.uniform(0.12, 0.16))
    weights = [rng.uniform(0.8, 1.25) * (1.15 if i == 0 else 1.0) for i in range(layers)]
    step = (radius - centre) / sum(weights)
    radii = [radius]
    for weight in weights:
        radii.append(radii[-1] - weight * step)
    fold = rng.choice((5, 6, 7, 8) if level is AgeLevel.TODDLER else (6, 8, 10, 12))
    previous: Ring | None = None
    for outer, inner in itertools.pairwise(radii):
        # Petal counts are multiples of one fold, so every ring shares the same symmetry.
        times = max(1, min(5, round(2 * math.pi * outer / (fold * detail.arc))))
        if level is AgeLevel.TODDLER:
            # Two big rings: a bold rim, then round beads or petals a small hand can fill.
            choices: tuple[Ring, ...] = (
                (_petals, _scallops, _star) if previous is None else (_beads, _petals)
            )
        else:
            choices = tuple(r for r in RINGS if r is not previous)
        ring = rng.choice(choices)
        phase = -math.pi / 2 + (math.pi / (fold * times) if rng.random() < 0.5 else 0.0)
        spec = RingSpec(cx, cy, outer, inner, fold * times, phase, detail.ornaments)
        ring(c, rng, spec)
        previous = ring
    _centre(c, rng, cx, cy, radii[-1], fold, detail)


def _centre(
    c: Canvas, rng: random.Random, cx: float, cy: float, r: float, fold: int, detail: Detail
) -> None:
    c.shape(shapes.circle(cx, cy, r))
    if detail.ornaments == 0:
        choice = rng.randrange(3)
        if choice == 0:
            c.shape(shapes.circle(cx, cy, r * 0.5))
        elif choice == 1:
            c.shape(shapes.star(cx, cy, r * 0.38, r * 0.8, 5, -math.pi / 2))
        else:
            c.shape(shapes.heart(cx, cy, r * 0.95))
        return
    kind = rng.choice([Petal.ROUND, Petal.POINTED])
    half = r * 0.5 * math.sin(math.pi / fold) * 1.6
    for k in range(fold):
        angle = -math.pi / 2 + k * 2 * math.pi / fold
        c.shape(shapes.petal(cx, cy, angle, r * 0.2, r * 0.88, half, kind))
    c.shape(shapes.circle(cx, cy, r * 0.3))
    if detail.ornaments >= 2:
        c.shape(shapes.circle(cx, cy, r * 0.14))
