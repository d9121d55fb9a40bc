"""Image work: offline pattern generation, page post-processing and photo -> page, ms and memory.

Memory is measured in a fresh Python process running one page (Linux /proc): its peak resident
set size minus its RSS just before (after the imports and reading the input). OpenCV allocates
outside Python's allocator, so tracemalloc would miss most of it.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import math
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from adapters.offline_images import (
    OfflinePatternGenerator,
    OfflinePhotoTracer,
    OfflineSubjectGenerator,
)
from adapters.pages import ColoringPageFinisher
from paintcore.domain.errors import GenerationFailed
from paintcore.domain.pages import AgeLevel, PageOptions, Paper, RenderedImage, Style

RUNS = 10
PHOTO_RUNS = 5
HOSTILE_RUNS = 3
DESCRIPTION = "кот в шляпе едет на велосипеде"
SUBJECTS = ("кот в шляпе", "a dinosaur on a skateboard", "единорог и радуга")
ROOT = Path(__file__).resolve().parents[1]


def _median_ms(action: Callable[[], object], runs: int = RUNS) -> float:
    action()  # warm-up: font loading and first-call allocations are not per-page costs
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 1)


def _row(name: str, median_ms: float, runs: int = RUNS) -> dict[str, object]:
    # value/unit feed the table in bench/__main__; median_ms/runs keep the raw measurement.
    return {
        "benchmark": name,
        "median_ms": median_ms,
        "runs": runs,
        "value": median_ms,
        "unit": f"ms (median of {runs})",
    }


def synthetic_photo(width: int, height: int) -> bytes:
    """A JPEG 'photo': sky gradient, sun, hill with grass texture, a house, sensor noise."""
    rng = np.random.default_rng(11)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    y, x = y / height, x / width
    rgb = np.stack([110 + 100 * y, 160 + 70 * y, 240 - 10 * y], -1)
    grass = y > 0.7 + 0.03 * np.sin(x * 8)
    texture = cv2.resize(
        rng.standard_normal((height // 8, width // 8), np.float32), (width, height)
    )
    rgb[grass] = np.stack([70 + 30 * texture, 150 + 30 * texture, 50 + 15 * texture], -1)[grass]
    s = min(width, height)
    cv2.circle(rgb, (int(width * 0.85), int(height * 0.15)), s // 12, (255, 220, 80), -1)
    cv2.rectangle(
        rgb,
        (int(width * 0.3), int(height * 0.45)),
        (int(width * 0.7), int(height * 0.8)),
        (190, 110, 80),
        -1,
    )
    roof = np.array(
        [[width * 0.26, height * 0.45], [width * 0.5, height * 0.25], [width * 0.74, height * 0.45]]
    )
    cv2.fillPoly(rgb, [roof.astype(np.int32)], (120, 60, 50))
    cv2.rectangle(
        rgb,
        (int(width * 0.45), int(height * 0.6)),
        (int(width * 0.55), int(height * 0.8)),
        (100, 70, 40),
        -1,
    )
    rgb += rng.standard_normal(rgb.shape, np.float32) * 8
    buffer = io.BytesIO()
    Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _photo_to_page(photo: bytes, options: PageOptions) -> object:
    art = OfflinePhotoTracer().trace(photo=photo, prompt="", options=options)
    return ColoringPageFinisher().finish(art, title=DESCRIPTION, options=options)


def _disk_png(width: int, height: int, depth: int, colour: int, paper: bytes, ink: bytes) -> bytes:
    """A PNG of a disk on flat paper (`colour`: the PNG colour type; `paper`, `ink`: one pixel's
    bytes), compressed a row at a time: the hundreds of megabytes it holds never sit in memory."""
    blank, radius, squeeze = paper * width, min(width, height) / 3, zlib.compressobj(6)
    rows = []
    for y in range(height):
        dy, row = abs(y - height / 2), blank
        if dy < radius:
            left = round(width / 2 - math.sqrt(radius**2 - dy**2))
            right = width - left
            row = blank[: left * len(paper)] + ink * (right - left) + blank[right * len(paper) :]
        rows.append(squeeze.compress(b"\x00" + row))
    rows.append(squeeze.flush())

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    pixels = chunk(b"IDAT", b"".join(rows))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + pixels + chunk(b"IEND", b"")


def hostile_photos() -> dict[str, bytes]:
    """Small files that decode into hundreds of megabytes (issue 11, defect 4)."""
    return {
        "7000x7000 16-bit RGBA PNG": _disk_png(
            7000,
            7000,
            16,
            6,
            b"\xff\xff\xc0\x00\x80\x00\xff\xff",
            b"\x20\x00\x30\x00\xf0\x00\xff\xff",
        ),
        "7000x7000 16-bit gray PNG": _disk_png(7000, 7000, 16, 0, b"\xea\x60", b"\x1f\x40"),
        "49000x1000 RGB PNG": _disk_png(49000, 1000, 8, 2, b"\x80\xa0\xf0", b"\xc8\x28\x28"),
    }


def _hostile_to_page(photo: bytes, options: PageOptions) -> None:
    with contextlib.suppress(GenerationFailed):  # refusing it is a right answer too
        _photo_to_page(photo, options)


def _hostile_rows() -> list[dict[str, object]]:
    """Time and peak memory of the worst photo inputs, refused or made into a page. Before the
    bounds of issue 11 they took 1.2 s / 936 MiB, 1.6 s / 749 MiB and 0.4 s / 562 MiB."""
    rows = []
    options = PageOptions(level=AgeLevel.KIDS)
    for name, photo in hostile_photos().items():
        size = f"{name} ({len(photo) // 1000} KB)"
        ms = _median_ms(functools.partial(_hostile_to_page, photo, options), HOSTILE_RUNS)
        rows.append(_row(f"hostile photo {size} -> refused or A4 page", ms, HOSTILE_RUNS))
        rows.append(_memory_row(f"memory: hostile photo {size}", _peak_mib("hostile", photo)))
    return rows


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise LookupError(field)


def _one_page(case: str, path: str) -> float:
    """Run one page in this process; how far it raised the peak RSS above the RSS before, MiB."""
    data = Path(path).read_bytes()
    options = PageOptions(level=AgeLevel.KIDS)
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent through fork and
    # exec, so a child of a big benchmark process would report the parent's size. Writing 5
    # to clear_refs resets VmHWM to the current RSS.
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_kib("VmRSS")
    if case == "finish":
        page = RenderedImage(data, "bench")
        ColoringPageFinisher().finish(page, title=DESCRIPTION, options=options)
    elif case == "hostile":
        _hostile_to_page(data, options)
    else:
        _photo_to_page(data, options)
    return round((_status_kib("VmHWM") - before) / 1024, 1)


def _peak_mib(case: str, data: bytes) -> float:
    with tempfile.NamedTemporaryFile(suffix=".img") as file:
        file.write(data)
        file.flush()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
        done = subprocess.run(
            [sys.executable, "-m", "bench.postprocess", case, file.name],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
    return float(json.loads(done.stdout.strip().splitlines()[-1]))


def _memory_row(name: str, mib: float) -> dict[str, object]:
    unit = "MiB peak RSS over the idle process (VmHWM, fresh process, one page)"
    return {"benchmark": name, "peak_rss_mib": mib, "value": mib, "unit": unit}


def _subject_page(description: str, options: PageOptions) -> object:
    art = OfflineSubjectGenerator().generate(prompt="", description=description, options=options)
    return ColoringPageFinisher().finish(art, title=description, options=options)


def _subject_rows() -> list[dict[str, object]]:
    """Offline pages of the subject, from description to PNG + PDF (goal: 0.5 s a page). The
    first page in a process also loads the Russian dictionary and the English inflector."""
    options = PageOptions(level=AgeLevel.KIDS)
    started = time.perf_counter()
    _subject_page(SUBJECTS[0], options)
    cold = round((time.perf_counter() - started) * 1000, 1)
    rows = [_row("offline subject page, first in a process (dictionaries load)", cold, 1)]
    generator = OfflineSubjectGenerator()
    for description in SUBJECTS:
        draw = functools.partial(
            generator.generate, prompt="", description=description, options=options
        )
        rows.append(_row(f"offline subject drawing 1200x1600 «{description}»", _median_ms(draw)))
        page = functools.partial(_subject_page, description, options)
        rows.append(
            _row(f"offline subject page «{description}» -> A4 (draw + finish)", _median_ms(page))
        )
    return rows


def run() -> list[dict[str, object]]:
    generator = OfflinePatternGenerator()
    finisher = ColoringPageFinisher()
    rows = _subject_rows()
    for style, level in ((Style.MANDALA, AgeLevel.ADULT), (Style.CARTOON, AgeLevel.KIDS)):
        options = PageOptions(level=level, style=style)
        ms = _median_ms(
            functools.partial(
                generator.generate, prompt="", description=DESCRIPTION, options=options
            )
        )
        rows.append(_row(f"offline pattern 1024x1536 ({style}, {level})", ms))
    source = generator.generate(
        prompt="", description=DESCRIPTION, options=PageOptions(AgeLevel.ADULT, Style.MANDALA)
    )
    for paper, level in (
        (Paper.A4, AgeLevel.ADULT),
        (Paper.A4, AgeLevel.TODDLER),
        (Paper.LETTER, AgeLevel.KIDS),
    ):
        options = PageOptions(level=level, style=Style.MANDALA, paper=paper)
        ms = _median_ms(
            functools.partial(finisher.finish, source, title=DESCRIPTION, options=options)
        )
        rows.append(_row(f"post-process 1024x1536 -> {paper.name} ({level}), PNG+PDF", ms))
    photos = {size: synthetic_photo(*size) for size in ((1024, 1536), (4032, 3024))}
    for (width, height), photo in photos.items():
        options = PageOptions(level=AgeLevel.KIDS)
        ms = _median_ms(functools.partial(_photo_to_page, photo, options), PHOTO_RUNS)
        rows.append(
            _row(f"photo {width}x{height} JPEG -> A4 page (trace + finish, 4-7)", ms, PHOTO_RUNS)
        )
    rows.append(
        _memory_row("memory: post-process 1024x1536 -> A4", _peak_mib("finish", source.data))
    )
    for (width, height), photo in photos.items():
        name = f"memory: photo {width}x{height} JPEG -> A4 page"
        rows.append(_memory_row(name, _peak_mib("photo", photo)))
    return rows + _hostile_rows()


if __name__ == "__main__":
    if len(sys.argv) == 3:  # the memory probe: `python -m bench.postprocess CASE FILE`
        print(json.dumps(_one_page(sys.argv[1], sys.argv[2])))
    elif sys.argv[1:] == ["hostile"]:
        for row in _hostile_rows():
            print(f"{row['benchmark']}: {row['value']} {row['unit']}")
    else:
        for row in run():
            print(f"{row['benchmark']}: {row['value']} {row['unit']}")
