"""Placed artwork -> one SVG of black outlines on white -> a gray PNG (Skia renders it)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import skia
from PIL import Image

from paintcore.domain.errors import GenerationFailed

from .emoji_art import VIEWBOX, Artwork, Shape

# A strip thinner than this many outlines would come out as two lines with a sliver of paper
# between them, too narrow to colour: it is drawn as one solid line instead (whiskers, stripes).
SOLID_STRIP = 1.6
# A dark detail up to this many outlines across stays solid black (eyes, nostrils, buttons).
SOLID_DETAIL = 6.0


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an artwork goes: its view box origin at (x, y), `scale` canvas units per view box
    unit, mirrored left to right within its view box when asked, then turned `turn` degrees
    clockwise about the view box centre."""

    art: Artwork
    x: float
    y: float
    scale: float
    turn: float = 0.0
    mirror: bool = False


@dataclass(frozen=True, slots=True)
class Pen:
    """Line weights in canvas units: the outline, and the smallest shape worth drawing."""

    stroke: float
    detail: float


def svg_document(placements: Sequence[Placement], *, width: int, height: int, pen: Pen) -> str:
    """Every placement in paint order: white-filled shapes with black outlines hide what lies
    behind them, so overlapping things show only their visible edges, as in a coloring book."""
    groups = "".join(_group(p, pen) for p in placements)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">'
        f'<rect width="{width}" height="{height}" fill="#fff"/>{groups}</svg>'
    )


def render(svg: str, *, width: int, height: int) -> bytes:
    """The SVG as an 8-bit gray PNG; GenerationFailed when the renderer refuses it.

    Skia (skia-python) rather than resvg-py: about 10 ms for a page here against 100 ms, and it
    hands back pixels, so the PNG is written gray by Pillow instead of RGBA by the renderer."""
    # copyData: by default the stream only points at the bytes, which Python may free first.
    dom = skia.SVGDOM.MakeFromStream(skia.MemoryStream(svg.encode("utf-8"), True))
    if dom is None:
        raise GenerationFailed("the drawing could not be rendered: the SVG was refused")
    surface = skia.Surface(width, height)
    canvas = surface.getCanvas()
    canvas.clear(skia.ColorWHITE)
    dom.render(canvas)
    pixels = np.asarray(surface.makeImageSnapshot().toarray())
    gray = Image.fromarray(np.ascontiguousarray(pixels[:, :, 1]), mode="L")  # black on white
    buffer = io.BytesIO()
    gray.save(buffer, format="PNG", compress_level=1)  # read once, by the finisher, at once
    return buffer.getvalue()


def _group(placement: Placement, pen: Pen) -> str:
    scale = placement.scale
    stroke = pen.stroke / scale  # in view box units: the group's transform scales it back
    paths = "".join(_path(shape, scale, stroke, pen) for shape in placement.art.shapes)
    centre = VIEWBOX / 2
    turn = f" rotate({placement.turn:.2f} {centre} {centre})" if placement.turn else ""
    mirror = f" translate({VIEWBOX} 0) scale(-1 1)" if placement.mirror else ""
    return (
        f'<g transform="translate({placement.x:.2f} {placement.y:.2f}) scale({scale:.5f}){turn}{mirror}" '
        f'stroke-linejoin="round" stroke-linecap="round">{paths}</g>'
    )


def _path(shape: Shape, scale: float, stroke: float, pen: Pen) -> str:
    area = shape.area * scale * scale
    if area < pen.detail * pen.detail and not shape.dark:
        return ""  # too small to colour at this age level (dark ones are eyes: they stay)
    rule = ' fill-rule="evenodd"' if shape.evenodd else ""
    strip = shape.thickness * scale < SOLID_STRIP * pen.stroke
    if strip and shape.light:
        return ""  # a glint or a highlight: as a black line it would be a mark that is not there
    detail = shape.dark and area < (SOLID_DETAIL * pen.stroke) ** 2
    if strip or detail:
        # Solid ink, with a thin stroke of the same ink so a hairline detail still prints.
        return (
            f'<path d="{shape.d}"{rule} fill="#000" stroke="#000" stroke-width="{stroke / 2:.4f}"/>'
        )
    return f'<path d="{shape.d}"{rule} fill="#fff" stroke="#000" stroke-width="{stroke:.4f}"/>'
