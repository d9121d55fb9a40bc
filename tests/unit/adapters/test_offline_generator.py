"""OfflinePatternGenerator: deterministic, printable pattern pages that follow the age level."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from adapters.offline_images import OfflinePatternGenerator
from adapters.pages import ColoringPageFinisher
from paintcore.domain.pages import AgeLevel, PageOptions, RenderedImage, Style
from paintcore.ports import ImageGenerator

GENERATOR: ImageGenerator = OfflinePatternGenerator()  # mypy checks it fits the port


def draw(
    description: str, *, level: AgeLevel = AgeLevel.KIDS, style: Style = Style.MANDALA
) -> RenderedImage:
    options = PageOptions(level=level, style=style)
    return GENERATOR.generate(prompt="ignored", description=description, options=options)


def gray(image: RenderedImage) -> NDArray[np.uint8]:
    return np.asarray(Image.open(io.BytesIO(image.data)).convert("L"))


def colourable_regions(pixels: NDArray[np.uint8]) -> int:
    paper = (pixels >= 128).astype(np.uint8)
    count, _ = cv2.connectedComponents(paper, connectivity=4)
    return int(count - 1)


def bold_share(pixels: NDArray[np.uint8]) -> float:
    """Share of the ink that survives a 5x5 erosion: high for thick lines, near 0 for fine ones."""
    ink = (pixels < 128).astype(np.uint8)
    return float(cv2.erode(ink, np.ones((5, 5), np.uint8)).sum() / ink.sum())


def test_backend_has_a_name_and_tags_its_images() -> None:
    image = draw("кот")

    assert GENERATOR.name == "offline-patterns"
    assert image.source.startswith("offline-patterns")


@pytest.mark.parametrize("style", list(Style))
def test_same_description_gives_identical_bytes(style: Style) -> None:
    assert draw("кот в шляпе", style=style).data == draw("кот в шляпе", style=style).data


@pytest.mark.parametrize("style", [Style.MANDALA, Style.CARTOON])
def test_different_descriptions_give_different_pages(style: Style) -> None:
    first = gray(draw("кот в шляпе", style=style))
    second = gray(draw("a dinosaur on a skateboard", style=style))

    differing = float((first != second).mean())
    assert differing > 0.01


@pytest.mark.parametrize("level", list(AgeLevel))
@pytest.mark.parametrize("style", list(Style))
def test_page_is_1024x1536_black_line_art_on_white(style: Style, level: AgeLevel) -> None:
    image = Image.open(io.BytesIO(draw("единорог", level=level, style=style).data))
    pixels = np.asarray(image.convert("L"))

    assert image.size == (1024, 1536)
    black = float((pixels < 128).mean())
    assert 0.03 <= black <= 0.30
    assert float((pixels > 200).mean()) >= 0.65


@pytest.mark.parametrize("style", [Style.MANDALA, Style.CARTOON, Style.KAWAII])
@pytest.mark.parametrize("description", ["кот", "a dinosaur on a skateboard"])
def test_toddler_pages_have_fewer_and_bolder_shapes_than_adult_pages(
    style: Style, description: str
) -> None:
    toddler = gray(draw(description, level=AgeLevel.TODDLER, style=style))
    adult = gray(draw(description, level=AgeLevel.ADULT, style=style))

    assert colourable_regions(toddler) * 5 < colourable_regions(adult)
    assert colourable_regions(toddler) <= 80
    assert bold_share(toddler) > 0.3
    assert bold_share(adult) < 0.1


@pytest.mark.parametrize(
    ("style", "level"),
    [
        (Style.MANDALA, AgeLevel.ADULT),
        (Style.MANDALA, AgeLevel.CHILDREN),
        (Style.KAWAII, AgeLevel.TODDLER),
        (Style.REALISTIC, AgeLevel.KIDS),
    ],
)
def test_finished_offline_page_passes_basic_quality(style: Style, level: AgeLevel) -> None:
    options = PageOptions(level=level, style=style)
    image = draw("Кот в шляпе", level=level, style=style)

    page = ColoringPageFinisher().finish(image, title="Кот в шляпе", options=options)

    pixels = np.asarray(Image.open(io.BytesIO(page.png)).convert("L"))
    assert set(np.unique(pixels).tolist()) == {0, 255}
    assert float((pixels == 255).mean()) >= 0.65
    assert float((pixels == 0).mean()) <= 0.25
    assert page.source == image.source
