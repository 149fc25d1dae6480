import io
import struct
import zipfile
import zlib

import numpy as np
import pillow_heif
import pytest
from PIL import Image
from skimage import data

from deepfake_detection.errors import (
    CorruptMedia,
    InvalidRequest,
    PayloadTooLarge,
    UnsupportedMedia,
)
from deepfake_detection.media.image import (
    ImageLimits,
    decode_image,
    open_image,
    sniff_image_format,
)

ASTRONAUT = data.astronaut()[::4, ::4]  # 128x128 RGB


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims ``width`` x ``height`` RGB pixels (a decompression bomb's
    header: its few bytes of zlib data would expand to width * height * 3 bytes)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 10_000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("JPEG", "jpeg"),
        ("PNG", "png"),
        ("WEBP", "webp"),
        ("BMP", "bmp"),
        ("GIF", "gif"),
        ("TIFF", "tiff"),
        ("AVIF", "avif"),
    ],
)
def test_each_format_decodes_to_rgb_uint8(fmt: str, expected: str) -> None:
    payload = encode(Image.fromarray(ASTRONAUT), fmt)
    assert sniff_image_format(payload) == expected
    rgb = decode_image(payload)
    assert rgb.shape == (128, 128, 3)
    assert rgb.dtype == np.uint8
    # Lossy formats and GIF's palette change pixels a little, never the picture.
    assert np.abs(rgb.astype(int) - ASTRONAUT).mean() < 12


def test_heic_decodes() -> None:
    buffer = io.BytesIO()
    pillow_heif.from_pillow(Image.fromarray(ASTRONAUT)).save(buffer, quality=90)
    assert sniff_image_format(buffer.getvalue()) == "heif"
    rgb = decode_image(buffer.getvalue())
    assert rgb.shape == (128, 128, 3)
    assert np.abs(rgb.astype(int) - ASTRONAUT).mean() < 12


def test_avif_with_a_generic_major_brand_decodes_as_avif() -> None:
    # Major brand mif1 (or msf1) with avif among the compatible brands: it used to be handed to
    # pillow_heif, which has no AV1 decoder and raised RuntimeError (a 500).
    payload = encode(Image.fromarray(ASTRONAUT), "AVIF")
    for brand in (b"mif1", b"msf1"):
        generic = payload[:8] + brand + payload[12:]
        assert sniff_image_format(generic) == "avif"
        assert decode_image(generic).shape == (128, 128, 3)


def test_libavif_and_libheif_errors_are_corrupt_media() -> None:
    # Both raise RuntimeError for what they cannot decode (it was a 500).
    avif = bytearray(encode(Image.fromarray(ASTRONAUT), "AVIF"))
    avif[-43] ^= 1  # in the coded colour planes
    with pytest.raises(CorruptMedia, match="AVIF"):
        decode_image(bytes(avif))
    # AV1 data in a file whose brands all say HEIC: libheif has no AV1 decoder here.
    heic = bytes(avif).replace(b"ftypavif", b"ftypheic").replace(b"avifmif1", b"heicmif1")
    assert sniff_image_format(heic) == "heif"
    with pytest.raises(CorruptMedia, match="HEIF"):
        decode_image(heic)


def test_exif_orientation_is_applied() -> None:
    wide = Image.fromarray(np.zeros((40, 100, 3), np.uint8))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    rgb = decode_image(encode(wide, "JPEG", exif=exif))
    assert rgb.shape == (100, 40, 3)


def test_transparency_is_shown_on_white() -> None:
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[:, :5] = (255, 0, 0, 255)  # opaque red left half, fully transparent black right half
    rgb = decode_image(encode(Image.fromarray(rgba, "RGBA"), "PNG"))
    assert rgb[0, 0].tolist() == [255, 0, 0]
    assert rgb[0, 9].tolist() == [255, 255, 255]


def test_palette_with_transparency() -> None:
    image = Image.new("P", (8, 8), 0)
    image.putpalette([0, 0, 255] + [0, 255, 0] * 255)
    image.info["transparency"] = 0
    rgb = decode_image(encode(image, "PNG", transparency=0))
    assert rgb[0, 0].tolist() == [255, 255, 255]


@pytest.mark.parametrize("mode", ["L", "LA", "P", "CMYK", "1"])
def test_other_modes_become_rgb(mode: str) -> None:
    fmt = "JPEG" if mode == "CMYK" else "TIFF" if mode == "LA" else "PNG"
    rgb = decode_image(encode(Image.fromarray(ASTRONAUT).convert(mode), fmt))
    assert rgb.shape == (128, 128, 3)
    assert rgb.dtype == np.uint8


