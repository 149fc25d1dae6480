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
- A JPEG larger than a caller's pixel count can be decoded at 1/2, 1/4 or 1/8 scale by the decoder
  itself (DCT scaling, ``OpenedImage.reduce``): a 50 MP photograph costs a quarter of its memory.
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
from deepfake_detection.media.pixels import rgb_array

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


# Formats that cost more than the budget's 7 bytes a pixel while they decode, by how many times:
# Pillow's WebP and AVIF decoders hold their own RGBA canvas and a bytes copy of it besides the
# image, about 15 bytes a pixel (a 34-byte lossless 7071x7071 WebP took a service from 376 to
# 1,140 MB). They hold that many times their pixels in the decode budget, and their pixel limit is
# the others' divided by it: Pillow cannot decode them at a reduced size.
_DECODE_COST: dict[ImageFormat, int] = {"webp": 2, "avif": 2}


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
    if head[4:8] == b"ftyp" and head[8:12] in _AVIF_BRANDS:
        return "avif"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        # The generic brands (mif1, msf1) are shared by HEIC and AVIF; the compatible brands that
        # follow in the ftyp box tell them apart. (A 16-byte head says only "an image".)
        return "avif" if _compatible_with_avif(data) else "heif"
    return None


def _compatible_with_avif(data: bytes) -> bool:
    box_size = int.from_bytes(data[:4], "big")
    brands = data[16 : min(box_size, 256)]
    return any(brands[i : i + 4] in _AVIF_BRANDS for i in range(0, len(brands) - 3, 4))


@dataclass(frozen=True)
class OpenedImage:
    """An image whose header has been read and checked against the limits; no pixel decoded."""

    fmt: ImageFormat
    image: ImageFile.ImageFile
    timeout_s: float

    @property
    def pixels(self) -> int:
        width, height = self.image.size
        return width * height

    @property
    def budget_pixels(self) -> int:
        """What decoding this image holds in a decode budget, in pixels of the budget's cost
        (about 7 bytes each: an RGBA image and its RGB result)."""
        return self.pixels * _DECODE_COST.get(self.fmt, 1)

    def reduce(self, max_pixels: int) -> int:
        """For a JPEG over ``max_pixels``, have the decoder produce it at the largest of 1/2, 1/4
        or 1/8 scale that fits (1/8 at most), before decoding; the factor by which coordinates in
        the decoded image are multiplied to be in the full image's (1: not reduced). Each decoded
        pixel is exactly ``factor`` x ``factor`` pixels of the full image (8x8 DCT blocks)."""
        if self.fmt != "jpeg" or self.pixels <= max_pixels:
            return 1
        width, height = self.image.size
        factor = next((k for k in (2, 4) if -(-width // k) * -(-height // k) <= max_pixels), 8)
        # Pillow picks the scale from the floor of the size ratios.
        self.image.draft(self.image.mode, (max(1, width // factor), max(1, height // factor)))
        return round(width / self.image.size[0])

    def decode(self, on_finish: Callable[[], None] | None = None) -> npt.NDArray[np.uint8]:
        """The pixels as (H, W, 3) uint8 RGB (``CorruptMedia``, ``PayloadTooLarge`` when too slow);
        the decoder's own buffers are freed before this returns. ``on_finish`` is called when the
        decoding thread ends, also one that a timeout abandoned (it still holds its memory)."""

        def work() -> npt.NDArray[np.uint8]:
            try:
                return _to_rgb(self.image, self.fmt)
            finally:
                if on_finish is not None:
                    on_finish()

        return _with_timeout(work, self.timeout_s)


def open_image(data: bytes, limits: ImageLimits | None = None) -> OpenedImage:
    """Sniff ``data`` and read its header, enforcing ``limits`` before any pixel is decoded.

    Raises ``InvalidRequest`` (empty), ``PayloadTooLarge`` (too many bytes or pixels),
    ``UnsupportedMedia`` (not one of :data:`IMAGE_FORMATS`) or ``CorruptMedia`` (bad header).
    """
    limits = limits or ImageLimits()
    if not data:
        raise InvalidRequest("the image is empty (0 bytes)")
    if len(data) > limits.max_bytes:
        raise PayloadTooLarge.over_bytes("the image", len(data), limits.max_bytes)
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
        raise PayloadTooLarge.over_pixels("the image", width, height, limits.max_pixels)
    cost = _DECODE_COST.get(fmt, 1)
    if width * height * cost > limits.max_pixels:
        raise PayloadTooLarge.over_pixels(
            f"the {fmt.upper()} image (a format that takes {cost} times the memory of a JPEG or "
            "PNG to decode)",
            width,
            height,
            limits.max_pixels // cost,
        )
    return OpenedImage(fmt, image, limits.timeout_s)


def decode_image(data: bytes, limits: ImageLimits | None = None) -> npt.NDArray[np.uint8]:
    """Decode an uploaded image to (H, W, 3) uint8 RGB, enforcing ``limits``: ``open_image``,
    then ``decode``, with the errors of both."""
    return open_image(data, limits).decode()


def _decoder_errors(fmt: ImageFormat) -> tuple[type[Exception], ...]:
    """What the decoder of ``fmt`` raises for bytes it cannot read: Pillow's plugins raise these
    built-in errors; libheif (through pillow_heif) and libavif raise ``RuntimeError`` as well."""
    errors = (OSError, SyntaxError, ValueError, IndexError, TypeError, EOFError)
    return (*errors, RuntimeError) if fmt in ("heif", "avif") else errors


def _open(fmt: ImageFormat, data: bytes) -> ImageFile.ImageFile:
    """Read only the header: no pixel is decoded here."""
    try:
        return _opener(fmt)(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PayloadTooLarge(f"the {fmt} image is too large: {exc}") from exc
    except _decoder_errors(fmt) as exc:
        raise CorruptMedia.unreadable(
            f"the {fmt.upper()} image", "its header cannot be read", exc
        ) from exc


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
        # In place: otherwise Pillow returns a full copy, also when there is nothing to turn.
        ImageOps.exif_transpose(image, in_place=True)
        return rgb_array(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PayloadTooLarge(f"the {fmt} image is too large: {exc}") from exc
    except _decoder_errors(fmt) as exc:
        raise CorruptMedia.unreadable(
            f"the {fmt.upper()} image", "it cannot be decoded", exc
        ) from exc
    finally:
        image.close()
