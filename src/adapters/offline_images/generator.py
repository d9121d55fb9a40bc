"""OfflinePatternGenerator: the ImageGenerator port with no network, drawing pattern pages."""

from __future__ import annotations

import hashlib
import random

from paintcore.domain.errors import GenerationFailed
from paintcore.domain.pages import ArtKind, PageOptions, RenderedImage, Style

from .garden import garden_page
from .layout import mandala_page


def seed_for(description: str) -> int:
    """A stable seed: the same description draws the same page in every process and version.

    (Python's hash() is salted per process, so it would not do.)
    """
    digest = hashlib.sha256(description.strip().encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


class OfflinePatternGenerator:
    """Procedural coloring pages: a mandala for the mandala style, a garden scene otherwise.

    It does not draw the described thing; the description only seeds the pattern (and becomes
    the page title, which the finisher prints). Output: a 1024x1536 grayscale PNG, black lines
    on white, every shape closed, busier for older age levels.
    """

    @property
    def name(self) -> str:
        """A short name of the backend and model, for logs and /check."""
        return "offline-patterns"

    def generate(self, *, prompt: str, description: str, options: PageOptions) -> RenderedImage:
        """Draw a pattern page seeded by the description; GenerationFailed if drawing fails."""
        rng = random.Random(seed_for(description))
        try:
            if options.style is Style.MANDALA:
                canvas, kind = mandala_page(rng, options.level), "mandala"
            else:
                canvas, kind = garden_page(rng, options.level, options.style), "garden"
            data = canvas.png()
        except (RuntimeError, ValueError, MemoryError) as exc:
            raise GenerationFailed(f"the offline pattern could not be drawn: {exc}") from exc
        return RenderedImage(data=data, source=f"{self.name}:{kind}", kind=ArtKind.PATTERN)
