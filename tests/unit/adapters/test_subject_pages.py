"""OfflineSubjectGenerator: pages that draw the described subjects, placed by their relations."""

from __future__ import annotations

import io
from dataclasses import replace

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from adapters.offline_images import OfflineSubjectGenerator
from adapters.offline_images.drawing import Pen, Placement, render, svg_document
from adapters.offline_images.emoji_art import artwork
from adapters.offline_images.roles import ARCH, BACKDROP, EYEWEAR, HEADWEAR, SKY, UPRIGHT_TURN
from adapters.offline_images.scene import Part, Spot, compose
from adapters.offline_images.subject_pages import HEIGHT, MAX_SUBJECTS, WIDTH, lay_out
from adapters.offline_images.subjects import catalog, find_subjects
from adapters.pages import ColoringPageFinisher
from paintcore.dialog import Texts, what_was_drawn
from paintcore.domain.pages import AgeLevel, ArtKind, ColoringPage, PageOptions, RenderedImage
from paintcore.domain.quality import QualityRules
from paintcore.ports import ImageGenerator

GENERATOR: ImageGenerator = OfflineSubjectGenerator()  # mypy checks it fits the port


def draw(description: str, level: AgeLevel = AgeLevel.KIDS) -> RenderedImage:
    return GENERATOR.generate(prompt="", description=description, options=PageOptions(level=level))


def gray(image: RenderedImage) -> NDArray[np.uint8]:
    return np.asarray(Image.open(io.BytesIO(image.data)).convert("L"))


def names(image: RenderedImage) -> list[str]:
    return [s.name_en for s in image.subjects]


def art_of(name_en: str) -> str:
    found = catalog().by_name_en(name_en)
    assert found is not None, name_en
    return found.art


def box(p: Placement) -> tuple[float, float, float, float]:
    """Where a placement's ink lands on the canvas."""
    x0, y0, x1, y1 = p.art.extent(p.turn, mirror=p.mirror)
    return (p.x + x0 * p.scale, p.y + y0 * p.scale, p.x + x1 * p.scale, p.y + y1 * p.scale)


def scene(main: str, *others: tuple[str, Spot]) -> list[Placement]:
    parts = [Part(artwork(art_of(n)), spot, UPRIGHT_TURN.get(n, 0.0)) for n, spot in others]
    return compose(artwork(art_of(main)), parts, width=WIDTH, height=HEIGHT, margin=24)


# -- what is drawn --------------------------------------------------------------------------------


def test_a_cat_in_a_hat_is_a_cat_with_a_top_hat_and_says_so() -> None:
    image = draw("кот в шляпе")

    assert image.kind is ArtKind.SUBJECTS
    assert names(image) == ["cat face", "top hat"]  # the face: a hat sits on a head
    assert [s.emoji for s in image.subjects] == ["🐱", "🎩"]
    assert "Twemoji" in image.credit and "CC BY 4.0" in image.credit


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("a dinosaur on a skateboard", {"skateboard"}),
        ("единорог и радуга", {"rainbow"}),
        ("зайчик с морковкой", {"carrot"}),
        ("пожарный и пожарная машина", {"firefighter", "fire engine"}),
    ],
)
def test_every_recognised_subject_is_drawn_and_named(description: str, expected: set[str]) -> None:
    image = draw(description)

    assert image.kind is ArtKind.SUBJECTS
    assert expected <= set(names(image))


def test_a_description_with_nothing_recognised_is_an_honest_pattern_page() -> None:
    image = draw("абракадабра непонятная")

    assert image.kind is ArtKind.PATTERN
    assert image.subjects == ()


def test_the_same_description_draws_the_same_page() -> None:
    assert draw("кот в шляпе").data == draw("кот в шляпе").data


# -- where things go ------------------------------------------------------------------------------


def test_a_hat_sits_on_top_of_the_head() -> None:
    cat, hat = scene("cat face", ("top hat", Spot.HEAD))
    cx0, cy0, cx1, cy1 = box(cat)
    hx0, hy0, hx1, hy1 = box(hat)

    assert cx0 < (hx0 + hx1) / 2 < cx1  # over the head, not beside it
    assert hy0 < cy0 < hy1 < cy0 + (cy1 - cy0) * 0.35  # the brim rests on the top of the head


def test_a_skateboard_is_underneath_what_rides_it_and_turned_level() -> None:
    board, dinosaur = scene("T-Rex", ("skateboard", Spot.BENEATH))  # painted first: behind
    dx0, _, dx1, dy1 = box(dinosaur)
    bx0, by0, bx1, by1 = box(board)

    assert board.turn == UPRIGHT_TURN["skateboard"]
    assert by0 < dy1 < by1  # the feet stand on the board
    assert by1 > dy1
    assert bx0 < (dx0 + dx1) / 2 < bx1
    assert (bx1 - bx0) > (by1 - by0) * 1.5  # level: wide and low once turned


def test_a_rainbow_arches_over_and_behind_the_unicorn() -> None:
    left, right, unicorn = scene("unicorn", ("rainbow", Spot.ARCH))
    ux0, uy0, ux1, _ = box(unicorn)

    assert right.mirror and not left.mirror  # one quarter arc drawn twice makes the arch
    for half in (left, right):
        assert box(half)[1] < uy0  # rises above the unicorn
    assert box(left)[0] < ux0 and box(right)[2] > ux1  # and spans it


