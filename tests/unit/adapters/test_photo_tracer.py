"""OfflinePhotoTracer on synthetic photos: closed, clean outlines a child can colour."""

from __future__ import annotations

import io
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from adapters.offline_images import OfflinePhotoTracer
from adapters.offline_images import photo as photo_module
from adapters.offline_images.photofile import load_photo
from adapters.pages import ColoringPageFinisher
from paintcore.domain.errors import GenerationFailed
from paintcore.domain.pages import AgeLevel, ArtKind, ColoringPage, PageOptions, RenderedImage
from paintcore.domain.quality import QualityRules
from paintcore.ports import PhotoTracer

TRACER: PhotoTracer = OfflinePhotoTracer()  # mypy checks it fits the port
FINISHER = ColoringPageFinisher(title_px=0)  # no title: the art's box is the whole ink box


@dataclass(frozen=True, slots=True)
class Shape:
    """Where a shape's inside is, as fractions of the photo, and its share of the picture."""

    x: float
    y: float
    share: float


CIRCLE = Shape(0.27, 0.35, np.pi * 0.2**2 * 3 / 4)
RECTANGLE = Shape(0.715, 0.325, 0.33 * 0.35)
TRIANGLE = Shape(0.55, 0.78, 0.5 * 0.5 * 0.35)
BACKGROUND = Shape(0.05, 0.6, 0.0)


def shapes_photo(width: int = 1200, height: int = 900, *, noise: float = 12.0) -> NDArray[np.uint8]:
    """Three flat shapes on a two-way colour gradient, blurred like a lens, with sensor noise."""
    rng = np.random.default_rng(5)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    photo = np.stack([120 + 80 * y / height, 170 + 50 * x / width, 230 - 60 * y / height], -1)
    w, h = width, height
    cv2.circle(photo, (round(w * 0.27), round(h * 0.35)), round(h * 0.2), (220, 40, 40), -1)
    cv2.rectangle(
        photo,
        (round(w * 0.55), round(h * 0.15)),
        (round(w * 0.88), round(h * 0.5)),
        (40, 150, 60),
        -1,
    )
    triangle = np.array([[w * 0.3, h * 0.9], [w * 0.55, h * 0.55], [w * 0.8, h * 0.9]], np.int32)
    cv2.fillPoly(photo, [triangle], (240, 200, 40))
    photo = cv2.GaussianBlur(photo, (0, 0), 1.2)
    photo += rng.normal(0, noise, photo.shape).astype(np.float32)
    return np.clip(photo, 0, 255).astype(np.uint8)


def jpeg(rgb: NDArray[np.uint8], *, orientation: int = 1) -> bytes:
    image = Image.fromarray(rgb)
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, exif=exif.tobytes())
    return buffer.getvalue()


def trace(photo: bytes, level: AgeLevel = AgeLevel.KIDS) -> RenderedImage:
    return TRACER.trace(photo=photo, prompt="ignored offline", options=PageOptions(level=level))


def ink(image: RenderedImage | ColoringPage) -> NDArray[np.uint8]:
    """1 where the picture is black."""
    data = image.data if isinstance(image, RenderedImage) else image.png
    gray = np.asarray(Image.open(io.BytesIO(data)).convert("L"))
    return np.asarray(gray < 128, np.uint8)


def paper_regions(black: NDArray[np.uint8]) -> tuple[int, NDArray[np.int32]]:
    count, labels = cv2.connectedComponents((1 - black).astype(np.uint8), connectivity=4)
    return count - 1, np.asarray(labels, np.int32)


@pytest.fixture(scope="module")
def traced() -> RenderedImage:
    return trace(jpeg(shapes_photo()))


@pytest.fixture(scope="module")
def page(traced: RenderedImage) -> ColoringPage:
    return FINISHER.finish(traced, title="", options=PageOptions())


def test_tracer_is_named_offline_photo_and_marks_its_images() -> None:
    art = OfflinePhotoTracer().trace(
        photo=jpeg(shapes_photo(400, 300)), prompt="", options=PageOptions()
    )

    assert TRACER.name == "offline-photo"
    assert art.source == "offline-photo"
    assert art.kind is ArtKind.PHOTO


