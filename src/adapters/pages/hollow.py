"""Hollowing: the art's large filled areas -> regions outlined in ink, paper inside, when clean."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from paintcore.domain.pages import AgeLevel
from paintcore.domain.quality import PageQuality, QualityRules

from . import quality
from .lineart import MIN_LINE_PX, Mask

# The rules that make hollowing clean (see `hollow`).
MOSTLY_DARK = 0.5  # ink share of the art above which paper is not the background
MAX_EDGE_SHARE = 0.1  # of the art's edge a figure may run along (a background runs along more)
MAX_ENCLOSED = 0.5  # paper a figure may enclose, of its own area (a frame encloses a picture)
MAX_LINE_WORK = 0.01  # white lines a figure may hold, of its own area (inverted art holds more)
NARROW_PX = 36  # paper narrower than this (3 mm, the boldest line) inside a figure is a line


def outline_px(level: AgeLevel) -> int:
    """The outline kept around a hollowed area: a bit bolder than the level's thinnest line, so
    it reads as the figure's edge next to the page's other outlines."""
    return round(1.5 * MIN_LINE_PX[level])


@dataclass(frozen=True, slots=True)
class Hollowed:
    ink: Mask
    quality: PageQuality


def hollow(
    ink: Mask, level: AgeLevel, rules: QualityRules, found: quality.FilledAreas | None = None
) -> Hollowed | None:
    """The art with every filled area over the rules' solid limit turned into an outlined
    region, and its quality; None when that is not clean. `found`: the art's filled areas if
    the caller has them (quality.filled_areas at the level's solid width). Clean means all of:

    - the art is mostly paper (ink <= MOSTLY_DARK): more ink is inverted art or a blacked-out
      background, and outlining it would not make a coloring page;
    - each area is a figure on paper: it runs along at most MAX_EDGE_SHARE of the art's edge
      and encloses paper of at most MAX_ENCLOSED of its own area (eyes, not a picture);
    - it holds no white line work: its enclosed paper narrower than NARROW_PX is at most
      MAX_LINE_WORK of its area (white lines on black would come out as doubled lines);
    - the hollowed art passes `rules` (measured again: shares, and no filled area left).

    Smaller filled areas (eyes, buttons, wheels) stay solid.
    """
    if cv2.countNonZero(ink) > MOSTLY_DARK * ink.size:
        return None
    if found is None:
        found = quality.filled_areas(ink, quality.solid_px(level))
    large = [label for label in range(1, len(found.areas)) if found.share(label) > rules.max_solid]
    if not large or not all(_is_figure(found, label) for label in large):
        return None
    x0, y0, x1, y1 = found.box
    chosen = np.zeros_like(found.ink)
    chosen[y0:y1, x0:x1][np.isin(found.labels, large)] = 255
    hollowed = _clear_inside(ink, chosen, outline_px(level))
    measured = quality.measure(hollowed, level)
    if rules.problems(measured):
        return None
    return Hollowed(hollowed, measured)


def _is_figure(found: quality.FilledAreas, label: int) -> bool:
    x0, y0, x1, y1 = found.box
    area = found.labels == label
    height, width = found.ink.shape
    on_edge = int(area[0].sum()) if y0 == 0 else 0
    on_edge += int(area[-1].sum()) if y1 == height else 0
    on_edge += int(area[:, 0].sum()) if x0 == 0 else 0
    on_edge += int(area[:, -1].sum()) if x1 == width else 0
    if on_edge > MAX_EDGE_SHARE * 2 * (width + height):
        return False
    # What the area encloses: everything in its box that paper outside it cannot reach.
    outside = np.pad(np.where(area, np.uint8(0), np.uint8(255)), 1, constant_values=255)
    _, parts = cv2.connectedComponents(outside, connectivity=4)
    inside = (parts[1:-1, 1:-1] != parts[0, 0]) & ~area
    enclosed = np.where(inside & (found.ink[y0:y1, x0:x1] == 0), np.uint8(255), np.uint8(0))
    size = float(found.areas[label])
    if cv2.countNonZero(enclosed) > MAX_ENCLOSED * size:
        return False
    narrow = round(NARROW_PX * quality.SCALE)
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (narrow, narrow))
    wide = cv2.morphologyEx(enclosed, cv2.MORPH_OPEN, disk)
    return cv2.countNonZero(cv2.subtract(enclosed, wide)) <= MAX_LINE_WORK * size


def _clear_inside(ink: Mask, chosen_small: Mask, outline: int) -> Mask:
    """Paper wherever `chosen_small` (at quality.SCALE) is ink farther than `outline` from paper;
    the edge of the art counts as paper here, so an area it cuts is closed along it."""
    height, width = ink.shape
    points = cv2.findNonZero(chosen_small)
    x, y, bw, bh = (round(v / quality.SCALE) for v in cv2.boundingRect(points))
    margin = outline + 2
    x0, y0 = max(0, x - margin), max(0, y - margin)
    x1, y1 = min(width, x + bw + margin), min(height, y + bh + margin)
    box = ink[y0:y1, x0:x1]
    pads = (int(y0 == 0), int(y1 == height), int(x0 == 0), int(x1 == width))
    padded = cv2.copyMakeBorder(box, *pads, cv2.BORDER_CONSTANT, value=0)
    inner = cv2.distanceTransform(padded, cv2.DIST_L2, 5)
    inner = inner[pads[0] : inner.shape[0] - pads[1], pads[2] : inner.shape[1] - pads[3]]
    chosen = cv2.resize(chosen_small, (width, height), interpolation=cv2.INTER_LINEAR)
    clear = (inner > outline) & (chosen[y0:y1, x0:x1] >= 128)
    hollowed: Mask = ink.copy()
    hollowed[y0:y1, x0:x1][clear] = 0
    return hollowed
