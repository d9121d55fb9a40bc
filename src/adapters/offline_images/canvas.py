"""A white page that takes closed outlines painter-style: later shapes cover earlier ones."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from numpy.typing import NDArray

from .shapes import Points

# Sub-pixel vertex precision for OpenCV (coordinates in 1/16 px): smooth anti-aliased curves.
SHIFT = 4
_ONE = 1 << SHIFT
BLACK, WHITE = 0, 255


def _fixed(points: Points) -> NDArray[np.int32]:
    return np.round(points * _ONE).astype(np.int32).reshape(-1, 1, 2)


class Canvas:
    """Black anti-aliased lines of one weight on white; every filled shape hides what is under it."""

    def __init__(self, width: int, height: int, line: int) -> None:
        self.width = width
        self.height = height
        self.line = line
        self.pixels: NDArray[np.uint8] = np.full((height, width), WHITE, dtype=np.uint8)

    def shape(self, outline: Points, *, line: int | None = None) -> None:
        """A white-filled closed shape with a black outline, on top of everything so far."""
        pts = [_fixed(outline)]
        cv2.fillPoly(self.pixels, pts, WHITE, cv2.LINE_AA, SHIFT)
        cv2.polylines(self.pixels, pts, True, BLACK, line or self.line, cv2.LINE_AA, SHIFT)

    def shapes(self, outlines: Sequence[Points], *, line: int | None = None) -> None:
        for outline in outlines:
            self.shape(outline, line=line)

    def union(self, outlines: Sequence[Points]) -> None:
        """Overlapping shapes as one silhouette (a cloud of circles): only the outer rim is inked."""
        pts = [_fixed(outline) for outline in outlines]
        for p in pts:
            cv2.fillPoly(self.pixels, [p], BLACK, cv2.LINE_AA, SHIFT)
            # Twice the weight: the inner half is whitened below, the outer half is the rim.
            cv2.polylines(self.pixels, [p], True, BLACK, 2 * self.line + 2, cv2.LINE_AA, SHIFT)
        # Whitening every interior afterwards erases the rims that fall inside a neighbour.
        for p in pts:
            cv2.fillPoly(self.pixels, [p], WHITE, cv2.LINE_AA, SHIFT)

    def stroke(self, path: Points, *, closed: bool = False, line: int | None = None) -> None:
        """A bare line (a vein, a smile); it divides regions only where it meets other lines."""
        cv2.polylines(
            self.pixels, [_fixed(path)], closed, BLACK, line or self.line, cv2.LINE_AA, SHIFT
        )

    def dot(self, x: float, y: float, r: float) -> None:
        """A small solid black dot (an eye, a seed)."""
        centre = (round(x * _ONE), round(y * _ONE))
        cv2.circle(self.pixels, centre, round(r * _ONE), BLACK, -1, cv2.LINE_AA, SHIFT)

    def keep_inside(self, outline: Points) -> None:
        """Whiten everything outside the outline (motifs centred on a frame end at the frame)."""
        keep = np.zeros_like(self.pixels)
        cv2.fillPoly(keep, [_fixed(outline)], 255, cv2.LINE_8, SHIFT)
        self.pixels[keep == 0] = WHITE

    def png(self) -> bytes:
        ok, encoded = cv2.imencode(".png", self.pixels)
        if not ok:
            raise RuntimeError("OpenCV could not encode the page as PNG")
        return bytes(encoded.tobytes())