def test_the_scene_fills_the_page_instead_of_sitting_small_in_the_middle() -> None:
    for placements in (
        scene("cat"),
        scene("cat face", ("top hat", Spot.HEAD)),
        scene("cat", ("dog", Spot.BESIDE)),
        scene("unicorn", ("rainbow", Spot.ARCH)),
    ):
        boxes = [box(p) for p in placements]
        width = max(b[2] for b in boxes) - min(b[0] for b in boxes)
        height = max(b[3] for b in boxes) - min(b[1] for b in boxes)
        assert width >= WIDTH * 0.9 or height >= HEIGHT * 0.9


# -- printable line art ---------------------------------------------------------------------------


def silhouette(placements: list[Placement]) -> NDArray[np.bool_]:
    """Well inside the drawn things: the scene with every shape filled black, its rim (where
    outlines of any level's weight and anti-aliasing lie) taken off."""
    svg = svg_document(placements, width=WIDTH, height=HEIGHT, pen=Pen(stroke=1.0, detail=0.0))
    solid = svg.replace('fill="#fff" stroke', 'fill="#000" stroke')  # shapes, not paper
    ink = np.asarray(Image.open(io.BytesIO(render(solid, width=WIDTH, height=HEIGHT)))) < 128
    rim = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (21, 21))
    return cv2.erode(ink.astype(np.uint8), rim) > 0


def paper_open_to_the_border(image: NDArray[np.uint8]) -> NDArray[np.bool_]:
    paper = np.where(image >= 128, 255, 0).astype(np.uint8)
    mask = np.zeros((paper.shape[0] + 2, paper.shape[1] + 2), np.uint8)
    cv2.floodFill(paper, mask, (0, 0), 128)
    return paper == 128


@pytest.mark.parametrize("level", list(AgeLevel))
@pytest.mark.parametrize(
    "description", ["кот в шляпе", "a dinosaur on a skateboard", "единорог и радуга"]
)
def test_a_flood_fill_from_the_border_does_not_leak_into_the_subjects(
    description: str, level: AgeLevel
) -> None:
    placements, _ = lay_out(find_subjects(description, limit=MAX_SUBJECTS))
    inside = silhouette(placements)
    page = gray(draw(description, level))
    paper_inside = inside & (page >= 128)

    leaked = (paper_open_to_the_border(page) & inside).sum() / paper_inside.sum()

    assert paper_inside.sum() > inside.sum() * 0.5  # outlines with paper to colour, not blobs
    assert leaked < 0.01, f"{leaked:.1%} of the paper inside the subjects is open to the border"


# -- the roles name real emoji --------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", sorted(HEADWEAR | EYEWEAR | SKY | ARCH | BACKDROP | set(UPRIGHT_TURN))
)
def test_every_role_names_an_emoji_the_catalog_can_draw(name: str) -> None:
    assert catalog().by_name_en(name) is not None


# -- finished pages -------------------------------------------------------------------------------

FINISHER = ColoringPageFinisher()
EXAMPLES = (
    "кот в шляпе",
    "a dinosaur on a skateboard",
    "единорог и радуга",
    "пожарный и пожарная машина",
    "зайчик с морковкой",
    "a princess in a castle",
)


@pytest.mark.parametrize("level", list(AgeLevel))
@pytest.mark.parametrize("description", EXAMPLES)
def test_finished_pages_are_1_bit_a4_at_300_dpi_and_pass_the_quality_gate(
    description: str, level: AgeLevel
) -> None:
    image = draw(description, level)
    page = FINISHER.finish(image, title=description, options=PageOptions(level=level))

    with Image.open(io.BytesIO(page.png)) as png:
        assert png.size == (2480, 3508) and png.info["dpi"] == pytest.approx((300, 300), abs=0.01)
        assert set(np.unique(np.asarray(png.convert("L"))).tolist()) == {0, 255}
    assert page.quality is not None and QualityRules().acceptable(page.quality), page.quality
    assert page.kind is ArtKind.SUBJECTS and page.subjects == image.subjects


def test_the_credit_line_is_printed_in_the_bottom_margin() -> None:
    with_credit = FINISHER.finish(draw("кот"), title="кот", options=PageOptions())
    without = FINISHER.finish(replace(draw("кот"), credit=""), title="кот", options=PageOptions())

    def bottom_margin_ink(page: ColoringPage) -> int:
        pixels = np.asarray(Image.open(io.BytesIO(page.png)).convert("L"))
        return int((pixels[-118:] == 0).sum())  # the last 10 mm

    assert bottom_margin_ink(with_credit) > 500
    assert bottom_margin_ink(without) == 0


# -- bad input: a page and a truthful account of it, never a crash -------------------------------

ANIMALS = "кот, собака, лиса, медведь, заяц, ёжик, волк, сова, белка, мышь, лошадь, корова, "


@pytest.mark.parametrize(
    "description",
    [
        "и в на под с",  # only stop words
        "🐱🎩",  # only emoji
        "12345 67890",  # digits
        "cat в шляпе",  # mixed scripts
        "🇷🇺 🇺🇸 ⚠️ ♻️ #️⃣",  # only flags, symbols and keycaps
        "флаг",
        (ANIMALS * 20)[:1000],  # a very long list of nouns
        "ЁЖИК!!! В ТУМАНЕ???",
    ],
)
def test_odd_descriptions_get_a_page_and_a_truthful_account(description: str) -> None:
    image = draw(description)
    page = FINISHER.finish(image, title=description, options=PageOptions())

    assert len(image.subjects) <= MAX_SUBJECTS
    if image.kind is ArtKind.PATTERN:
        assert image.subjects == ()
    else:
        assert image.kind is ArtKind.SUBJECTS and image.subjects
    note = what_was_drawn(page, Texts("en"))
    assert note.startswith("Drew: ") or "pattern page" in note
    for subject in image.subjects:
        assert subject.name_en in note
