"""Image work with no network: a procedural pattern-page generator (mandalas, gardens)."""

from __future__ import annotations

from .generator import OfflinePatternGenerator

__all__ = ["OfflinePatternGenerator"]
