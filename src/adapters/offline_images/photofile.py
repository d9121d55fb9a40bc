"""Photo bytes -> an upright RGB array of working size, or GenerationFailed."""

from __future__ import annotations

import io
import warnings

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps

from paintcore.domain.errors import GenerationFailed

MAX_PIXELS = 50_000_000  # a 48 MP phone photo; beyond that the file is broken or hostile
MIN_SIDE = 32
MAX_ASPECT = 5.0  # longer and narrower than this, the outlines would be a few pixels tall


def load_photo(data: bytes, long_side: int) -> NDArray[np.uint8]:
    """Decode, turn upright (EXIF), flatten onto white, shrink to `long_side`: RGB uint8."""
    if not data:
        raise GenerationFailed("the photo is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as opened:
                width, height = opened.size
                if width * height > MAX_PIXELS:
                    raise GenerationFailed(f"the photo is too large ({width}x{height} pixels)")
                scale = long_side / max(width, height)
                # JPEG can decode at 1/2, 1/4 or 1/8 size directly: a 12 MP photo in a few ms.
                opened.draft("RGB", (int(width * scale) + 1, int(height * scale) + 1))
                opened.load()
                image = _to_rgb(ImageOps.exif_transpose(opened))
    except GenerationFailed:
        raise
    except Exception as exc:
        # Decoders raise a zoo of types on malformed input; the port promises GenerationFailed.
        raise GenerationFailed(f"the photo could not be decoded: {exc}") from exc
    if min(image.size) < MIN_SIDE:
        raise GenerationFailed(f"the photo is too small ({image.width}x{image.height} pixels)")
    if max(image.size) > MAX_ASPECT * min(image.size):
        raise GenerationFailed(f"the photo is too long and narrow ({image.width}x{image.height})")
    if max(image.size) > long_side:
        image.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    return np.asarray(image, dtype=np.uint8)


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode in {"I", "I;16", "I;16B", "I;16L", "I;16N", "F"}:
        # 16-bit grayscale: Pillow's convert() would clip it to near-white instead of scaling.
        wide = np.asarray(image, dtype=np.float32)
        return Image.fromarray(np.clip(wide / 257.0, 0, 255).astype(np.uint8)).convert("RGB")
    if image.mode in {"RGBA", "LA", "PA", "La", "RGBa"} or "transparency" in image.info:
        rgba = image.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")
    return image.convert("RGB")
