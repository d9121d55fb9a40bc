"""RegionGraph: regions of a picture and the borders between them, merged without the pixels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .regions import Floats, Labels

Ids = NDArray[np.int64]
Sums = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Borders:
    """Every pair of touching regions: ids (first < second), border length, mean contrast."""

    first: Ids
    second: Ids
    length: Sums
    contrast: Sums


class RegionGraph:
    """Regions with their areas, and per border between two its length and summed contrast.

    Region ids stay those of the starting picture: a merged region keeps the smallest id of
    its parts, and the others are left with no area. Merging works on the border list, so a
    round costs little however large the picture.
    """

    def __init__(self, labels: Labels, across: Floats, down: Floats) -> None:
        self._pixels = labels
        self._size = int(labels.max()) + 1
        a = np.concatenate([labels[:, :-1].ravel(), labels[:-1].ravel()]).astype(np.int64)
        b = np.concatenate([labels[:, 1:].ravel(), labels[1:].ravel()]).astype(np.int64)
        change = np.concatenate([across.ravel(), down.ravel()]).astype(np.float64)
        differ = a != b
        ones = np.ones(np.count_nonzero(differ))
        self._first, self._second, self._length, self._total = self._group(
            a[differ], b[differ], ones, change[differ]
        )
        self._area = np.bincount(labels.ravel(), minlength=self._size).astype(np.float64)
        self._owner = np.arange(self._size, dtype=np.int64)

    def _group(self, a: Ids, b: Ids, length: Sums, total: Sums) -> tuple[Ids, Ids, Sums, Sums]:
        keys, group = np.unique(
            np.minimum(a, b) * self._size + np.maximum(a, b), return_inverse=True
        )
        return (
            np.asarray(keys // self._size, np.int64),
            np.asarray(keys % self._size, np.int64),
            np.bincount(group, weights=length).astype(np.float64),
            np.bincount(group, weights=total).astype(np.float64),
        )

    def borders(self) -> Borders:
        """The borders between the regions as they are now."""
        return Borders(self._first, self._second, self._length, self._total / self._length)

    def count(self) -> int:
        """How many regions there are now."""
        return int(np.count_nonzero(self._area))

    def current(self) -> Labels:
        """The current region id of every pixel (not renumbered)."""
        return np.asarray(self._owner.astype(np.int32)[self._pixels], np.int32)

    def labels(self) -> Labels:
        """The current regions as a picture, numbered 0..count-1."""
        alive = np.flatnonzero(self._area)  # sorted; every pixel's owner is among them
        packed = np.searchsorted(alive, self._owner).astype(np.int32)
        return np.asarray(packed[self._pixels], np.int32)

    def merge(self, first: Ids, second: Ids) -> None:
        """Merge the regions of each pair (and so of every chain of pairs)."""
        lookup = components(self._size, first, second)
        self._owner = lookup[self._owner]
        self._area = np.bincount(lookup, self._area, self._size).astype(np.float64)
        a, b = lookup[self._first], lookup[self._second]
        keep = a != b
        self._first, self._second, self._length, self._total = self._group(
            a[keep], b[keep], self._length[keep], self._total[keep]
        )


def components(size: int, first: Ids, second: Ids) -> Ids:
    """For each of `size` nodes, the smallest node joined to it by the pairs (first, second)."""
    label = np.arange(size, dtype=np.int64)
    while True:
        # Hook every pair's larger root under the smaller, then jump pointers to the roots.
        low = np.minimum(label[first], label[second])
        hooked = label.copy()
        np.minimum.at(hooked, label[first], low)
        np.minimum.at(hooked, label[second], low)
        while not np.array_equal(jumped := hooked[hooked], hooked):
            hooked = jumped
        if np.array_equal(hooked, label):
            return label
        label = hooked
