"""Image bytes -> 8-bit pictures in bounded memory, or GenerationFailed with a plain message."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps, JpegImagePlugin, UnidentifiedImageError

from paintcore.domain.errors import GenerationFailed

# The most pixels a picture may declare: a 48 MP phone photo (8000x6000) is the largest a user
# really sends (a backend page is a few megapixels); far beyond that the file is broken or
# hostile. Memory is bounded by MAX_DECODE_BYTES below, not by this: it only refuses the
# absurd from the header, so one limit serves photos and backend pages alike.
MAX_PIXELS = 50_000_000
# Longer and narrower than this, the art would be a sliver on the page (and a traced photo's
# outlines a few pixels tall).
MAX_ASPECT = 5.0
# The most decoding one image may hold at once (its pixels as Pillow keeps them plus the
# full-size copies converting them takes), about what tracing a photo needs: a small file that
# declares a big picture (600 KB of 7000x7000 16-bit RGBA PNG, 392 MB decoded) cannot take
# gigabytes. A JPEG photo decodes at 1/8 size and fits at any size up to the pixel cap; a PNG
# photo over ~37 MP (19 MP with transparency) is refused, and as a real photo it would be over
# the 20 MB Telegram lets a bot download anyway.
MAX_DECODE_BYTES = 150_000_000
WIDE_GRAY = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I", "F"})
POINT_MODES = frozenset({"I;16", "I", "F"})  # the wide modes Image.point() takes


@contextmanager
def decoding(data: bytes, what: str, *, min_side: int = 1) -> Iterator[Image.Image]:
    """The opened image, nothing decoded yet, once its header passed the size limits (MAX_PIXELS,
    MAX_ASPECT, sides of at least `min_side`); any failure inside the block becomes
    GenerationFailed with a plain message about `what`."""
    if not data:
        raise GenerationFailed(f"the {what} is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                _check_header(opened, what, min_side)
                yield opened
    except GenerationFailed:
        raise
    # Pillow's own messages are no good to show: "cannot identify image file <_io.BytesIO
    # object at 0x7f...>", "could be decompression bomb DOS attack".
    except UnidentifiedImageError:
        raise GenerationFailed(f"the {what} is not a picture (PNG, JPEG, WebP, ...)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise GenerationFailed(f"the {what} is too large (far too many pixels)") from None
    except Exception as exc:
        # Decoders raise a zoo of types on malformed input (OSError, SyntaxError, struct.error,
        # zlib.error, ValueError, ...); the ports promise GenerationFailed and nothing else.
        raise GenerationFailed(f"the {what} file is damaged or incomplete") from exc


def _check_header(image: Image.Image, what: str, min_side: int) -> None:
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise GenerationFailed(f"the {what} is too large ({width}x{height} pixels)")
    if min(width, height) < min_side:
        raise GenerationFailed(f"the {what} is too small ({width}x{height} pixels)")
    if max(width, height) > MAX_ASPECT * min(width, height):
        raise GenerationFailed(f"the {what} is too long and narrow ({width}x{height} pixels)")
    # A progressive JPEG is decoded from all its coefficients at once, two bytes each at full
    # size whatever the draft scale: 300 MB for a 700 KB file of 7000x7000 pixels.
    if isinstance(image, JpegImagePlugin.JpegImageFile) and image.info.get("progressive"):
        h_max = max(layer[1] for layer in image.layer)
        v_max = max(layer[2] for layer in image.layer)
        planes = sum(layer[1] * layer[2] for layer in image.layer) / (h_max * v_max)
        _check_bytes(image, what, round(2 * planes * width * height))


def _check_bytes(image: Image.Image, what: str, needed: int) -> None:
    if needed > MAX_DECODE_BYTES:
        raise GenerationFailed(
            f"the {what} is too large to decode ({image.width}x{image.height} pixels, "
            f"{image.mode}, {needed // 1_000_000} MB)"
        )


def pixel_bytes(mode: str) -> int:
    """Bytes Pillow keeps a pixel of `mode` in: 1, L and P take one, 16-bit gray two, the rest
    (RGB included) four."""
    if mode in {"1", "L", "P"}:
        return 1
    return 2 if mode.startswith("I;16") else 4


def check_memory(image: Image.Image, what: str, bytes_per_pixel: int) -> None:
    """GenerationFailed when decoding `image` at its current (drafted) size, holding
    `bytes_per_pixel` for each of its pixels at once, would take more than MAX_DECODE_BYTES."""
    _check_bytes(image, what, image.width * image.height * bytes_per_pixel)


def eight_bit_mode(image: Image.Image) -> str:
    """L, LA, RGB or RGBA: the 8-bit mode holding what `image` shows, transparency included."""
    if image.mode in WIDE_GRAY:
        return "L"
    gray = image.mode in {"1", "L", "LA", "La"}
    if image.has_transparency_data:
        return "LA" if gray else "RGBA"
    return "L" if gray else "RGB"


def eight_bit(image: Image.Image) -> Image.Image:
    """`image` in eight_bit_mode; itself when it is already."""
    target = eight_bit_mode(image)
    if image.mode in WIDE_GRAY:
        if image.mode not in POINT_MODES:
            image = image.convert("I")
        # Pillow's convert("L") would clip 16-bit gray to near-white instead of scaling it.
        return image.point(lambda value: value / 257).convert("L")
    return image if image.mode == target else image.convert(target)


def on_white(image: Image.Image, mode: str) -> Image.Image:
    """An L, LA, RGB or RGBA image in `mode` (L or RGB), transparency flattened onto white."""
    if "A" not in image.mode:
        return image if image.mode == mode else image.convert(mode)
    paper = Image.new(mode, image.size, "white")
    paper.paste(image.convert(mode), mask=image.getchannel("A"))
    return paper


def _gray_bytes_per_pixel(image: Image.Image) -> int:
    """What decode_gray holds at its peak for each pixel of `image`: the pixels, their 8-bit copy
    (16-bit gray is scaled in a wide mode first), the gray, alpha and paper planes flattening
    transparency takes (or the gray copy of colour), and the array handed back."""
    target = eight_bit_mode(image)
    needed = pixel_bytes(image.mode)
    if image.mode in WIDE_GRAY:
        scaled = image.mode if image.mode in POINT_MODES else "I"
        needed += (0 if scaled == image.mode else 4) + pixel_bytes(scaled) + 1
    elif target != image.mode:
        needed += pixel_bytes(target)
    if "A" in target:
        needed += 3
    elif target != "L":
        needed += 1
    return needed + 1


def decode_gray(data: bytes) -> NDArray[np.uint8]:
    """Decode PNG/JPEG/WebP/... bytes to grayscale, transparency flattened onto white."""
    with decoding(data, "image") as opened:
        # A JPEG decodes straight to gray, at full size: a quarter of the memory of RGB.
        opened.draft("L", opened.size)
        check_memory(opened, "image", _gray_bytes_per_pixel(opened))
        gray = on_white(eight_bit(opened), "L")
        ImageOps.exif_transpose(gray, in_place=True)  # a copy of a full-size page otherwise
        return np.asarray(gray, dtype=np.uint8)
