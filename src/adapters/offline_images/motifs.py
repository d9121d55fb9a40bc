"""Garden motifs as closed shapes: flowers on stems, sun, clouds, butterflies, kawaii faces."""

from __future__ import annotations

import math
import random

import numpy as np

from . import shapes
from .canvas import Canvas
from .shapes import Petal


def face(c: Canvas, x: float, y: float, r: float) -> None:
    """Two dot eyes, a smile and round cheeks to colour pink: the kawaii touch."""
    for side in (-1, 1):
        c.dot(x + side * 0.32 * r, y - 0.12 * r, max(2.5, 0.09 * r))
        c.shape(shapes.ellipse(x + side * 0.55 * r, y + 0.18 * r, 0.14 * r, 0.09 * r))
    t = np.linspace(math.radians(25), math.radians(155), 24)
    smile = np.column_stack([x + 0.25 * r * np.cos(t), y + 0.02 * r + 0.2 * r * np.sin(t)])
    c.stroke(smile)


def sun(
    c: Canvas,
    rng: random.Random,
    x: float,
    y: float,
    r: float,
    *,
    rays: int,
    kawaii: bool,
    ornate: bool,
) -> None:
    phase = rng.uniform(0, math.pi)
    if ornate:
        c.shape(shapes.star(x, y, r * 1.1, r * 1.75, rays, phase + math.pi / rays))
    for k in range(rays):
        c.shape(
            shapes.petal(
                x, y, phase + 2 * math.pi * k / rays, r * 0.8, r * 1.55, r * 0.22, Petal.DROP
            )
        )
    c.shape(shapes.circle(x, y, r))
    if ornate and not kawaii:
        c.shape(shapes.circle(x, y, r * 0.7))
    if kawaii:
        face(c, x, y, r)


def rainbow(c: Canvas, x: float, y: float, outer: float, bands: int, width: float) -> None:
    """Nested discs whose lower halves the hills will cover: arcs of bands to colour."""
    for i in range(bands + 1):
        c.shape(shapes.circle(x, y, outer - i * width))


def cloud(c: Canvas, rng: random.Random, x: float, y: float, width: float, *, kawaii: bool) -> None:
    """Puffs in a row, bigger in the middle, merged into one outline."""
    puffs = rng.randint(3, 5)
    radii = [
        width / puffs * (0.62 + 0.35 * math.sin(math.pi * (i + 0.5) / puffs)) for i in range(puffs)
    ]
    step = width / puffs
    circles = [
        shapes.circle(x - width / 2 + step * (i + 0.5), y - radii[i] * 0.35, radii[i])
        for i in range(puffs)
    ]
    circles.append(shapes.ellipse(x, y + width * 0.02, width * 0.48, width * 0.14))
    c.union(circles)
    if kawaii:
        face(c, x, y - width * 0.05, width * 0.22)


