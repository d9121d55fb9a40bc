"""Image work with no network: pages of the described subjects drawn from Twemoji artwork,
pattern pages when nothing is recognised, and a photo tracer."""

from __future__ import annotations

from .generator import OfflinePatternGenerator
from .photo import OfflinePhotoTracer
from .subject_pages import OfflineSubjectGenerator

__all__ = ["OfflinePatternGenerator", "OfflinePhotoTracer", "OfflineSubjectGenerator"]
