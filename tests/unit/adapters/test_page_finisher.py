"""ColoringPageFinisher on synthetic images: clean 1-bit line art on exact A4/Letter sheets."""

from __future__ import annotations

import io
import math
import re

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from adapters.pages import MIN_LINE_PX, ColoringPageFinisher
from adapters.pages.sheet import mm_to_px
from adapters.pages.title import font, wrap_title
from paintcore.domain.errors import GenerationFailed
from paintcore.domain.pages import AgeLevel, ColoringPage, PageOptions, Paper, RenderedImage
from paintcore.domain.quality import QualityRules
from paintcore.ports import PageFinisher

W, H = 1024, 1536
FINISHER: PageFinisher = ColoringPageFinisher()  # mypy checks it fits the port


def encode(image: Image.Image, fmt: str = "PNG") -> RenderedImage:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return RenderedImage(data=buffer.getvalue(), source="test")


def finish(
    image: Image.Image,
    *,
    title: str = "",
    level: AgeLevel = AgeLevel.KIDS,
    paper: Paper = Paper.A4,
) -> ColoringPage:
    return FINISHER.finish(
        encode(image), title=title, options=PageOptions(level=level, paper=paper)
    )


def pixels(page: ColoringPage) -> NDArray[np.uint8]:
    return np.asarray(Image.open(io.BytesIO(page.png)).convert("L"))


def black_runs(line: NDArray[np.bool_]) -> list[int]:
    edges = np.flatnonzero(np.diff(np.concatenate([[0], line.astype(np.int8), [0]])))
    return [int(end - start) for start, end in zip(edges[::2], edges[1::2], strict=True)]


def antialiased_rings() -> Image.Image:
    # Drawn 4x larger and shrunk: the edges come out in every shade of gray.
    big = Image.new("L", (W * 4, H * 4), 255)
    draw = ImageDraw.Draw(big)
    for inset in (400, 900, 1400):
        draw.ellipse((inset, inset * 1.4, W * 4 - inset, H * 4 - inset * 1.4), outline=0, width=9)
    return big.resize((W, H), Image.Resampling.LANCZOS)