def test_output_is_a_png_1536_px_long_with_the_photos_aspect(traced: RenderedImage) -> None:
    image = Image.open(io.BytesIO(traced.data))

    assert image.format == "PNG"
    assert image.size == (1536, 1152)


def test_finished_page_passes_the_quality_rules(page: ColoringPage) -> None:
    assert page.quality is not None
    assert QualityRules().problems(page.quality) == []


def test_each_shape_is_enclosed_by_its_own_closed_outline(page: ColoringPage) -> None:
    black = ink(page)
    rows, cols = np.nonzero(black)
    top, left = rows.min(), cols.min()
    height, width = rows.max() - top + 1, cols.max() - left + 1  # the frame around the art
    _, labels = paper_regions(black)

    def region_at(shape: Shape) -> int:
        return int(labels[top + round(shape.y * height), left + round(shape.x * width)])

    found = [region_at(shape) for shape in (CIRCLE, RECTANGLE, TRIANGLE, BACKGROUND)]
    assert 0 not in found  # every probe is on paper, not on a line
    assert len(set(found)) == 4  # a flood fill from one shape never reaches another
    for shape, label in zip((CIRCLE, RECTANGLE, TRIANGLE), found[:3], strict=True):
        share = float((labels == label).sum()) / (height * width)
        # The whole inside, not a fragment, and nothing leaked in from outside.
        assert 0.75 * shape.share < share < 1.1 * shape.share


def test_sensor_noise_leaves_no_specks(traced: RenderedImage) -> None:
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink(traced), connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA]

    assert count - 1 <= 6  # the frame and the three outlines, give or take a touching pair
    assert int((areas < 500).sum()) == 0


def test_dust_and_heavy_noise_leave_no_specks_or_tiny_regions() -> None:
    photo = shapes_photo(noise=25.0)
    rng = np.random.default_rng(3)
    for x, y in rng.integers(20, 880, size=(300, 2)):
        cv2.circle(photo, (int(x), int(y)), int(rng.integers(1, 4)), (30, 30, 30), -1)

    black = ink(trace(jpeg(photo)))

    _, _, stats, _ = cv2.connectedComponentsWithStats(black, connectivity=8)
    assert int((stats[1:, cv2.CC_STAT_AREA] < 500).sum()) == 0  # no ink specks
    regions, labels = paper_regions(black)
    sizes = np.bincount(labels.ravel())[1:]
    assert int((sizes < 2000).sum()) == 0  # no paper islands too small to colour
    assert regions <= 8


def test_featureless_noisy_photo_has_nothing_to_trace() -> None:
    sky = np.full((600, 800, 3), (120, 170, 230), np.uint8)
    noisy = np.clip(sky + np.random.default_rng(1).normal(0, 12, sky.shape), 0, 255)

    with pytest.raises(GenerationFailed, match="nothing to trace"):
        trace(jpeg(noisy.astype(np.uint8)))


def test_exif_rotated_photo_comes_out_upright() -> None:
    upright = shapes_photo(900, 1200)  # portrait, the circle in the upper half
    stored = np.ascontiguousarray(np.rot90(upright))  # as a camera held sideways saves it
    assert stored.shape[1] > stored.shape[0]

    art = trace(jpeg(stored, orientation=6))  # 6: turn 90 degrees clockwise to view

    image = Image.open(io.BytesIO(art.data))
    assert image.size == (1152, 1536)
    _, labels = paper_regions(ink(art))
    circle = labels[round(0.35 * 1536), round(0.27 * 1152)]
    assert circle != labels[20, 20]  # the circle's inside is its own region, where expected


def test_large_phone_photo_is_traced() -> None:
    art = trace(jpeg(shapes_photo(4032, 3024)))

    assert Image.open(io.BytesIO(art.data)).size == (1536, 1152)
    assert paper_regions(ink(art))[0] >= 4


