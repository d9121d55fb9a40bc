"""Coloring-page post-processing: raw image -> 1-bit line art on an A4/Letter sheet, PNG + PDF."""

from __future__ import annotations

from .finisher import ColoringPageFinisher
from .lineart import MIN_LINE_PX
from .sheet import SHEETS, SheetSize

__all__ = ["MIN_LINE_PX", "SHEETS", "ColoringPageFinisher", "SheetSize"]
