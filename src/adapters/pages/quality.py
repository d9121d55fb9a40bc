"""Measure a finished page's art: shares of paper and ink, and its largest filled black area."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from paintcore.domain.pages import AgeLevel
from paintcore.domain.quality import PageQuality

from .lineart import MIN_LINE_PX, Mask

# Ink is a filled area, not a line, where a disk fits in it that no line could hold. Bold
# "bold and easy" outlines run up to ~3 mm (35 px); where two cross, the widest disk inside is
# √2 as wide (4.2 mm), and thresholding anti-aliased edges adds a pixel or two: so 5 mm, or
# three of the level's lines if that is wider.
SOLID_LINES = 3
SOLID_MIN_PX = 60
# The search runs at this fraction of 300 dpi: areas worth flagging are centimetres wide.
SCALE = 0.5


def _u8(array: object) -> Mask:
    # OpenCV's stubs return a loose array type (and thresholds of float images stay float).
    return np.asarray(array, dtype=np.uint8)


@dataclass(frozen=True, slots=True)
class FilledAreas:
    """The filled areas of an ink mask, found at SCALE: where a disk of the solid width fits,
    grown back to the area's own edges (a morphological opening), labelled 1..count within
    `box` (x0, y0, x1, y1 of the small mask), the only place they can be."""

    ink: Mask  # the ink at SCALE
    box: tuple[int, int, int, int]
    labels: NDArray[np.int32]  # the area each pixel of the box belongs to, 0 for none
    areas: NDArray[np.int32]  # pixels of each label at SCALE; areas[0] is unused

    def share(self, label: int) -> float:
        """The area's share of the whole mask."""
        return float(self.areas[label]) / float(self.ink.size)

    def largest_share(self) -> float:
        return max((self.share(label) for label in range(1, len(self.areas))), default=0.0)


def measure(ink: Mask, level: AgeLevel) -> PageQuality:
    """The quality of an art area given as its 1-bit ink mask (255 = ink) at 300 dpi."""
    return quality_of(ink, filled_areas(ink, solid_px(level)))


def quality_of(ink: Mask, found: FilledAreas) -> PageQuality:
    """The quality of an art area whose filled areas are already found."""
    black = cv2.countNonZero(ink) / ink.size
    return PageQuality(
        white_share=1.0 - black, black_share=black, largest_solid_share=found.largest_share()
    )


def solid_px(level: AgeLevel) -> int:
    """The narrowest ink (px at 300 dpi) that counts as a filled area, not a line."""
    return max(SOLID_LINES * MIN_LINE_PX[level], SOLID_MIN_PX)


def shrink(ink: Mask) -> Mask:
    """The mask at SCALE, still two-level."""
    h, w = ink.shape
    size = (max(1, round(w * SCALE)), max(1, round(h * SCALE)))
    small = cv2.resize(ink, size, interpolation=cv2.INTER_AREA)
    return _u8(cv2.threshold(small, 127, 255, cv2.THRESH_BINARY)[1])


def filled_areas(ink: Mask, width_px: int) -> FilledAreas:
    """An opening with a disk `width_px` wide: erode (ink far enough from paper survives; lines
    do not), then grow what survived back by the disk, which stays within the ink."""
    small = shrink(ink)
    radius = width_px * SCALE / 2
    # Distance to the nearest paper: the picture's edge is not paper, so an area cut by the
    # edge of the art still counts in full.
    inner = cv2.distanceTransform(small, cv2.DIST_L2, 3)
    core = _u8(cv2.threshold(inner, radius, 255, cv2.THRESH_BINARY)[1])
    points = cv2.findNonZero(core)
    if points is None:
        return FilledAreas(small, (0, 0, 0, 0), np.zeros((0, 0), np.int32), np.zeros(1, np.int32))
    # Grow within the cores' bounding box only: on a page of lines it is a few small spots.
    x, y, bw, bh = cv2.boundingRect(points)
    grow = int(np.ceil(radius)) + 1
    x0, y0 = max(0, x - grow), max(0, y - grow)
    x1, y1 = min(small.shape[1], x + bw + grow), min(small.shape[0], y + bh + grow)
    near = cv2.distanceTransform(_u8(cv2.bitwise_not(core[y0:y1, x0:x1])), cv2.DIST_L2, 3)
    grown = _u8(cv2.threshold(near, radius, 255, cv2.THRESH_BINARY_INV)[1])
    opened = cv2.bitwise_and(grown, small[y0:y1, x0:x1])
    _, labels, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
    areas = np.asarray(stats[:, cv2.CC_STAT_AREA], dtype=np.int32)
    return FilledAreas(small, (x0, y0, x1, y1), np.asarray(labels, dtype=np.int32), areas)
