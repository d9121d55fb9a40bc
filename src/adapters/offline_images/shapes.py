"""Closed outlines as point arrays: circles, petals, leaves, stars, scallops, hearts."""

from __future__ import annotations

import math
from collections.abc import Callable
from enum import Enum

import numpy as np
from numpy.typing import NDArray

Points = NDArray[np.float64]  # (n, 2) x, y in pixels; always a closed outline


def _samples(length: float) -> int:
    # About one vertex per 3 px of outline: smooth at print size, cheap to draw.
    return max(12, min(720, int(length / 3)))


def circle(cx: float, cy: float, r: float) -> Points:
    angles = np.linspace(0, 2 * math.pi, _samples(2 * math.pi * r), endpoint=False)
    return np.column_stack([cx + r * np.cos(angles), cy + r * np.sin(angles)])


def ellipse(cx: float, cy: float, rx: float, ry: float, angle: float = 0.0) -> Points:
    t = np.linspace(0, 2 * math.pi, _samples(math.pi * (rx + ry)), endpoint=False)
    x, y = rx * np.cos(t), ry * np.sin(t)
    c, s = math.cos(angle), math.sin(angle)
    return np.column_stack([cx + x * c - y * s, cy + x * s + y * c])


class Petal(Enum):
    """Width profiles along a petal's axis, from base (t=0) to tip (t=1), peak 1."""

    POINTED = "pointed"  # almond: pointed at both ends
    ROUND = "round"  # full and blunt: a daisy petal
    DROP = "drop"  # narrow base, round tip: a lotus or tulip petal
    SPIKE = "spike"  # wide base, sharp tip: a ray or thorn


_PROFILES: dict[Petal, Callable[[NDArray[np.float64]], NDArray[np.float64]]] = {
    Petal.POINTED: lambda t: np.sin(math.pi * t),
    Petal.ROUND: lambda t: np.sin(math.pi * t) ** 0.5,
    Petal.DROP: lambda t: np.sin(math.pi * t**1.6) ** 0.55,
    Petal.SPIKE: lambda t: (1 - t) * np.minimum(1.0, 6 * t) ** 0.5,
}


def petal(
    cx: float, cy: float, angle: float, r_in: float, r_out: float, half_width: float, kind: Petal
) -> Points:
    """A petal on the ray at `angle` from (cx, cy), from radius r_in to r_out."""
    n = _samples(2.5 * (r_out - r_in) + 2 * half_width)
    t = np.linspace(0, 1, n)
    w = half_width * _PROFILES[kind](t)
    along = r_in + t * (r_out - r_in)
    # Up one side, back down the other: one closed outline.
    a = np.concatenate([along, along[::-1]])
    b = np.concatenate([w, -w[::-1]])
    c, s = math.cos(angle), math.sin(angle)
    return np.column_stack([cx + a * c - b * s, cy + a * s + b * c])


def star(cx: float, cy: float, r_in: float, r_out: float, points: int, phase: float) -> Points:
    angles = phase + np.arange(2 * points) * math.pi / points
    radii = np.where(np.arange(2 * points) % 2 == 0, r_out, r_in)
    return np.column_stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)])


def scalloped(cx: float, cy: float, r: float, lobes: int, depth: float, phase: float) -> Points:
    """A circle whose rim is `lobes` round bumps `depth` deep (a doily or a flower head)."""
    theta = np.linspace(0, 2 * math.pi, _samples(2 * math.pi * r * 1.3), endpoint=False)
    radius = r - depth + depth * np.abs(np.sin(lobes * (theta - phase) / 2)) ** 0.6
    return np.column_stack([cx + radius * np.cos(theta), cy + radius * np.sin(theta)])


def heart(cx: float, cy: float, size: float, angle: float = 0.0) -> Points:
    """A heart `size` px tall, centred on (cx, cy)."""
    t = np.linspace(0, 2 * math.pi, _samples(3 * size), endpoint=False)
    x = 16 * np.sin(t) ** 3
    y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
    k = size / (y.max() - y.min())
    x, y = x * k, (y - (y.max() + y.min()) / 2) * k
    c, s = math.cos(angle), math.sin(angle)
    return np.column_stack([cx + x * c - y * s, cy + x * s + y * c])


def wave_band(
    x0: float, x1: float, y: float, amplitude: float, waves: float, phase: float, bottom: float
) -> Points:
    """A hill: a wavy top edge from x0 to x1 at height y, closed along `bottom`."""
    x = np.linspace(x0, x1, _samples(x1 - x0))
    top = y + amplitude * np.sin(2 * math.pi * waves * (x - x0) / (x1 - x0) + phase)
    return np.vstack([np.column_stack([x, top]), [[x1, bottom], [x0, bottom]]])


def rounded_rect(x0: float, y0: float, x1: float, y1: float, radius: float) -> Points:
    corners = [
        (x1 - radius, y1 - radius),
        (x0 + radius, y1 - radius),
        (x0 + radius, y0 + radius),
        (x1 - radius, y0 + radius),
    ]
    quarter = np.linspace(0, math.pi / 2, _samples(radius * math.pi / 2))
    arcs = [
        np.column_stack(
            [
                cx + radius * np.cos(quarter + k * math.pi / 2),
                cy + radius * np.sin(quarter + k * math.pi / 2),
            ]
        )
        for k, (cx, cy) in enumerate(corners)
    ]
    return np.vstack(arcs)


def scale(points: Points, cx: float, cy: float, factor: float) -> Points:
    """The outline shrunk (or grown) towards (cx, cy): an inner echo of a shape."""
    centre = np.array([cx, cy], dtype=np.float64)
    scaled: Points = centre + (points - centre) * factor
    return scaled


def centroid(points: Points) -> tuple[float, float]:
    x, y = points.mean(axis=0)
    return float(x), float(y)
