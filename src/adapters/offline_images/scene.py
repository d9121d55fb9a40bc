"""Compose a picture: the main subject large, the others where their relation puts them."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from .drawing import Placement
from .emoji_art import Artwork


class Spot(enum.StrEnum):
    """Where a thing goes relative to the main subject."""

    HEAD = "head"  # worn on the head: a hat, a crown
    EYES = "eyes"  # worn over the eyes: glasses
    SKY = "sky"  # above and behind: the sun, stars, a cloud
    ARCH = "arch"  # a quarter arc drawn twice, mirrored, into an arch over everything: a rainbow
    BACKDROP = "backdrop"  # large and behind: a house, a tree, a castle
    BENEATH = "beneath"  # the main subject stands on it: a skateboard
    OVERHEAD = "overhead"  # the main subject is under it: an umbrella, a balloon
    BELOW = "below"  # the main subject is above it, with a gap: the sea under a bird
    HELD = "held"  # small, in front, at the side: a ball, a carrot
    AROUND = "around"  # the main subject is in it: a box, a basket
    BESIDE = "beside"  # another subject of equal standing, side by side


@dataclass(frozen=True, slots=True)
class Part:
    """One thing to draw besides the main subject: its artwork, where it goes, and how far to
    turn it (clockwise, degrees) so that its top faces up."""

    art: Artwork
    spot: Spot
    turn: float = 0.0


@dataclass(frozen=True, slots=True)
class _Box:
    """Where a thing's (turned) ink goes, in scene units."""

    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass(frozen=True, slots=True)
class _Laid:
    art: Artwork
    box: _Box
    layer: int  # paint order: lower first, so what is behind is hidden by what is in front
    turn: float = 0.0
    mirror: bool = False


_SKY, _BACK, _UNDER, _MAIN, _FRONT = range(5)
MAIN_WIDTH = 100.0  # scene units; the whole scene is scaled to the canvas at the end
# Things that take a place at the main subject's side; they alternate right, left, right...
_SIDE_SPOTS = (Spot.BESIDE, Spot.BACKDROP, Spot.HELD, Spot.SKY)


def compose(
    main: Artwork, others: Sequence[Part], *, width: float, height: float, margin: float
) -> list[Placement]:
    """Placements in paint order, the whole scene fitted to the canvas inside `margin`."""
    x0, y0, x1, y1 = main.extent()
    m = _Box(0.0, 0.0, MAIN_WIDTH, MAIN_WIDTH * (y1 - y0) / (x1 - x0))
    laid = [_Laid(main, m, _MAIN)]
    sides = 0
    for part in others:
        laid += _place(part, main, m, left=sides % 2 == 1)
        sides += part.spot in _SIDE_SPOTS
    return _fit(laid, width=width, height=height, margin=margin)


