"""Photo bytes -> an upright RGB array of working size in bounded memory, or GenerationFailed."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps

from adapters.pages.decode import (
    WIDE_GRAY,
    check_memory,
    decoding,
    eight_bit,
    eight_bit_mode,
    on_white,
    pixel_bytes,
)

# Smaller, there is nothing to trace; the most pixels and the narrowest shape are decode.py's.
MIN_SIDE = 32


def load_photo(data: bytes, long_side: int) -> NDArray[np.uint8]:
    """Decode, shrink to `long_side`, turn upright (EXIF), flatten onto white: RGB uint8.

    Size, shape and the memory decoding takes are judged from the header, before any pixel
    is decoded."""
    with decoding(data, "photo", min_side=MIN_SIDE) as opened:
        width, height = opened.size
        scale = long_side / max(width, height)
        # JPEG can decode at 1/2, 1/4 or 1/8 size directly: a 12 MP photo in a few ms.
        opened.draft("RGB", (int(width * scale) + 1, int(height * scale) + 1))
        check_memory(opened, "photo", _bytes_per_pixel(opened))
        image: Image.Image = opened
        if image.mode in WIDE_GRAY:
            # Shrink 16-bit gray in its own mode (Image.reduce takes no 16-bit; a box filter
            # does): scaling it to 8 bits at full size would hold two more copies.
            image.thumbnail((2 * long_side,) * 2, Image.Resampling.BOX, reducing_gap=None)
        image = eight_bit(image)
        # Image.reduce by a whole factor first, then Lanczos on what is left: fast, and nothing
        # more at full size (but the premultiplied copy of an image with alpha, counted above).
        image.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
        upright = ImageOps.exif_transpose(image)
        return np.asarray(on_white(upright, "RGB"), dtype=np.uint8)


def _bytes_per_pixel(image: Image.Image) -> int:
    """What load_photo holds at its peak for each pixel of `image`: the pixels, their 8-bit copy
    when the mode needs converting before it can be shrunk (a palette, CMYK) and, with
    transparency, the premultiplied copy Pillow shrinks."""
    target = eight_bit_mode(image)
    needed = pixel_bytes(image.mode)
    if target != image.mode and image.mode not in WIDE_GRAY:
        needed += pixel_bytes(target)
    return needed + (4 if "A" in target else 0)
