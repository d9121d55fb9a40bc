"""The garden sheet for the non-mandala styles: sun, clouds, hills, flowers and butterflies."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from paintcore.domain.pages import AgeLevel, Style

from . import motifs, shapes
from .canvas import Canvas
from .layout import HEIGHT, WIDTH, clip_outside, frame, frame_inset, new_canvas
from .shapes import Petal


@dataclass(frozen=True, slots=True)
class Busy:
    """How much goes into one garden for an age level."""

    hills: int
    flowers: int
    clouds: int
    butterflies: int
    petals: tuple[int, int]
    head: float  # flower head radius, px
    meadow: int  # small flower heads strewn over the hills
    ornate: bool  # echoes, rings and spots inside the shapes


BUSY: dict[AgeLevel, Busy] = {
    AgeLevel.TODDLER: Busy(1, 2, 1, 0, (5, 6), 150.0, 0, False),
    AgeLevel.KIDS: Busy(2, 3, 2, 1, (6, 8), 115.0, 0, False),
    AgeLevel.CHILDREN: Busy(2, 4, 2, 2, (8, 10), 95.0, 6, True),
    AgeLevel.ADULT: Busy(3, 6, 3, 3, (10, 14), 80.0, 16, True),
}


def garden_page(rng: random.Random, level: AgeLevel, style: Style) -> Canvas:
    """A framed garden; kawaii gives everything a face, realistic adds petals and grass."""
    busy = BUSY[level]
    c = new_canvas(level)
    kawaii = style is Style.KAWAII
    realistic = style is Style.REALISTIC
    ornate = busy.ornate or (realistic and level is not AgeLevel.TODDLER)

    horizon = HEIGHT * rng.uniform(0.56, 0.6)
    bands = {AgeLevel.TODDLER: 3, AgeLevel.KIDS: 4, AgeLevel.CHILDREN: 5, AgeLevel.ADULT: 7}[level]
    band = 150.0 / bands + 12
    motifs.rainbow(
        c,
        WIDTH * rng.uniform(0.42, 0.58),
        horizon + 60 + busy.hills * 0.0,
        WIDTH * rng.uniform(0.4, 0.44),
        bands,
        band,
    )

    sun_left = rng.random() < 0.5
    sun_r = 118.0 if level is AgeLevel.TODDLER else 92.0
    sun_x = WIDTH * (0.25 if sun_left else 0.75)
    sun_y = 90 + sun_r
    motifs.sun(
        c,
        rng,
        sun_x,
        sun_y,
        sun_r,
        rays=8 if level is AgeLevel.TODDLER else 12,
        kawaii=kawaii or style is Style.CARTOON,
        ornate=ornate,
    )
    _clouds(c, rng, busy, sun_left=sun_left, kawaii=kawaii)

    for i in range(busy.hills):
        top = horizon + i * HEIGHT * 0.09 + (busy.hills == 1) * HEIGHT * 0.04
        c.shape(
            shapes.wave_band(
                -20,
                WIDTH + 20,
                top,
                rng.uniform(25, 55),
                rng.uniform(0.6, 1.4),
                rng.uniform(0, 2 * math.pi),
                HEIGHT + 20,
            )
        )

    _meadow(c, rng, busy.meadow, top=horizon + 70)

    petals = rng.randint(*busy.petals) + (4 if realistic and level is not AgeLevel.TODDLER else 0)
    slots = busy.flowers
    order = list(range(slots))
    rng.shuffle(order)
    for i in order:  # shuffled so heads overlap in a varied, not left-to-right, order
        x = WIDTH * (i + 0.5) / slots + rng.uniform(-0.2, 0.2) * WIDTH / slots
        base = HEIGHT * rng.uniform(0.9, 0.95)
        height = HEIGHT * rng.uniform(0.16, 0.26) + busy.head
        motifs.flower(
            c,
            rng,
            x,
            base,
            height,
            busy.head * rng.uniform(0.85, 1.1),
            stem=max(5.0, busy.head * 0.06),
            petals=petals,
            kawaii=kawaii,
            ornate=ornate,
        )

    for k in range(busy.butterflies):
        x = WIDTH * (k + 0.5) / busy.butterflies + rng.uniform(-60, 60)
        y = HEIGHT * rng.uniform(0.3, 0.4)
        motifs.butterfly(c, rng, x, y, rng.uniform(70, 90), ornate=ornate)

    if level is not AgeLevel.TODDLER and (realistic or level is AgeLevel.ADULT):
        _grass(c, rng)
    clip_outside(c, frame_inset(level))
    frame(c, level)
    return c


def _clouds(c: Canvas, rng: random.Random, busy: Busy, *, sun_left: bool, kawaii: bool) -> None:
    # Clouds keep to the side away from the sun, stacked down the sky so they do not pile up.
    for k in range(busy.clouds):
        width = rng.uniform(230, 300) if busy.clouds > 1 else 330.0
        side = 0.72 if sun_left else 0.28
        x = WIDTH * (
            side + rng.uniform(-0.06, 0.06) + (0.0 if k % 2 == 0 else (-0.4 if sun_left else 0.4))
        )
        y = 170 + k * 150 + rng.uniform(-20, 20) + (k % 2) * 120
        motifs.cloud(c, rng, x, y, width, kawaii=kawaii)


def _meadow(c: Canvas, rng: random.Random, count: int, *, top: float) -> None:
    placed: list[tuple[float, float]] = []
    for _ in range(count * 20):  # rejection sampling: keep the little flowers apart
        if len(placed) == count:
            break
        x, y = rng.uniform(60, WIDTH - 60), rng.uniform(top, HEIGHT - 90)
        if all(math.hypot(x - px, y - py) > 90 for px, py in placed):
            placed.append((x, y))
    for x, y in placed:
        r = rng.uniform(22, 32)
        phase = rng.uniform(0, math.pi)
        for k in range(5):
            a = phase + k * 2 * math.pi / 5
            c.shape(shapes.petal(x, y, a, r * 0.25, r, r * 0.42, Petal.ROUND))
        c.shape(shapes.circle(x, y, r * 0.3))


def _grass(c: Canvas, rng: random.Random) -> None:
    x = 10.0
    while x < WIDTH:
        height = rng.uniform(40, 85)
        lean = -math.pi / 2 + rng.uniform(-0.35, 0.35)
        c.shape(shapes.petal(x, HEIGHT - 20, lean, 0, height, 9, Petal.SPIKE))
        x += rng.uniform(14, 24)