def flower(
    c: Canvas,
    rng: random.Random,
    base_x: float,
    base_y: float,
    height: float,
    head: float,
    *,
    stem: float,
    petals: int,
    kawaii: bool,
    ornate: bool,
) -> None:
    """A flower standing on (base_x, base_y): curved stem, two leaves, a daisy or tulip head."""
    sway = rng.uniform(-0.12, 0.12) * height
    t = np.linspace(0, 1, 40)
    spine = np.column_stack([base_x + sway * np.sin(t * math.pi / 2), base_y - t * height])
    offset = np.array([stem, 0.0])
    c.shape(np.vstack([spine - offset, (spine + offset)[::-1]]))
    for side, at in ((-1, rng.uniform(0.15, 0.3)), (1, rng.uniform(0.3, 0.45))):
        px, py = spine[int(at * (len(spine) - 1))]
        angle = -math.pi / 2 + side * rng.uniform(0.55, 0.85)
        length = min(height * 0.3, head * 1.3) * rng.uniform(0.85, 1.1)
        c.shape(shapes.petal(px, py, angle, 0, length, length * 0.22, Petal.POINTED))
        if ornate:
            vein = shapes.petal(px, py, angle, 0, length, 0, Petal.POINTED)
            c.stroke(vein[: len(vein) // 2])
    hx, hy = spine[-1]
    if rng.random() < 0.3:
        _tulip(c, hx, hy, head, ornate=ornate)
    else:
        _daisy(c, rng, hx, hy, head, petals, kawaii=kawaii, ornate=ornate)


def _daisy(
    c: Canvas,
    rng: random.Random,
    x: float,
    y: float,
    head: float,
    petals: int,
    *,
    kawaii: bool,
    ornate: bool,
) -> None:
    kind = rng.choice([Petal.ROUND, Petal.DROP])
    phase = rng.uniform(0, math.pi)
    centre = head * 0.34
    base = centre * 0.7
    half = (base + head) / 2 * math.sin(math.pi / petals) * 0.95
    if ornate:
        # A second ring behind, half a step round: a fuller flower with more to colour.
        for k in range(petals):
            a = phase + (k + 0.5) * 2 * math.pi / petals
            c.shape(shapes.petal(x, y, a, base, head * 1.08, half * 0.8, Petal.POINTED))
    for k in range(petals):
        a = phase + k * 2 * math.pi / petals
        c.shape(shapes.petal(x, y, a, base, head, half, kind))
        if ornate:
            c.shape(shapes.petal(x, y, a, centre * 1.25, head * 0.85, half * 0.4, kind))
    c.shape(shapes.circle(x, y, centre))
    if kawaii:
        face(c, x, y, centre)
    elif ornate:
        c.shape(shapes.circle(x, y, centre * 0.5))
        for k in range(8):
            a = 2 * math.pi * k / 8
            c.shape(
                shapes.circle(
                    x + centre * 0.76 * math.cos(a), y + centre * 0.76 * math.sin(a), centre * 0.13
                )
            )


def _tulip(c: Canvas, x: float, y: float, head: float, *, ornate: bool) -> None:
    # Outer petals first, the middle one over them: a closed cup.
    y += head * 0.45
    for spread in (-0.42, 0.42, 0.0):
        c.shape(shapes.petal(x, y, -math.pi / 2 + spread, 0, head * 1.25, head * 0.42, Petal.DROP))
        if ornate and spread == 0.0:
            c.shape(
                shapes.petal(x, y, -math.pi / 2, head * 0.3, head * 1.05, head * 0.18, Petal.DROP)
            )


def butterfly(
    c: Canvas, rng: random.Random, x: float, y: float, size: float, *, ornate: bool
) -> None:
    tilt = rng.uniform(-0.35, 0.35)
    up, down = -math.pi / 2 + tilt, math.pi / 2 + tilt
    for side in (-1, 1):
        upper = up + side * 0.95
        lower = down - side * 0.75
        wing = shapes.petal(x, y, upper, 0, size, size * 0.45, Petal.DROP)
        low = shapes.petal(x, y, lower, 0, size * 0.72, size * 0.3, Petal.DROP)
        c.shape(low)
        c.shape(wing)
        if ornate:
            for w, reach in ((wing, 0.62), (low, 0.55)):
                cx, cy = shapes.centroid(w)
                c.shape(
                    shapes.circle(
                        x + (cx - x) * reach * 1.5, y + (cy - y) * reach * 1.5, size * 0.1
                    )
                )
    c.shape(shapes.ellipse(x, y, size * 0.08, size * 0.5, tilt))
    for side in (-1, 1):
        a = up + side * 0.35
        end = (x + math.cos(a) * size * 0.8, y + math.sin(a) * size * 0.8)
        c.stroke(np.array([[x + math.cos(up) * size * 0.45, y + math.sin(up) * size * 0.45], end]))
        c.dot(end[0], end[1], max(3.0, size * 0.05))
