"""The README's example pages are what the offline generator draws today."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scripts import readme_pictures

from paintcore.domain.pages import AgeLevel

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize(("name", "description", "level"), readme_pictures.PAGES)
def test_each_readme_picture_is_shown_and_matches_a_fresh_drawing(
    name: str, description: str, level: AgeLevel
) -> None:
    committed = readme_pictures.PICTURES / f"{name}.png"
    assert f"docs/pictures/{name}.png" in README.read_text(encoding="utf-8")
    fresh = np.asarray(readme_pictures.picture(description, level), dtype=np.int16)
    with Image.open(committed) as image:
        shown = np.asarray(image.convert("L"), dtype=np.int16)

    assert shown.shape == fresh.shape
    # Renderer and resampling versions may move an edge by a gray level or a pixel; a changed
    # drawing moves thousands. Rerun `python scripts/readme_pictures.py` when this fails.
    changed = np.abs(shown - fresh) > 64
    assert changed.mean() < 0.002, f"{changed.mean():.2%} of {name}.png differs"
