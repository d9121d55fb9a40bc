"""Region merging: faint borders away, then thin parts and specks handed to their neighbours."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from .graph import RegionGraph
from .regions import Detail, Floats, Labels

MAX_ROUNDS = 200


def simplify(labels: Labels, across: Floats, down: Floats, detail: Detail) -> RegionGraph:
    """Merge until regions are separated by a visible edge and big and wide enough to colour.

    `across` and `down` are the colour changes between neighbouring pixels (border_contrast).
    """
    # Faint borders first: a flat area the clusters cut into fragments must be whole again
    # before its size is judged, or every fragment would look like a speck.
    graph = RegionGraph(labels, across, down)
    merge_faint(graph, detail.contrast, max_regions=None)
    labels = graph.current()
    labels = reassign(labels, thin_parts(labels, detail.min_width))
    area = np.bincount(labels.ravel())
    labels = reassign(labels, (area < detail.min_area * labels.size)[labels])
    graph = RegionGraph(labels, across, down)
    merge_faint(graph, detail.contrast, max_regions=detail.max_regions)
    return graph


def merge_faint(graph: RegionGraph, contrast: float, *, max_regions: int | None) -> None:
    """Merge across borders fainter than `contrast`, then the faintest past `max_regions`.

    Borders far below the limit go at once. The rest go faintest first, each region at most
    once per round, and merged regions have their borders measured again before the next
    round: a fringe region with faint borders on both sides joins one side and then shows the
    other side's strong edge, instead of chaining two distinct areas together.
    """
    found = graph.borders()
    faintest = found.contrast < contrast / 2
    graph.merge(found.first[faintest], found.second[faintest])
    for _ in range(MAX_ROUNDS):
        found = graph.borders()
        wanted = int(np.count_nonzero(found.contrast < contrast))
        if max_regions is not None:
            wanted = max(wanted, graph.count() - max_regions)
        if wanted <= 0:
            return
        order = np.argsort(found.contrast, kind="stable")[:wanted]
        chosen: list[int] = []
        touched: set[int] = set()
        for index, a, b in zip(
            order.tolist(), found.first[order].tolist(), found.second[order].tolist(), strict=True
        ):
            if a not in touched and b not in touched:
                chosen.append(index)
                touched.update((a, b))
        graph.merge(found.first[chosen], found.second[chosen])


def thin_parts(labels: Labels, width: float) -> NDArray[np.bool_]:
    """Pixels in parts of regions narrower than `width`: slivers, necks, specks, strips.

    A morphological opening of every region at once: what a disk of that width, moved around
    inside the regions, never covers. The picture's edge counts as a border, since the page
    frames it.
    """
    border = np.zeros(labels.shape, np.uint8)
    step = labels[:, :-1] != labels[:, 1:]
    border[:, :-1] |= step
    border[:, 1:] |= step
    step = labels[:-1] != labels[1:]
    border[:-1] |= step
    border[1:] |= step
    border[[0, -1]] = 1
    border[:, [0, -1]] = 1
    radius = width / 2
    inside = cv2.distanceTransform((border == 0).astype(np.uint8), cv2.DIST_L2, 5)
    core = (inside >= radius).astype(np.uint8)
    size = 2 * round(radius) + 1
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    covered = cv2.dilate(core, disk) > 0
    return np.asarray(~covered, np.bool_)


def reassign(labels: Labels, holes: NDArray[np.bool_]) -> Labels:
    """Give each hole pixel the region of the nearest pixel that is not a hole.

    Pixel by pixel, not region by region: a sliver along an edge (the blur between two
    colours) splits down its middle between the regions on its two sides.
    """
    if not holes.any() or holes.all():
        return labels
    mask = np.where(holes, np.uint8(255), np.uint8(0))
    _, nearest = cv2.distanceTransformWithLabels(
        mask, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    # `nearest` numbers the kept pixels 1..n in row-major order; map those back to regions.
    owner = np.concatenate([[0], labels[~holes]]).astype(np.int32)
    return np.asarray(owner[nearest], np.int32)