def test_younger_children_get_thicker_lines() -> None:
    photo = jpeg(shapes_photo(800, 600))

    toddler, adult = ink(trace(photo, AgeLevel.TODDLER)), ink(trace(photo, AgeLevel.ADULT))

    def line_width(black: NDArray[np.uint8]) -> float:
        inside = cv2.distanceTransform(black, cv2.DIST_L2, 5)
        return 2 * float(inside.max())

    assert line_width(toddler) > 1.5 * line_width(adult)


def test_same_photo_gives_the_same_art() -> None:
    photo = jpeg(shapes_photo(400, 300))

    assert trace(photo).data == trace(photo).data


def test_transparent_png_is_traced_on_white() -> None:
    rgba = np.zeros((600, 800, 4), np.uint8)  # transparent black everywhere
    cv2.circle(rgba, (400, 300), 200, (200, 30, 30, 255), -1)
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, format="PNG")

    count, labels = paper_regions(ink(trace(buffer.getvalue())))

    assert count == 2  # inside the circle, and the white around it
    assert labels[576, 768] != labels[40, 40]


def png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_sixteen_bit_grayscale_png_is_scaled_not_clipped_to_white() -> None:
    gray = np.full((600, 800), 60_000, np.uint16)
    cv2.circle(gray, (400, 300), 200, 8_000, -1)

    count, _ = paper_regions(ink(trace(png(Image.fromarray(gray)))))

    assert count == 2


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"definitely not a photo",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        b"\xff\xd8\xff\xe0" + b"\x00" * 100,
        png(Image.new("RGB", (8, 8), "red")),
        png(Image.new("RGB", (3000, 200), "red")),
    ],
    ids=["empty", "text", "broken-png", "broken-jpeg", "8x8", "3000x200"],
)
def test_unusable_bytes_raise_generation_failed(data: bytes) -> None:
    with pytest.raises(GenerationFailed):
        trace(data)


@pytest.mark.parametrize(
    "data",
    [
        b"definitely not a photo",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        b"\xff\xd8\xff\xe0" + b"\x00" * 100,
        jpeg(shapes_photo(400, 300))[:3000],
    ],
    ids=["text", "broken-png", "broken-jpeg", "truncated-jpeg"],
)
def test_undecodable_photo_is_refused_in_a_plain_sentence(data: bytes) -> None:
    with pytest.raises(GenerationFailed) as refused:
        trace(data)

    # Pillow's own words name an object: "cannot identify image file <_io.BytesIO object at 0x…>".
    message = str(refused.value)
    assert message.startswith("the photo ")
    assert not re.search(r"[<>]|0x[0-9a-f]{4,}", message), message


def test_at_most_two_photos_are_traced_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    inside, most = 0, 0
    lock = threading.Lock()

    def counting_load(data: bytes, long_side: int) -> NDArray[np.uint8]:
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        time.sleep(0.2)  # the other callers arrive meanwhile
        with lock:
            inside -= 1
        return load_photo(data, long_side)

    monkeypatch.setattr(photo_module, "load_photo", counting_load)
    tracer, photo = OfflinePhotoTracer(), jpeg(shapes_photo(400, 300))

    with ThreadPoolExecutor(6) as pool:
        arts = list(pool.map(lambda _: trace_with(tracer, photo), range(6)))

    assert most == 2
    assert len({art.data for art in arts}) == 1  # the callers who waited got their page too


def trace_with(tracer: OfflinePhotoTracer, photo: bytes) -> RenderedImage:
    return tracer.trace(photo=photo, prompt="", options=PageOptions())


def test_truncated_jpeg_raises_generation_failed() -> None:
    whole = jpeg(shapes_photo(400, 300))

    with pytest.raises(GenerationFailed):
        trace(whole[: len(whole) // 3])


def test_dim_hazy_photo_finds_the_same_shapes_as_a_bright_one() -> None:
    bright = shapes_photo(800, 600)
    dim = (bright.astype(np.float32) * 0.25 + 30).astype(np.uint8)  # underexposed, low contrast

    bright_count, _ = paper_regions(ink(trace(jpeg(bright))))
    dim_count, _ = paper_regions(ink(trace(jpeg(dim))))

    assert bright_count == 4
    assert dim_count == bright_count
