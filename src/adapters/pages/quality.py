"""Measure a finished page's art: shares of paper and ink, and its largest solid black blob."""

from __future__ import annotations

import math

import cv2
import numpy as np

from paintcore.domain.pages import AgeLevel
from paintcore.domain.quality import PageQuality

from .lineart import MIN_LINE_PX, Mask

# Ink counts as solid where a disk this wide fits inside it: three of the level's lines, and
# never under 2 mm, so bold cartoon outlines (up to ~1.7 mm from image backends) stay lines.
SOLID_LINES = 3
SOLID_MIN_PX = 24
# The blob search runs at this fraction of 300 dpi: blobs worth flagging are centimetres wide.
SCALE = 0.5


def measure(ink: Mask, level: AgeLevel) -> PageQuality:
    """The quality of an art area given as its 1-bit ink mask (255 = ink) at 300 dpi."""
    black = cv2.countNonZero(ink) / ink.size
    return PageQuality(
        white_share=1.0 - black,
        black_share=black,
        largest_solid_share=largest_solid_share(ink, solid_px(level)),
    )


def solid_px(level: AgeLevel) -> int:
    """The narrowest ink (px at 300 dpi) that counts as a filled area, not a line."""
    return max(SOLID_LINES * MIN_LINE_PX[level], SOLID_MIN_PX)


def largest_solid_share(ink: Mask, width_px: int) -> float:
    """The largest ink region wider than `width_px` everywhere, as a share of the mask's area.

    An opening with a disk of that width: erode (ink far enough from paper survives; lines do
    not), keep the largest surviving core, grow it back within the ink to the blob's real size.
    """
    h, w = ink.shape
    size = (max(1, round(w * SCALE)), max(1, round(h * SCALE)))
    small = np.where(cv2.resize(ink, size, interpolation=cv2.INTER_AREA) >= 128, 255, 0)
    small = small.astype(np.uint8)
    radius = width_px * SCALE / 2
    # Distance to the nearest paper: the picture's edge is not paper, so a blob cut by the
    # edge of the art still counts in full.
    core = np.where(cv2.distanceTransform(small, cv2.DIST_L2, 3) > radius, 255, 0)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        core.astype(np.uint8), connectivity=8
    )
    if count < 2:
        return 0.0
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, bw, bh = (int(v) for v in stats[largest, :4])
    grow = math.ceil(radius)
    x0, y0 = max(0, x - grow), max(0, y - grow)
    x1, y1 = min(size[0], x + bw + grow), min(size[1], y + bh + grow)
    seed = np.where(labels[y0:y1, x0:x1] == largest, 255, 0).astype(np.uint8)
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1))
    blob = cv2.bitwise_and(cv2.dilate(seed, disk), small[y0:y1, x0:x1])
    return float(cv2.countNonZero(blob)) / float(size[0] * size[1])