def rings_with_filled_disk(share: float) -> Image.Image:
    source = antialiased_rings()
    radius = round(math.sqrt(share * W * H / math.pi))
    ImageDraw.Draw(source).ellipse(
        (W // 2 - radius, H // 2 - radius, W // 2 + radius, H // 2 + radius), fill=0
    )
    return source


def test_antialiased_gray_lines_come_out_pure_black_and_white() -> None:
    source = antialiased_rings()
    grays = np.asarray(source)
    assert ((grays > 0) & (grays < 255)).sum() > 1000  # the input really is anti-aliased

    page = finish(source)

    assert Image.open(io.BytesIO(page.png)).mode in {"1", "L"}
    values = set(np.unique(pixels(page)).tolist())
    assert values == {0, 255}


@pytest.mark.parametrize("level", list(AgeLevel))
def test_thin_one_pixel_lines_are_thickened_to_the_level_minimum(level: AgeLevel) -> None:
    source = Image.new("L", (W, H), 255)
    ImageDraw.Draw(source).line((W // 2, 200, W // 2, H - 200), fill=0, width=1)

    page = pixels(finish(source, level=level))

    runs = black_runs(page[page.shape[0] // 2] == 0)
    assert len(runs) == 1
    assert MIN_LINE_PX[level] <= runs[0] <= 2 * MIN_LINE_PX[level]


def test_lines_already_wide_enough_keep_their_width() -> None:
    source = Image.new("L", (W, H), 255)
    ImageDraw.Draw(source).line((W // 2, 200, W // 2, H - 200), fill=0, width=10)

    thin_rules = pixels(finish(source, level=AgeLevel.ADULT))
    thick_rules = pixels(finish(source, level=AgeLevel.TODDLER))

    # 10 px at 1024 wide is about 20 px on A4: above every minimum, so nobody widens it.
    adult = black_runs(thin_rules[thin_rules.shape[0] // 2] == 0)
    toddler = black_runs(thick_rules[thick_rules.shape[0] // 2] == 0)
    assert adult == toddler
    assert 16 <= adult[0] <= 24


def test_isolated_specks_are_removed_while_real_lines_survive() -> None:
    source = Image.new("L", (W, H), 255)
    draw = ImageDraw.Draw(source)
    draw.line((150, 300, 870, 1200), fill=0, width=3)
    rng = np.random.default_rng(7)
    for x, y in rng.integers(60, 960, size=(40, 2)):
        draw.rectangle((int(x), int(y) + 500, int(x) + 2, int(y) + 502), fill=0)  # 3x3 specks
    for x, y in rng.integers(60, 960, size=(200, 2)):
        source.putpixel((int(x), int(y)), 40)  # single dark dust pixels

    ink = (pixels(finish(source)) == 0).astype(np.uint8)

    count, _ = cv2.connectedComponents(ink, connectivity=8)
    assert count - 1 == 1  # the line, and nothing else
    assert ink.sum() > 3000


def test_tiny_white_holes_inside_lines_are_filled() -> None:
    source = Image.new("L", (W, H), 255)
    draw = ImageDraw.Draw(source)
    draw.rectangle((300, 400, 700, 420), fill=0)
    draw.rectangle((500, 408, 501, 409), fill=255)  # a pinhole in a thick bar

    paper = (pixels(finish(source)) == 255).astype(np.uint8)

    count, _ = cv2.connectedComponents(paper, connectivity=4)
    assert count - 1 == 1  # only the sheet itself


@pytest.mark.parametrize(
    ("paper", "size"), [(Paper.A4, (2480, 3508)), (Paper.LETTER, (2550, 3300))]
)
def test_page_is_the_paper_size_at_300_dpi(paper: Paper, size: tuple[int, int]) -> None:
    page = finish(antialiased_rings(), paper=paper)

    png = Image.open(io.BytesIO(page.png))
    assert (page.width, page.height) == size
    assert png.size == size
    assert tuple(round(v) for v in png.info["dpi"]) == (300, 300)


@pytest.mark.parametrize(
    ("paper", "points"), [(Paper.A4, (595.28, 841.89)), (Paper.LETTER, (612.0, 792.0))]
)
def test_pdf_is_one_page_of_the_paper_size(paper: Paper, points: tuple[float, float]) -> None:
    pdf = finish(antialiased_rings(), title="Кот", paper=paper).pdf

    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf)) == 1
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", pdf)
    assert len(boxes) == 1
    x0, y0, x1, y1 = (float(v) for v in boxes[0].split())
    assert (x0, y0) == (0.0, 0.0)
    assert x1 == pytest.approx(points[0], abs=0.01)
    assert y1 == pytest.approx(points[1], abs=0.01)


def test_transparent_background_becomes_white() -> None:
    # Fully transparent *black* pixels: without flattening onto white the page would be black.
    source = Image.new("RGBA", (W, H), (0, 0, 0, 0))
    ImageDraw.Draw(source).ellipse((200, 300, 824, 1236), outline=(0, 0, 0, 255), width=6)

    page = pixels(finish(source))

    black = float((page == 0).mean())
    assert 0.001 < black < 0.05
    assert page[page.shape[0] // 2, page.shape[1] // 2] == 255  # inside the ring: paper


@pytest.mark.parametrize(
    "data",
    [b"", b"definitely not an image", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64],
    ids=["empty", "text", "broken-png"],
)
def test_undecodable_bytes_raise_generation_failed(data: bytes) -> None:
    with pytest.raises(GenerationFailed):
        FINISHER.finish(RenderedImage(data=data, source="test"), title="x", options=PageOptions())


def test_truncated_png_raises_generation_failed() -> None:
    whole = encode(antialiased_rings()).data

    with pytest.raises(GenerationFailed):
        FINISHER.finish(
            RenderedImage(data=whole[: len(whole) // 2], source="test"),
            title="",
            options=PageOptions(),
        )


@pytest.mark.parametrize(
    "data",
    [
        b"definitely not an image",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        encode(antialiased_rings()).data[:5000],
        encode(antialiased_rings(), "JPEG").data[:5000],
    ],
    ids=["text", "broken-png", "truncated-png", "truncated-jpeg"],
)
def test_undecodable_image_is_refused_in_a_plain_sentence(data: bytes) -> None:
    with pytest.raises(GenerationFailed) as refused:
        FINISHER.finish(RenderedImage(data=data, source="test"), title="", options=PageOptions())

    # Pillow's own words name an object: "cannot identify image file <_io.BytesIO object at 0x…>".
    message = str(refused.value)
    assert message.startswith("the image ")
    assert not re.search(r"[<>]|0x[0-9a-f]{4,}", message), message


def test_image_too_long_and_narrow_for_a_page_is_refused() -> None:
    with pytest.raises(GenerationFailed, match=r"too long and narrow \(6000x1000 pixels\)"):
        finish(Image.new("L", (6000, 1000), 255))


def test_sixteen_bit_grayscale_art_is_scaled_not_clipped_to_white() -> None:
    gray = np.asarray(antialiased_rings(), np.uint16) * 257  # the same art in 16 bits

    page = pixels(finish(Image.fromarray(gray)))

    assert 0.001 < float((page == 0).mean()) < 0.05  # the rings, not a blank page


def test_blank_image_raises_generation_failed() -> None:
    with pytest.raises(GenerationFailed, match="blank"):
        finish(Image.new("RGB", (W, H), "white"))


def test_long_cyrillic_title_stays_within_the_printable_area() -> None:
    title = ("Кот в шляпе едет на велосипеде по радуге и машет лапой; " * 20)[:1000]

    page = pixels(finish(antialiased_rings(), title=title))

    assert page.shape == (3508, 2480)
    margin = mm_to_px(10) - 2
    assert (page[:margin] == 255).all()
    assert (page[:, :margin] == 255).all()
    assert (page[:, -margin:] == 255).all()
    title_band = page[margin : margin + 250]
    assert (title_band == 0).sum() > 2000  # the title is really printed


def test_long_title_wraps_to_two_lines_and_ends_with_an_ellipsis() -> None:
    face = font(72)
    title = "Единорог " * 200

    lines = wrap_title(title.strip(), face, 2244)

    assert len(lines) == 2
    assert all(face.getlength(line) <= 2244 for line in lines)
    assert lines[-1].endswith("…")


def test_short_title_is_one_line_without_ellipsis() -> None:
    assert wrap_title("Кот в шляпе", font(72), 2244) == ["Кот в шляпе"]


def test_clean_line_art_page_passes_the_quality_rules() -> None:
    quality = finish(antialiased_rings()).quality

    assert quality is not None
    assert QualityRules().acceptable(quality)
    assert quality.white_share + quality.black_share == pytest.approx(1.0)
    assert quality.largest_solid_share == 0.0


def test_quality_is_measured_on_the_art_area_not_the_whole_sheet() -> None:
    page = finish(antialiased_rings(), title="Кот")

    whole_sheet_black = float((pixels(page) == 0).mean())
    assert page.quality is not None
    # The margins and the title band are white paper: the art alone is inkier than the sheet.
    assert page.quality.black_share > whole_sheet_black * 1.15


def test_big_filled_black_disk_is_hollowed_into_an_outlined_circle() -> None:
    # A solid blob this big used to be delivered as it was and drawn again by the core; the
    # finisher now keeps its outline and clears its inside (the measure: test_quality_gate).
    page = finish(rings_with_filled_disk(0.10))

    art = pixels(page)
    assert page.quality is not None
    assert page.quality.largest_solid_share == 0.0
    assert QualityRules().acceptable(page.quality)
    assert art[art.shape[0] // 2, art.shape[1] // 2] == 255  # the disk's centre is paper now


def test_small_filled_dot_stays_under_the_solid_limit() -> None:
    quality = finish(rings_with_filled_disk(0.005)).quality

    assert quality is not None
    assert 0.002 < quality.largest_solid_share < 0.02


@pytest.mark.parametrize("level", list(AgeLevel))
def test_bold_outlines_are_lines_not_solid_blobs(level: AgeLevel) -> None:
    source = Image.new("L", (W, H), 255)
    draw = ImageDraw.Draw(source)
    for inset in (100, 250, 400):  # 9 px here is about 20 px (1.7 mm) on A4
        draw.ellipse((inset, inset * 1.4, W - inset, H - inset * 1.4), outline=0, width=9)

    quality = finish(source, level=level).quality

    assert quality is not None
    assert quality.largest_solid_share == 0.0
    assert QualityRules().acceptable(quality)


def test_dense_hatching_is_too_much_black_though_no_blob() -> None:
    source = Image.new("L", (W, H), 255)
    draw = ImageDraw.Draw(source)
    for x in range(0, W, 10):
        draw.line((x, 0, x, H), fill=0, width=4)

    quality = finish(source).quality

    assert quality is not None
    assert quality.black_share > 0.25
    assert quality.largest_solid_share < 0.02
    assert not QualityRules().acceptable(quality)
