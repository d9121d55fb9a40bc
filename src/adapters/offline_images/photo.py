"""OfflinePhotoTracer: the PhotoTracer port with no network, photo -> closed region outlines."""

from __future__ import annotations

import io
import threading

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from paintcore.domain.errors import GenerationFailed
from paintcore.domain.pages import AgeLevel, ArtKind, PageOptions, RenderedImage

from .merging import simplify
from .photofile import load_photo
from .regions import (
    Detail,
    Labels,
    border_contrast,
    colour_clusters,
    connected_regions,
    smooth_lab,
)

WORK_LONG_SIDE = 768  # segmentation runs at this size: detail enough for a page, and fast
# A photo takes up to ~150 MB while it is decoded and traced, and the workers run 8 pages at
# once: four big photos together took 3 GB. Callers beyond these wait for a turn.
PHOTOS_AT_ONCE = 2
OUTPUT_LONG_SIDE = 1536
# Ink share of the traced art above which borders are merged further: the page finisher's
# quality rules allow 25 % black, and its line widening and gap closing add a little.
MAX_INK_SHARE = 0.18
MAX_COARSENING = 6

# Widths are in working pixels (768 on the long side): about two of the level's lines.
DETAIL: dict[AgeLevel, Detail] = {
    AgeLevel.TODDLER: Detail(
        min_area=0.005, min_width=10.0, contrast=20.0, max_regions=16, line_filter=7
    ),
    AgeLevel.KIDS: Detail(
        min_area=0.0015, min_width=7.0, contrast=13.0, max_regions=50, line_filter=5
    ),
    AgeLevel.CHILDREN: Detail(
        min_area=0.0006, min_width=5.0, contrast=10.0, max_regions=120, line_filter=5
    ),
    AgeLevel.ADULT: Detail(
        min_area=0.00025, min_width=4.0, contrast=8.0, max_regions=250, line_filter=3
    ),
}

# Outline width in output pixels; the finisher maps 1536 px onto 19-28 cm of paper, so these
# print a little above its per-age minimum and it never has to widen them.
LINE_PX: dict[AgeLevel, int] = {
    AgeLevel.TODDLER: 10,
    AgeLevel.KIDS: 7,
    AgeLevel.CHILDREN: 5,
    AgeLevel.ADULT: 4,
}


class OfflinePhotoTracer:
    """Turns a photo into a colouring page of flat regions with closed black outlines.

    At 768 px: median and bilateral filters flatten texture and noise, k-means over-splits the
    picture into colour regions, borders without a visible edge are merged away, then parts
    too thin or small to colour (how small depends on the age level) go to their neighbours.
    The borders of what is left are drawn as outlines in a frame, so every region is closed.
    The prompt is ignored (it steers the OpenAI tracer). Output: a grayscale PNG, 1536 px on
    the long side, the photo's aspect ratio. At most `at_once` photos are traced at a time.
    """

    def __init__(self, *, at_once: int = PHOTOS_AT_ONCE) -> None:
        self._turns = threading.BoundedSemaphore(at_once)

    @property
    def name(self) -> str:
        """A short name of the backend, for logs and /check."""
        return "offline-photo"

    def trace(self, *, photo: bytes, prompt: str, options: PageOptions) -> RenderedImage:
        """Turn a photo (JPEG/PNG bytes) into line art; GenerationFailed if the photo is unusable."""
        with self._turns:
            return self._trace(photo, options)

    def _trace(self, photo: bytes, options: PageOptions) -> RenderedImage:
        rgb = load_photo(photo, WORK_LONG_SIDE)
        detail, line_px = DETAIL[options.level], LINE_PX[options.level]
        try:
            lab = smooth_lab(rgb, detail.line_filter)
            across, down = border_contrast(lab)
            graph = simplify(connected_regions(colour_clusters(lab)), across, down, detail)
            if graph.count() < 2:
                raise GenerationFailed("the photo shows nothing to trace (one flat colour)")
            art = outlines(graph.labels(), line_px)
            # A busy photo (a crowd, foliage) can leave more lines than a page takes: simplify
            # as for a younger child until the ink fits.
            for _ in range(MAX_COARSENING):
                if ink_share(art) <= MAX_INK_SHARE:
                    break
                detail = detail.coarser()
                graph = simplify(graph.labels(), across, down, detail)
                art = outlines(graph.labels(), line_px)
        except (cv2.error, MemoryError, ValueError) as exc:
            raise GenerationFailed(f"the photo could not be traced: {exc}") from exc
        buffer = io.BytesIO()
        Image.fromarray(art).save(buffer, format="PNG", compress_level=3)
        return RenderedImage(data=buffer.getvalue(), source=self.name, kind=ArtKind.PHOTO)


def outlines(labels: Labels, line_px: int) -> NDArray[np.uint8]:
    """Black region borders and a frame on white, OUTPUT_LONG_SIDE px long, anti-aliased."""
    h, w = labels.shape
    # A pixel is on a border when its right or lower neighbour is another region: every pair
    # of touching regions gets a line, so each region is enclosed.
    edge = np.zeros((h, w), np.uint8)
    edge[:, :-1] |= labels[:, :-1] != labels[:, 1:]
    edge[:-1] |= labels[:-1] != labels[1:]
    edge[[0, -1]] = 1
    edge[:, [0, -1]] = 1
    scale = OUTPUT_LONG_SIDE / max(h, w)
    size = (round(w * scale), round(h * scale))
    # Upscale the 1-px borders with a blur so diagonal steps come out as smooth curves.
    soft = cv2.GaussianBlur(
        cv2.resize(edge.astype(np.float32), size, interpolation=cv2.INTER_LINEAR), (0, 0), scale / 2
    )
    centre = np.where(soft > 0.2, 255, 0).astype(np.uint8)
    pen = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (line_px, line_px))
    ink = cv2.GaussianBlur(cv2.dilate(centre, pen), (0, 0), 0.8)
    return np.asarray(255 - ink, dtype=np.uint8)


def ink_share(art: NDArray[np.uint8]) -> float:
    """The share of the traced art that prints black."""
    return float(np.count_nonzero(art < 128)) / art.size
