"""A decoded Pillow image of any mode to an (H, W, 3) uint8 RGB array, with little extra memory.

Alpha is composited over white (transparent pixels carry arbitrary colours: shown on white, as a
browser would); palette, greyscale, 16-bit, CMYK and YCbCr images become 8-bit RGB. Conversions run
in bands of rows written into the one output array, so a 7071x7071 RGBA image needs its 200 MB
decoded form and the 150 MB result, not several full-size intermediate copies besides.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from PIL import Image

# A quarter of a million pixels per band: the per-band overhead is still negligible, and the band's
# integer temporaries (about 40 bytes a pixel while compositing) stay near 10 MB. (A million pixels
# a band added 50 MB to the peak of a 7071x7071 RGBA PNG, scripts/bench/measure_memory.py.)
_BAND_PIXELS = 1 << 18
_ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "La", "RGBa"})


def rgb_array(image: Image.Image) -> npt.NDArray[np.uint8]:
    """``image`` as (H, W, 3) uint8 RGB."""
    mode = image.mode
    if mode.startswith(("I", "F")):
        return _high_depth_to_rgb(np.asarray(image))
    if mode == "RGB":
        return _in_bands(image, lambda band: band)
    if mode in _ALPHA_MODES or (mode == "P" and "transparency" in image.info):
        return _in_bands(image, _on_white)
    return _in_bands(image, lambda band: band.convert("RGB"))


def _on_white(band: Image.Image) -> npt.NDArray[np.uint8]:
    """Pillow's ``alpha_composite`` over opaque white, bit for bit, in integer numpy (without
    Pillow's four full-size intermediate images per band)."""
    rgba = np.asarray(band if band.mode == "RGBA" else band.convert("RGBA"), np.uint32)
    alpha = rgba[..., 3:]
    blended = rgba[..., :3] * alpha + 255 * (255 - alpha)
    # Pillow's rounding division by 255 with 7 bits of precision (AlphaComposite.c).
    scaled = blended * 128 + (0x80 << 7)
    return ((((scaled >> 8) + scaled) >> 8) >> 7).astype(np.uint8)


def _in_bands(
    image: Image.Image, convert: Callable[[Image.Image], Image.Image | npt.NDArray[np.uint8]]
) -> npt.NDArray[np.uint8]:
    width, height = image.size
    out = np.empty((height, width, 3), np.uint8)
    rows = max(1, _BAND_PIXELS // max(1, width))
    for top in range(0, height, rows):
        bottom = min(height, top + rows)
        out[top:bottom] = np.asarray(convert(image.crop((0, top, width, bottom))), np.uint8)
    return out


def _high_depth_to_rgb(values: npt.NDArray[np.generic]) -> npt.NDArray[np.uint8]:
    """16-bit, 32-bit integer and float greyscale to 8-bit RGB, by the range the type implies."""
    pixels = values.astype(np.float64)
    if values.dtype.kind == "f":
        top = 1.0 if float(np.nanmax(pixels, initial=0.0)) <= 1.0 else 255.0
    else:
        top = 255.0 if float(pixels.max(initial=0)) <= 255 else 65535.0
    scaled = np.clip(np.nan_to_num(pixels) * (255.0 / top), 0, 255).round().astype(np.uint8)
    if scaled.ndim == 2:
        scaled = np.repeat(scaled[:, :, None], 3, axis=2)
    return np.ascontiguousarray(scaled[:, :, :3])
