"""Image work with no network: a procedural pattern-page generator and a photo tracer."""

from __future__ import annotations

from .generator import OfflinePatternGenerator
from .photo import OfflinePhotoTracer

__all__ = ["OfflinePatternGenerator", "OfflinePhotoTracer"]