def _place(part: Part, main: Artwork, m: _Box, *, left: bool) -> list[_Laid]:
    art, turn = part.art, part.turn
    match part.spot:
        case Spot.HEAD:
            face = _is_face(main)
            w, h = _size(part, m.w * (0.5 if face else 0.42))
            # On a face the brim sits below the ears; on a body, just over the top of the head.
            bottom = m.y + m.h * 0.2 if face else m.y + h * 0.25
            return [_Laid(art, _Box(_head_x(main, m) - w / 2, bottom - h, w, h), _FRONT, turn)]
        case Spot.EYES:
            w, h = _size(part, m.w * 0.7)
            box = _Box(_head_x(main, m) - w / 2, m.y + m.h * 0.42 - h / 2, w, h)
            return [_Laid(art, box, _FRONT, turn)]
        case Spot.SKY:
            w, h = _size(part, m.w * 0.36)
            x = m.x - w * 0.7 if left else m.right - w * 0.3
            return [_Laid(art, _Box(x, m.y - h * 0.9, w, h), _SKY, turn)]
        case Spot.ARCH:
            w, h = _size(part, m.w * 0.75)
            y = m.y - h * 0.55
            centre = m.x + m.w / 2
            return [
                _Laid(art, _Box(centre - w, y, w, h), _SKY, turn),
                _Laid(art, _Box(centre, y, w, h), _SKY, turn, mirror=True),
            ]
        case Spot.BACKDROP:
            w, h = _size(part, m.w * 1.1)
            x = m.x - w * 0.55 if left else m.right - w * 0.45
            return [_Laid(art, _Box(x, m.bottom - h, w, h), _BACK, turn)]
        case Spot.BENEATH:
            w, h = _size(part, m.w * 1.1)
            box = _Box(m.x + (m.w - w) / 2, m.bottom - h * 0.15, w, h)
            return [_Laid(art, box, _UNDER, turn)]
        case Spot.OVERHEAD:
            w, h = _size(part, m.w * 0.8)
            box = _Box(m.x + (m.w - w) / 2, m.y - h - m.w * 0.04, w, h)
            return [_Laid(art, box, _UNDER, turn)]
        case Spot.BELOW:
            w, h = _size(part, m.w)
            return [
                _Laid(art, _Box(m.x + (m.w - w) / 2, m.bottom + m.w * 0.06, w, h), _UNDER, turn)
            ]
        case Spot.HELD:
            w, h = _size(part, m.w * 0.42)
            # On the side the main subject faces (its head), where its hands or paws are.
            x = m.x - w * 0.8 if left == _faces_right(main) else m.right - w * 0.2
            return [_Laid(art, _Box(x, m.bottom - h, w, h), _FRONT, turn)]
        case Spot.AROUND:
            w, h = _size(part, m.w * 1.05)
            box = _Box(m.x + (m.w - w) / 2, m.bottom - h * 0.55, w, h)
            return [_Laid(art, box, _FRONT, turn)]
        case Spot.BESIDE:
            # Of equal standing: about as much ink as the main subject, whatever its shape (a
            # fire engine is wide and low, a firefighter narrow and tall).
            x0, y0, x1, y1 = art.extent(turn)
            scale = 0.85 * (m.w * m.h / ((x1 - x0) * (y1 - y0))) ** 0.5
            w, h = (x1 - x0) * scale, (y1 - y0) * scale
            # A step to the side and a step forward (lower, in front, overlapping a little): side
            # by side in a row would leave a portrait page a strip of art between empty halves.
            x = m.x - w * 0.75 if left else m.right - w * 0.25
            return [_Laid(art, _Box(x, m.bottom - h * 0.55, w, h), _FRONT, turn)]


def _size(part: Part, width: float) -> tuple[float, float]:
    x0, y0, x1, y1 = part.art.extent(part.turn)
    w, h = x1 - x0, y1 - y0
    # Tall things are limited by height instead, so a tower is not drawn ten times a cat.
    scale = min(width / w, width * 1.3 / h)
    return w * scale, h * scale


def _is_face(main: Artwork) -> bool:
    """A face or a head-and-shoulders bust (about as tall as wide, its top centred): a hat goes
    on the middle of its top, not on the highest point of a body (a tail, an ear)."""
    x0, y0, x1, y1 = main.extent()
    centred = abs(main.top_x() - (x0 + x1) / 2) < (x1 - x0) * 0.15
    return (y1 - y0) <= (x1 - x0) * 1.2 and centred


def _faces_right(main: Artwork) -> bool:
    """Whether the main subject looks right: its head is right of its middle (faces: yes)."""
    x0, _, x1, _ = main.extent()
    return _is_face(main) or main.peak_x() >= (x0 + x1) / 2


def _head_x(main: Artwork, m: _Box) -> float:
    x0, _, x1, _ = main.extent()
    head = main.top_x() if _is_face(main) else main.peak_x()
    return m.x + (head - x0) / (x1 - x0) * m.w


def _fit(laid: list[_Laid], *, width: float, height: float, margin: float) -> list[Placement]:
    left = min(item.box.x for item in laid)
    top = min(item.box.y for item in laid)
    right = max(item.box.right for item in laid)
    bottom = max(item.box.bottom for item in laid)
    scale = min((width - 2 * margin) / (right - left), (height - 2 * margin) / (bottom - top))
    dx = (width - (right - left) * scale) / 2 - left * scale
    dy = (height - (bottom - top) * scale) / 2 - top * scale
    placements = []
    for item in sorted(laid, key=lambda i: i.layer):  # stable: given order within a layer
        x0, y0, x1, _ = item.art.extent(item.turn, mirror=item.mirror)
        units = item.box.w * scale / (x1 - x0)  # canvas units per view box unit
        placements.append(
            Placement(
                art=item.art,
                x=dx + item.box.x * scale - x0 * units,
                y=dy + item.box.y * scale - y0 * units,
                scale=units,
                turn=item.turn,
                mirror=item.mirror,
            )
        )
    return placements
