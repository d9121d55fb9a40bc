"""Image bytes -> an 8-bit grayscale array on white, or GenerationFailed."""

from __future__ import annotations

import io
import warnings

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps

from paintcore.domain.errors import GenerationFailed

# A backend page is a few megapixels; anything far beyond is a broken or hostile file.
MAX_PIXELS = 40_000_000


def decode_gray(data: bytes) -> NDArray[np.uint8]:
    """Decode PNG/JPEG/WebP/... bytes to grayscale, transparency flattened onto white."""
    if not data:
        raise GenerationFailed("the image backend returned no image data")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise GenerationFailed(
                        f"the image is too large ({opened.width}x{opened.height} pixels)"
                    )
                opened.load()
                image = ImageOps.exif_transpose(opened)
                return _to_gray(image)
    except GenerationFailed:
        raise
    except Exception as exc:
        # Decoders raise a zoo of types on malformed input (OSError, SyntaxError, struct.error,
        # ValueError, ...); the port promises GenerationFailed and nothing else.
        raise GenerationFailed(f"the image could not be decoded: {exc}") from exc


def _to_gray(image: Image.Image) -> NDArray[np.uint8]:
    if image.width == 0 or image.height == 0:
        raise GenerationFailed("the image has no pixels")
    if image.mode in {"I", "I;16", "I;16B", "I;16L", "I;16N", "F"}:
        # 16-bit grayscale: Pillow's convert("L") would clip it to near-white instead of scaling.
        wide = np.asarray(image, dtype=np.float32)
        return np.asarray(np.clip(wide / 257.0, 0, 255), dtype=np.uint8)
    has_alpha = image.mode in {"RGBA", "LA", "PA", "La", "RGBa"} or ("transparency" in image.info)
    if has_alpha:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return np.asarray(image.convert("L"), dtype=np.uint8)
