"""The page title: clean the user's text, wrap it to two lines, draw it in the vendored font."""

from __future__ import annotations

import functools
import io
import threading
import unicodedata
from importlib import resources

from PIL import Image, ImageDraw, ImageFont

FONT_FILE = "DejaVuSans-Bold.ttf"
ELLIPSIS = "…"
MAX_LINES = 2
# Far more than two lines ever hold; bounds the layout work on a 1000-character description.
MAX_TITLE_CHARS = 300
NOTDEF_PROBE = "\U0010fffd"  # a private-use code point: no font maps it, so it draws .notdef


# A FreeType face must not be used by two threads at once, and pages are finished by a pool of
# workers: each thread gets its own faces, read from one shared copy of the font file.
_per_thread = threading.local()


@functools.cache
def _font_file() -> bytes:
    return resources.files("adapters.pages").joinpath("fonts", FONT_FILE).read_bytes()


def font(size: int) -> ImageFont.FreeTypeFont:
    """DejaVu Sans Bold at `size` px (this thread's instance): Latin, Cyrillic and Greek."""
    faces: dict[int, ImageFont.FreeTypeFont] = _per_thread.__dict__.setdefault("faces", {})
    if size not in faces:
        faces[size] = ImageFont.truetype(io.BytesIO(_font_file()), size)
    return faces[size]


@functools.lru_cache(maxsize=4096)
def _has_glyph(size: int, char: str) -> bool:
    # A character the font lacks renders as the .notdef box (emoji, CJK in DejaVu); printed,
    # it would be a meaningless rectangle, so such characters are left out of the title.
    return char.isspace() or _mask_key(size, char) != _mask_key(size, NOTDEF_PROBE)


@functools.lru_cache(maxsize=4096)
def _mask_key(size: int, char: str) -> tuple[tuple[int, int], bytes]:
    mask = font(size).getmask(char, mode="1")
    return mask.size, bytes(mask)


def clean_title(text: str, size: int) -> str:
    """One line of printable text: whitespace collapsed, controls and unprintable glyphs dropped."""
    text = unicodedata.normalize("NFC", text)[: MAX_TITLE_CHARS * 2]
    kept = [
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or (unicodedata.category(ch)[0] != "C" and _has_glyph(size, ch))
    ]
    return " ".join("".join(kept).split())[:MAX_TITLE_CHARS]


def wrap_title(text: str, face: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """At most two lines no wider than `max_width`, the last ellipsized if text is left over."""
    lines: list[str] = []
    rest = text.split(" ")
    while rest and len(lines) < MAX_LINES:
        line = ""
        while rest:
            candidate = f"{line} {rest[0]}" if line else rest[0]
            if face.getlength(candidate) <= max_width:
                line = candidate
                rest.pop(0)
            elif not line:
                # One word wider than the page: break it where it stops fitting.
                cut = _fitting_prefix(rest[0], face, max_width)
                line, rest[0] = rest[0][:cut], rest[0][cut:]
            else:
                break
        lines.append(line)
    if rest and lines:
        lines[-1] = _ellipsize(lines[-1], face, max_width)
    return [line for line in lines if line]


def _fitting_prefix(word: str, face: ImageFont.FreeTypeFont, max_width: int) -> int:
    low, high = 1, len(word)  # at least one character, so the loop always advances
    while low < high:
        middle = (low + high + 1) // 2
        if face.getlength(word[:middle]) <= max_width:
            low = middle
        else:
            high = middle - 1
    return low


def _ellipsize(line: str, face: ImageFont.FreeTypeFont, max_width: int) -> str:
    while line and face.getlength(line.rstrip(" ,.;:-—") + ELLIPSIS) > max_width:
        line = line[:-1]
    return line.rstrip(" ,.;:-—") + ELLIPSIS


def draw_title(
    page: Image.Image,
    lines: tuple[str, ...],
    face: ImageFont.FreeTypeFont,
    *,
    top: int,
    spacing: int,
) -> None:
    """Draw each line centred, black, without anti-aliasing (the page stays two-level)."""
    draw = ImageDraw.Draw(page)
    draw.fontmode = "1"
    centre = page.width / 2
    for index, line in enumerate(lines):
        draw.text((centre, top + index * spacing), line, fill=0, font=face, anchor="ma")
