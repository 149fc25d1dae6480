"""Safe image decoding: bytes in, an (H, W, 3) uint8 RGB array out, or a clear ``DetectionError``.

- The type is sniffed from the magic bytes only (a file name or a Content-Type is never trusted),
  and only the formats listed in :data:`IMAGE_FORMATS` are ever handed to a decoder.
- The pixel count is read from the header and checked *before* any pixel is decoded, so a
  decompression bomb is refused as ``PayloadTooLarge`` without allocating its pixels. Each format's
  Pillow plugin class is called directly, which skips ``Image.open``'s own bomb warning (our limit
  is the one that applies).
- Decoding runs in a worker thread and is abandoned after ``timeout_s`` (``PayloadTooLarge``); the
  pixel limit bounds how long an abandoned decode can still run.
- EXIF orientation is applied; alpha is composited over white; palette, greyscale, 16-bit, CMYK and
  YCbCr images become 8-bit RGB.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import IO, Literal

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageFile, ImageOps

from deepfake_detection.errors import (
    CorruptMedia,
    InvalidRequest,
    PayloadTooLarge,
    UnsupportedMedia,
)

ImageFormat = Literal["jpeg", "png", "gif", "webp", "bmp", "tiff", "heif", "avif"]
IMAGE_FORMATS: tuple[ImageFormat, ...] = (
    "jpeg",
    "png",
    "gif",
    "webp",
    "bmp",
    "tiff",
    "heif",
    "avif",
)

_HEIF_BRANDS = (
    b"heic",
    b"heix",
    b"heim",
    b"heis",
    b"hevc",
    b"hevx",
    b"hevm",
    b"hevs",
    b"mif1",
    b"msf1",
)
_AVIF_BRANDS = (b"avif", b"avis")


@dataclass(frozen=True)
class ImageLimits:
    """What a client may send: bytes, pixels (width x height) and decode time."""

    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 50_000_000
    timeout_s: float = 10.0


def sniff_image_format(data: bytes) -> ImageFormat | None:
    """The image format the magic bytes announce, or ``None`` when they announce none we decode."""
    head = data[:16]
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"BM") and len(head) >= 14:
        return "bmp"
    if head.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return "tiff"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "heif"
    if head[4:8] == b"ftyp" and head[8:12] in _AVIF_BRANDS:
        return "avif"
    return None


def decode_image(data: bytes, limits: ImageLimits | None = None) -> npt.NDArray[np.uint8]:
    """Decode an uploaded image to (H, W, 3) uint8 RGB, enforcing ``limits``.

    Raises ``InvalidRequest`` (empty), ``PayloadTooLarge`` (too many bytes or pixels, too slow),
    ``UnsupportedMedia`` (not one of :data:`IMAGE_FORMATS`) or ``CorruptMedia`` (undecodable).
    """
    limits = limits or ImageLimits()
    if not data:
        raise InvalidRequest("the image is empty (0 bytes)")
    if len(data) > limits.max_bytes:
        raise PayloadTooLarge(f"the image has {len(data)} bytes; the limit is {limits.max_bytes}")
    fmt = sniff_image_format(data)
    if fmt is None:
        raise UnsupportedMedia(
            "not a supported image (the content is checked, not the file name); supported: "
            + ", ".join(IMAGE_FORMATS)
        )
    image = _open(fmt, data)
    width, height = image.size
    if width <= 0 or height <= 0:
        raise CorruptMedia(f"the {fmt} header gives an empty size {width}x{height}")
    if width * height > limits.max_pixels:
        raise PayloadTooLarge(
            f"the image is {width}x{height} = {width * height} pixels; "
            f"the limit is {limits.max_pixels}"
        )
    return _with_timeout(lambda: _to_rgb(image, fmt), limits.timeout_s)


def _open(fmt: ImageFormat, data: bytes) -> ImageFile.ImageFile:
    """Read only the header: no pixel is decoded here."""
    try:
        return _opener(fmt)(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PayloadTooLarge(f"the {fmt} image is too large: {exc}") from exc
    except (OSError, SyntaxError, ValueError, IndexError, TypeError, EOFError) as exc:
        raise CorruptMedia(f"the {fmt} header is invalid: {exc}") from exc


def _opener(fmt: ImageFormat) -> Callable[[IO[bytes]], ImageFile.ImageFile]:
    # Imported here so that only the plugins of accepted formats are loaded, and pillow_heif only
    # when a HEIF arrives.
    if fmt == "jpeg":
        from PIL.JpegImagePlugin import JpegImageFile

        return JpegImageFile
    if fmt == "png":
        from PIL.PngImagePlugin import PngImageFile

        return PngImageFile
    if fmt == "gif":
        from PIL.GifImagePlugin import GifImageFile

        return GifImageFile
    if fmt == "webp":
        from PIL.WebPImagePlugin import WebPImageFile

        return WebPImageFile
    if fmt == "bmp":
        from PIL.BmpImagePlugin import BmpImageFile

        return BmpImageFile
    if fmt == "tiff":
        from PIL.TiffImagePlugin import TiffImageFile

        return TiffImageFile
    if fmt == "avif":
        from PIL.AvifImagePlugin import AvifImageFile

        return AvifImageFile
    from pillow_heif import HeifImageFile

    heif: Callable[[IO[bytes]], ImageFile.ImageFile] = HeifImageFile
    return heif


def _with_timeout(
    work: Callable[[], npt.NDArray[np.uint8]], timeout_s: float
) -> npt.NDArray[np.uint8]:
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dfd-decode")
    try:
        return pool.submit(work).result(timeout=timeout_s)
    except FutureTimeout as exc:
        raise PayloadTooLarge(f"decoding took longer than {timeout_s:g} s") from exc
    finally:
        pool.shutdown(wait=False)


def _to_rgb(image: ImageFile.ImageFile, fmt: ImageFormat) -> npt.NDArray[np.uint8]:
    try:
        image.load()
        oriented = ImageOps.exif_transpose(image)
        return _as_rgb_array(oriented)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PayloadTooLarge(f"the {fmt} image is too large: {exc}") from exc
    except (OSError, SyntaxError, ValueError, IndexError, TypeError, EOFError) as exc:
        raise CorruptMedia(f"the {fmt} image cannot be decoded: {exc}") from exc
    finally:
        image.close()


def _as_rgb_array(image: Image.Image) -> npt.NDArray[np.uint8]:
    mode = image.mode
    if mode == "RGB":
        return np.asarray(image, dtype=np.uint8).copy()
    if mode.startswith(("I", "F")):
        return _high_depth_to_rgb(np.asarray(image))
    has_alpha = mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        mode == "P" and "transparency" in image.info
    )
    if has_alpha:
        rgba = image.convert("RGBA")
        # Transparent pixels carry arbitrary colours: show them on white, as a browser would.
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(background, rgba).convert("RGB"), dtype=np.uint8)
    return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()


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