def test_sixteen_bit_grey_is_scaled_not_clipped() -> None:
    grey = np.full((6, 6), 65535, np.uint16)
    grey[0, 0] = 0
    rgb = decode_image(encode(Image.fromarray(grey), "PNG"))
    assert rgb[1, 1].tolist() == [255, 255, 255]
    assert rgb[0, 0].tolist() == [0, 0, 0]


def test_gif_gives_its_first_frame() -> None:
    frames = [Image.new("RGB", (16, 16), colour) for colour in ((255, 0, 0), (0, 0, 255))]
    payload = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert decode_image(payload)[0, 0].tolist() == [255, 0, 0]


def test_type_comes_from_the_bytes_not_the_name() -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("photo.jpg", b"not really")
    with pytest.raises(UnsupportedMedia, match="supported: jpeg"):
        decode_image(archive.getvalue())


def test_empty_is_a_bad_request() -> None:
    with pytest.raises(InvalidRequest, match="empty") as caught:
        decode_image(b"")
    assert caught.type is InvalidRequest


def test_truncated_jpeg_is_corrupt() -> None:
    payload = encode(Image.fromarray(ASTRONAUT), "JPEG")
    with pytest.raises(CorruptMedia):
        decode_image(payload[: len(payload) // 2])


def test_garbage_after_a_valid_magic_is_corrupt() -> None:
    with pytest.raises(CorruptMedia):
        decode_image(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)


def test_too_many_bytes() -> None:
    payload = encode(Image.fromarray(ASTRONAUT), "PNG")
    with pytest.raises(PayloadTooLarge, match="bytes"):
        decode_image(payload, ImageLimits(max_bytes=len(payload) - 1))


@pytest.mark.parametrize("side", [30_000, 100_000])
def test_decompression_bomb_is_refused_from_its_header(side: int) -> None:
    # 30000x30000 is past Pillow's own warning limit, 100000x100000 past its error limit: both must
    # come out as our error (pytest turns a leaked DecompressionBombWarning into a failure).
    with pytest.raises(PayloadTooLarge, match=f"{side}x{side}"):
        decode_image(png_claiming(side, side))


def test_pixel_limit_is_configurable() -> None:
    payload = encode(Image.fromarray(ASTRONAUT), "PNG")
    with pytest.raises(PayloadTooLarge, match="pixels"):
        decode_image(payload, ImageLimits(max_pixels=128 * 128 - 1))
    assert decode_image(payload, ImageLimits(max_pixels=128 * 128)).shape == (128, 128, 3)


@pytest.mark.parametrize("fmt", ["WEBP", "AVIF"])
def test_webp_and_avif_may_have_half_the_pixels(fmt: str) -> None:
    """They take twice the memory of a PNG to decode (issue 22 S9)."""
    payload = encode(Image.fromarray(ASTRONAUT), fmt)
    pixels = ASTRONAUT.shape[0] * ASTRONAUT.shape[1]
    with pytest.raises(PayloadTooLarge, match=f"{fmt} image .* 2 times the memory"):
        decode_image(payload, ImageLimits(max_pixels=2 * pixels - 1))
    assert decode_image(payload, ImageLimits(max_pixels=2 * pixels)).shape == (
        *ASTRONAUT.shape[:2],
        3,
    )


def test_slow_decode_times_out() -> None:
    payload = encode(Image.fromarray(np.tile(ASTRONAUT, (16, 16, 1))), "PNG")
    with pytest.raises(PayloadTooLarge, match="longer than"):
        decode_image(payload, ImageLimits(timeout_s=1e-6))


def test_alpha_is_composited_like_pillow_bit_for_bit() -> None:
    rgba = np.random.default_rng(0).integers(0, 256, (300, 200, 4), dtype=np.uint8)
    image = Image.fromarray(rgba, "RGBA")
    white = Image.new("RGBA", image.size, (255, 255, 255, 255))
    expected = np.asarray(Image.alpha_composite(white, image).convert("RGB"))
    assert np.array_equal(decode_image(encode(image, "PNG")), expected)


@pytest.mark.parametrize(
    ("limit", "factor"), [(800_000, 1), (200_000, 2), (50_000, 4), (12_000, 8), (100, 8)]
)
def test_a_large_jpeg_is_decoded_at_the_largest_scale_that_fits(limit: int, factor: int) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 800), (200, 100, 50)).save(buffer, "JPEG")
    opened = open_image(buffer.getvalue())
    assert opened.reduce(limit) == factor
    assert opened.pixels == -(-1000 // factor) * -(-800 // factor)  # what the budget holds
    assert opened.decode().shape == (-(-800 // factor), -(-1000 // factor), 3)


def test_only_jpeg_is_reduced() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (1000, 800), (200, 100, 50)).save(buffer, "PNG")
    opened = open_image(buffer.getvalue())
    assert opened.reduce(100) == 1
    assert opened.decode().shape == (800, 1000, 3)
