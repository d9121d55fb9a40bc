"""Photo -> over-split colour regions: smoothing, exposure, k-means, contrast across borders."""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np
from numpy.typing import NDArray

Labels = NDArray[np.int32]  # one region id per pixel, 0..count-1
Floats = NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Detail:
    """How much of a photo survives as regions to colour (set per age level)."""

    min_area: float  # a region smaller than this share of the picture goes to its neighbours
    min_width: float  # px at working size: narrower parts of regions go to their neighbours
    contrast: float  # regions whose shared border changes colour by less (CIE Lab ΔE) merge
    max_regions: int  # past this many, the weakest borders merge until it fits
    line_filter: int  # median window (odd px): thinner lines (whiskers, wires) are wiped first

    def coarser(self) -> Detail:
        """Fewer, larger regions: what a younger child would get."""
        return replace(self, min_area=self.min_area * 2, max_regions=max(2, self.max_regions // 2))


COLOURS = 16  # colour clusters of the first, deliberately over-split segmentation
BILATERAL_PASSES = 3
BRIGHT_L = 85.0  # the lightness (0-100) of a well-exposed photo's highlights
MAX_GAIN = 2.0  # brighten at most this much: beyond it, noise would become regions
SPAN_PX = 2  # contrast across a border compares colours this far on either side of it


def smooth_lab(rgb: NDArray[np.uint8], line_filter: int) -> Floats:
    """Flatten texture and noise but keep edges (median, then bilateral), as CIE Lab floats."""
    # A line thinner than about half the median window would end up as a sliver region whose
    # two outlines pinch off little islands where it crosses others; wipe it before it counts.
    flat = cv2.medianBlur(rgb, line_filter)
    # Repeated small bilateral passes flatten like one wide pass at a fraction of its cost, and
    # unlike mean shift the time does not grow with how busy the photo is.
    for _ in range(BILATERAL_PASSES):
        flat = cv2.bilateralFilter(flat, 9, 30, 5)
    lab = np.asarray(cv2.cvtColor(flat.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab), np.float32)
    return brighten(lab)


def brighten(lab: Floats) -> Floats:
    """Correct an underexposed photo: scale lightness and colour until its highlights are bright.

    The merge thresholds are colour differences, and a dark photo has small ones everywhere:
    without this it would come out with far fewer regions than a well-lit one of the scene.
    """
    highlights = float(np.percentile(lab[..., 0], 99))
    gain = min(MAX_GAIN, BRIGHT_L / max(highlights, 1.0))
    return lab * np.float32(gain) if gain > 1.0 else lab


def colour_clusters(lab: Floats, k: int = COLOURS) -> Labels:
    """k-means over a sample of pixels (seeded: same photo, same page), every pixel labelled."""
    pixels = lab.reshape(-1, 3)
    rng = np.random.default_rng(0)
    sample = pixels[rng.choice(len(pixels), size=min(len(pixels), 20_000), replace=False)]
    centres = sample[rng.choice(len(sample), size=k, replace=False)]
    for _ in range(12):
        owner = _nearest(sample, centres)
        counts = np.bincount(owner, minlength=k)[:, None]
        sums = np.stack([np.bincount(owner, sample[:, c], k) for c in range(3)], 1)
        centres = np.where(counts > 0, sums / np.maximum(counts, 1), centres).astype(np.float32)
    return np.asarray(_nearest(pixels, centres).reshape(lab.shape[:2]), np.int32)


def _nearest(points: Floats, centres: Floats) -> NDArray[np.intp]:
    # |p - c|^2 = |p|^2 - 2 p.c + |c|^2, and |p|^2 does not change the winner: one matmul.
    distance = (centres * centres).sum(1) - 2 * points @ centres.T
    return np.asarray(np.argmin(distance, axis=1), np.intp)


def connected_regions(colours: Labels) -> Labels:
    """Split each colour into its connected pieces: every piece becomes its own region."""
    labels = np.zeros(colours.shape, np.int32)
    count = 0
    for colour in np.unique(colours).tolist():
        pieces, found = cv2.connectedComponents(
            (colours == colour).astype(np.uint8), connectivity=4
        )
        inside = found > 0
        labels[inside] = found[inside] + count - 1
        count += pieces - 1
    return labels


def border_contrast(lab: Floats) -> tuple[Floats, Floats]:
    """Colour change across each horizontal and vertical pixel pair (CIE Lab ΔE).

    The larger of the change between the pair itself and between pixels SPAN_PX further out:
    the wide look sees a soft (blurred) edge whole, while a smooth gradient, cut into bands by
    the clusters, shows little change over the same short distance. Measured after a 5x5
    median, so a line a pixel or two wide (a whisker, a wire) is no edge of its own.
    """
    d = SPAN_PX
    lab = np.asarray(cv2.medianBlur(lab, 5), np.float32)
    padded = cv2.copyMakeBorder(lab, d, d, d, d, cv2.BORDER_REPLICATE)
    h, w = lab.shape[:2]
    rows, cols = padded[d : d + h], padded[:, d : d + w]
    across = np.maximum(
        np.linalg.norm(rows[:, : w - 1] - rows[:, 2 * d + 1 : 2 * d + w], axis=2),
        np.linalg.norm(lab[:, :-1] - lab[:, 1:], axis=2),
    )
    down = np.maximum(
        np.linalg.norm(cols[: h - 1] - cols[2 * d + 1 : 2 * d + h], axis=2),
        np.linalg.norm(lab[:-1] - lab[1:], axis=2),
    )
    return across.astype(np.float32), down.astype(np.float32)
