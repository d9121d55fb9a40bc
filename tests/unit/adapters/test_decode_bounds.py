"""Small files that decode into gigabytes are refused before decoding or decoded in bounded memory.

Peak memory is measured as bench/postprocess.py does: in a fresh Python process, VmHWM from
/proc/self/status after resetting it through clear_refs (Pillow and OpenCV allocate outside
Python's allocator, so tracemalloc would miss most of it). Every crafted file is built here.
"""

from __future__ import annotations

import io
import json
import math
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

pytestmark = pytest.mark.slow  # each case starts a Python process

BOUNDED_MIB = 300  # tracing a phone photo peaks near 120 MB; the files below took 0.6-1 GB
UNDECODED_MIB = 20  # refused from the header: no pixel buffer was ever allocated
DECODE_MIB = 150  # decoding alone (the finisher's) stays within its budget of 150 MB

PROBE = """
import json, sys
from pathlib import Path

from adapters.offline_images import OfflinePhotoTracer
from adapters.pages.decode import decode_gray
from paintcore.domain.errors import GenerationFailed
from paintcore.domain.pages import PageOptions
from concurrent.futures import ThreadPoolExecutor


def kib(field):
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith(field))
    return int(line.split()[1])


case, files = sys.argv[1], [Path(name).read_bytes() for name in sys.argv[2:]]
tracer = OfflinePhotoTracer()
Path("/proc/self/clear_refs").write_text("5")
before = kib("VmRSS:")


def run(data):
    try:
        if case == "photo":
            tracer.trace(photo=data, prompt="", options=PageOptions())
        else:
            decode_gray(data)
        return "decoded"
    except GenerationFailed as exc:
        return str(exc)


with ThreadPoolExecutor(len(files)) as pool:
    outcomes = list(pool.map(run, files))
print(json.dumps({"mib": (kib("VmHWM:") - before) / 1024, "outcomes": outcomes}))
"""


def peak(case: str, tmp_path: Path, *files: bytes) -> tuple[float, list[str]]:
    """Decode the files at once in a fresh process ("photo": the offline tracer, "finish": the
    finisher's decode): the peak RSS it added, MiB, and what became of each file."""
    paths = []
    for number, data in enumerate(files):
        path = tmp_path / f"input{number}"
        path.write_bytes(data)
        paths.append(str(path))
    done = subprocess.run(
        [sys.executable, "-c", PROBE, case, *paths],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    return float(result["mib"]), list(result["outcomes"])


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def streamed_png(
    width: int,
    height: int,
    *,
    depth: int,
    colour: int,
    row: Callable[[int], bytes],
    extra: bytes = b"",
    rows: int | None = None,
) -> bytes:
    """A PNG compressed a row at a time: the hundreds of megabytes it holds never sit in memory.
    `colour` is the PNG colour type (0 gray, 2 RGB, 3 palette, 6 RGBA); `extra`, chunks such as
    PLTE that go before the pixels; `rows`, how many rows the data holds (all by default)."""
    squeeze = zlib.compressobj(6)
    stored = range(height if rows is None else rows)
    pixels = b"".join(squeeze.compress(b"\x00" + row(y)) for y in stored)
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            extra,
            _chunk(b"IDAT", pixels + squeeze.flush()),
            _chunk(b"IEND", b""),
        ]
    )


def disk(width: int, height: int, paper: bytes, ink: bytes) -> Callable[[int], bytes]:
    """Rows of a filled disk in the middle of flat paper; `paper` and `ink` are one pixel's bytes."""
    blank = paper * width
    radius = min(width, height) / 3

    def row(y: int) -> bytes:
        dy = abs(y - height / 2)
        if dy >= radius:
            return blank
        left = round(width / 2 - math.sqrt(radius**2 - dy**2))
        right = width - left
        return blank[: left * len(paper)] + ink * (right - left) + blank[right * len(paper) :]

    return row


def rgba16(side: int) -> bytes:
    """16-bit RGBA, side x side: 7000 is 49 MP, under the photo cap, in about 600 KB."""
    row = disk(side, side, b"\xff\xff\xc0\x00\x80\x00\xff\xff", b"\x20\x00\x30\x00\xf0\x00\xff\xff")
    return streamed_png(side, side, depth=16, colour=6, row=row)


def gray16(side: int) -> bytes:
    row = disk(side, side, (60_000).to_bytes(2, "big"), (8_000).to_bytes(2, "big"))
    return streamed_png(side, side, depth=16, colour=0, row=row)


def palette_with_transparency(side: int) -> bytes:
    extra = _chunk(b"PLTE", b"\x80\xa0\xf0\xc8\x28\x28") + _chunk(b"tRNS", b"\x00")
    return streamed_png(
        side, side, depth=8, colour=3, row=disk(side, side, b"\x00", b"\x01"), extra=extra
    )


def jpeg(image: Image.Image, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80, **options)
    return buffer.getvalue()


def declared_jpeg(width: int, height: int) -> bytes:
    """A 64x64 JPEG whose header claims width x height pixels."""
    data = bytearray(jpeg(Image.new("RGB", (64, 64), "red")))
    frame = data.index(b"\xff\xc0")  # SOF0: length (2), precision (1), then height and width
    struct.pack_into(">HH", data, frame + 5, height, width)
    return bytes(data)


