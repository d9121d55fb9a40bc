"""Draw the README's example pages with the offline generator, as the bot would send them.

Run `python scripts/readme_pictures.py` after changing the generator or the finisher; a test
(tests/unit/test_readme_pictures.py) fails while the pictures in docs/pictures are out of date.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image

from entrypoints.container import Container
from entrypoints.settings_loading import load_settings
from paintcore.domain.pages import AgeLevel, PageOptions

ROOT = Path(__file__).resolve().parents[1]
PICTURES = ROOT / "docs" / "pictures"
WIDTH = 620  # px: a page's width in the README, small enough to keep the repository light
# (file name, description, age level): the examples and one of every kind of relation.
PAGES = (
    ("cat-in-a-hat", "кот в шляпе", AgeLevel.KIDS),
    ("dinosaur-on-a-skateboard", "a dinosaur on a skateboard", AgeLevel.KIDS),
    ("unicorn-and-rainbow", "единорог и радуга", AgeLevel.TODDLER),
    ("firefighter-and-fire-engine", "пожарный и пожарная машина", AgeLevel.CHILDREN),
)


def picture(description: str, level: AgeLevel) -> Image.Image:
    """The finished page, offline whatever the environment says, shrunk for the README."""
    settings = load_settings(None).model_copy(update={"openai_api_key": None})
    page = Container(settings=settings).make_page()(
        description=description, options=PageOptions(level=level)
    )
    with Image.open(io.BytesIO(page.png)) as full:
        height = round(full.height * WIDTH / full.width)
        return full.convert("L").resize((WIDTH, height), Image.Resampling.LANCZOS)


def main() -> int:
    PICTURES.mkdir(parents=True, exist_ok=True)
    for name, description, level in PAGES:
        target = PICTURES / f"{name}.png"
        picture(description, level).save(target, optimize=True)
        print(target.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
