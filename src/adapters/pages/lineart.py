"""Grayscale art -> clean 1-bit line art: threshold, specks, gaps, line weight, tiny holes."""

from __future__ import annotations

import math

import cv2
import numpy as np
from numpy.typing import NDArray

from paintcore.domain.pages import AgeLevel

Mask = NDArray[np.uint8]  # 255 where there is ink, 0 elsewhere


def _u8(array: object) -> NDArray[np.uint8]:
    # OpenCV's stubs return a loose array type; this pins it (no copy for uint8 input).
    return np.asarray(array, dtype=np.uint8)


# Thinnest printed line per age, in pixels at 300 dpi. Small hands with chunky crayons need a
# wall they can see and stay within (12 px = 1 mm, marker-book lines); adults colour with fine
# pens, and 4 px (0.34 mm) is about the thinnest that survives a home inkjet or toner printer.
MIN_LINE_PX: dict[AgeLevel, int] = {
    AgeLevel.TODDLER: 12,
    AgeLevel.KIDS: 8,
    AgeLevel.CHILDREN: 6,
    AgeLevel.ADULT: 4,
}

# Ink blobs below ~0.85 mm square are dust or compression noise, not drawing (a cartoon pupil
# printed at A4 is several times larger).
SPECK_AREA_PX = 100

# Otsu finds the valley between paper and ink, but on an almost empty or heavily shaded page it
# can land anywhere; clamping keeps light-gray shading white and dark-gray lines black.
THRESHOLD_RANGE = (80, 170)


def ink_threshold(gray: NDArray[np.uint8]) -> int:
    """The gray level below which a pixel counts as ink (Otsu, clamped to a sane range)."""
    otsu, _ = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    low, high = THRESHOLD_RANGE
    return int(min(max(otsu, low), high))


def resize_gray(gray: NDArray[np.uint8], width: int, height: int) -> NDArray[np.uint8]:
    """Scale to the print size; smooth upscaling so thresholded edges come out round, not stepped."""
    scale = min(width / gray.shape[1], height / gray.shape[0])
    if scale >= 1:
        interpolation = cv2.INTER_CUBIC
    else:
        # Averaging a 1-px line into larger pixels turns it light gray and the threshold would
        # drop it; widening the ink first keeps every line through the shrink.
        k = math.ceil(1 / scale)
        if k > 1:
            gray = _u8(cv2.erode(gray, np.ones((k, k), np.uint8)))
        interpolation = cv2.INTER_AREA
    return _u8(cv2.resize(gray, (width, height), interpolation=interpolation))


def ink_mask(gray: NDArray[np.uint8], threshold: int) -> Mask:
    """Pure two-level ink mask: no gray survives, so the page prints crisp."""
    mask: Mask = np.where(gray < threshold, np.uint8(255), np.uint8(0))
    return mask


def remove_small_components(mask: Mask, min_area: int, connectivity: int = 8) -> Mask:
    """Drop connected regions of `mask` smaller than `min_area` pixels."""
    if cv2.countNonZero(mask) * 4 < mask.size:
        # Sparse (ink): labelling plus a bincount over the set pixels is about twice as fast
        # as connectedComponentsWithStats.
        count, labels = cv2.connectedComponents(mask, connectivity=connectivity)
        inside = mask > 0
        owners = labels[inside]
        small = np.bincount(owners, minlength=count) < min_area
        small[0] = False
        if not small.any():
            return mask
        cleaned: Mask = mask.copy()
        cleaned[inside] = np.where(small[owners], np.uint8(0), np.uint8(255))
        return cleaned
    # Dense (paper): take the areas from the stats and clear the few small regions in place,
    # each within its own bounding box, instead of relabelling the whole page.
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=connectivity)
    small_ids = np.flatnonzero(stats[1:, cv2.CC_STAT_AREA] < min_area) + 1
    if small_ids.size == 0:
        return mask
    cleaned = mask.copy()
    for label in small_ids.tolist():
        x, y, w, h = stats[label, :4].tolist()
        box = cleaned[y : y + h, x : x + w]
        box[labels[y : y + h, x : x + w] == label] = 0
    return cleaned


def fill_small_holes(ink: Mask, max_area: int) -> Mask:
    """Ink over enclosed paper regions too small to colour (4-connected, the dual of 8-ink)."""
    kept = remove_small_components(_u8(cv2.bitwise_not(ink)), max_area, connectivity=4)
    return _u8(cv2.bitwise_not(kept))


def close_gaps(ink: Mask, gap_px: int) -> Mask:
    """Bridge breaks in lines up to about `gap_px` wide, so regions stay closed for colouring."""
    if gap_px < 2:
        return ink
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (gap_px, gap_px))
    return _u8(cv2.morphologyEx(ink, cv2.MORPH_CLOSE, kernel))


def enforce_line_weight(ink: Mask, min_width: int) -> Mask:
    """Widen every stroke thinner than `min_width` to about that width, around its own centre.

    Wide-enough strokes are left alone and a stroke is never doubled: a paper pixel joins a
    nearby stroke when it lies within (min_width - that stroke's width) / 2 of it.
    """
    if min_width < 2 or not ink.any():
        return ink
    # Distances in quarter pixels, saturated to uint8: OpenCV's uint8 ops are several times
    # faster than float passes, and a quarter pixel is finer than the print shows.
    q = 4
    window = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (min_width + 1, min_width + 1))
    inner = _u8(cv2.convertScaleAbs(cv2.distanceTransform(ink, cv2.DIST_L2, 5), alpha=q))
    # Half-width of the stroke at each ink pixel is the ridge of the inner distances nearby; a
    # 1-px line has ridge 1 and half-width 0.5, hence the q / 2.
    ridge = _u8(cv2.dilate(inner, window))
    target = np.full_like(ridge, min(255, min_width * q // 2 + q // 2))
    reach = _u8(cv2.subtract(target, ridge))  # saturating: strokes wide enough get 0
    # How far the strokes around each paper pixel still have to grow to be wide enough.
    reach_near = _u8(cv2.dilate(cv2.bitwise_and(reach, ink), window))
    outer = _u8(
        cv2.convertScaleAbs(cv2.distanceTransform(cv2.bitwise_not(ink), cv2.DIST_L2, 5), alpha=q)
    )
    # Ink pixels have outer 0 and always pass, so the comparison is the whole new mask.
    slack = np.full_like(outer, q // 2)
    return _u8(cv2.compare(cv2.subtract(outer, slack), reach_near, cv2.CMP_LE))


def smooth_outlines(ink: Mask, min_width: int) -> Mask:
    """Round off jaggies and compression bumps: blur and re-threshold (keeps stroke widths)."""
    sigma = min_width / 6
    if sigma < 0.5:
        return ink
    blurred = cv2.GaussianBlur(ink, (0, 0), sigma)
    smooth: Mask = np.where(blurred >= 128, np.uint8(255), np.uint8(0))
    return smooth


def to_line_art(gray: NDArray[np.uint8], *, width: int, height: int, level: AgeLevel) -> Mask:
    """The whole pipeline: gray art at any size -> ink mask of `width` x `height` at 300 dpi."""
    threshold = ink_threshold(gray)
    ink = ink_mask(resize_gray(gray, width, height), threshold)
    ink = remove_small_components(ink, SPECK_AREA_PX)
    line = MIN_LINE_PX[level]
    ink = close_gaps(ink, max(3, line // 2))
    ink = smooth_outlines(enforce_line_weight(ink, line), line)
    # Paper islands narrower than about 1.5 lines cannot take a crayon tip; ink them over.
    return fill_small_holes(ink, max_area=(3 * line // 2) ** 2)