def png_bomb(side: int) -> bytes:
    """1-bit gray: a header declaring side x side pixels, the data of ten rows."""
    row = b"\x00" * (side // 8)
    return streamed_png(side, side, depth=1, colour=0, row=lambda y: row, rows=10)


@pytest.fixture(scope="module")
def big_gray16() -> bytes:
    return gray16(7000)


def test_sixteen_bit_rgba_png_near_the_pixel_cap_is_refused_before_decoding(
    tmp_path: Path,
) -> None:
    data = rgba16(7000)
    assert len(data) < 1_000_000

    mib, [outcome] = peak("photo", tmp_path, data)

    assert outcome.startswith("the photo is too large to decode (7000x7000 pixels")
    assert mib < UNDECODED_MIB


def test_sixteen_bit_gray_png_near_the_pixel_cap_is_traced_in_bounded_memory(
    tmp_path: Path, big_gray16: bytes
) -> None:
    mib, [outcome] = peak("photo", tmp_path, big_gray16)

    assert outcome == "decoded"
    assert mib < BOUNDED_MIB


def test_very_wide_png_is_refused_before_decoding(tmp_path: Path) -> None:
    row = disk(49_000, 1000, b"\x80\xa0\xf0", b"\xc8\x28\x28")
    data = streamed_png(49_000, 1000, depth=8, colour=2, row=row)

    mib, [outcome] = peak("photo", tmp_path, data)

    assert outcome == "the photo is too long and narrow (49000x1000 pixels)"
    assert mib < UNDECODED_MIB


def test_palette_png_with_transparency_near_the_pixel_cap_is_refused_before_decoding(
    tmp_path: Path,
) -> None:
    mib, [outcome] = peak("photo", tmp_path, palette_with_transparency(7000))

    assert outcome.startswith("the photo is too large to decode")
    assert mib < UNDECODED_MIB


@pytest.mark.parametrize("side", [12_000, 100_000], ids=["pillow-warns", "pillow-refuses"])
def test_png_bomb_is_refused_from_its_header(tmp_path: Path, side: int) -> None:
    mib, [outcome] = peak("photo", tmp_path, png_bomb(side))

    assert outcome.startswith("the photo is too large")
    assert mib < UNDECODED_MIB


def test_jpeg_declaring_a_huge_picture_is_refused_from_its_header(tmp_path: Path) -> None:
    mib, [outcome] = peak("photo", tmp_path, declared_jpeg(60_000, 60_000))

    assert outcome.startswith("the photo is too large")
    assert mib < UNDECODED_MIB


def test_jpeg_declaring_more_pixels_than_it_holds_is_decoded_at_reduced_size(
    tmp_path: Path,
) -> None:
    mib, [outcome] = peak("photo", tmp_path, declared_jpeg(7000, 7000))

    assert outcome in {"decoded", "the photo shows nothing to trace (one flat colour)"}
    assert mib < BOUNDED_MIB


def test_progressive_jpeg_whose_coefficients_outgrow_the_budget_is_refused(
    tmp_path: Path,
) -> None:
    # Full-resolution chroma (4:4:4): libjpeg keeps 6 bytes a pixel for a progressive file.
    picture = Image.new("RGB", (7000, 7000), (120, 170, 230))
    ImageDraw.Draw(picture).ellipse((1500, 1500, 5500, 5500), fill=(200, 40, 40))
    data = jpeg(picture, progressive=True, subsampling=0)
    del picture

    mib, [outcome] = peak("photo", tmp_path, data)

    assert outcome.startswith("the photo is too large to decode (7000x7000 pixels")
    assert mib < UNDECODED_MIB


def test_truncated_big_png_fails_plainly_in_bounded_memory(
    tmp_path: Path, big_gray16: bytes
) -> None:
    mib, [outcome] = peak("photo", tmp_path, big_gray16[: len(big_gray16) // 2])

    assert outcome == "the photo file is damaged or incomplete"
    assert mib < BOUNDED_MIB


def test_four_big_photos_at_once_take_the_memory_of_two(tmp_path: Path, big_gray16: bytes) -> None:
    mib, outcomes = peak("photo", tmp_path, *[big_gray16] * 4)

    assert outcomes == ["decoded"] * 4
    assert mib < 2 * BOUNDED_MIB


@pytest.mark.parametrize(
    ("make", "side", "refused"),
    [
        (rgba16, 6300, True),  # 39.7 MP: under the 50 MP cap
        (gray16, 6300, True),
        (palette_with_transparency, 6300, True),
        (rgba16, 4000, False),
        (gray16, 4000, False),
    ],
    ids=["rgba16-6300", "gray16-6300", "palette-6300", "rgba16-4000", "gray16-4000"],
)
def test_finisher_decodes_big_backend_images_within_the_budget_or_refuses_them(
    tmp_path: Path, make: Callable[[int], bytes], side: int, refused: bool
) -> None:
    mib, [outcome] = peak("finish", tmp_path, make(side))

    if refused:
        assert outcome.startswith(f"the image is too large to decode ({side}x{side} pixels")
    else:
        assert outcome == "decoded"
    assert mib < DECODE_MIB
