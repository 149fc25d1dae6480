"""Small valid files of every supported format, built here: what the mutations start from."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from deepfake_detection.shared.images import RGBImage
from deepfake_detection.testing.video import write_video

# Pillow's format name and options for each image format the service accepts.
_IMAGE_SAVES: dict[str, tuple[str, dict[str, object]]] = {
    "jpeg": ("JPEG", {"quality": 80}),
    "png": ("PNG", {}),
    "gif": ("GIF", {}),
    "webp": ("WEBP", {"quality": 70}),
    "bmp": ("BMP", {}),
    "tiff": ("TIFF", {"compression": "tiff_lzw"}),
    "avif": ("AVIF", {"quality": 50}),
    "heif": ("HEIF", {"quality": 50}),
}
# File suffix (which picks the muxer and encoder) for each video container.
VIDEO_SUFFIXES = {"mp4": ".mp4", "mov": ".mov", "matroska": ".mkv", "webm": ".webm", "avi": ".avi"}


def picture(width: int = 96, height: int = 64, seed: int = 0) -> RGBImage:
    """A gradient with noise: every encoder keeps some structure of it."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(0, 255, width, dtype=np.float32)[None, :, None]
    base = np.broadcast_to(ramp, (height, width, 3)) + rng.normal(0, 20, (height, width, 3))
    return np.clip(base, 0, 255).astype(np.uint8)


def image_seeds() -> dict[str, bytes]:
    """One small image per format (HEIF only where pillow_heif has an encoder)."""
    from pillow_heif import register_heif_opener

    register_heif_opener()
    seeds: dict[str, bytes] = {}
    image = Image.fromarray(picture())
    for fmt, (name, options) in _IMAGE_SAVES.items():
        buffer = io.BytesIO()
        try:
            image.save(buffer, name, **options)
        except (KeyError, OSError, ValueError):  # no encoder for it in this build
            continue
        seeds[fmt] = buffer.getvalue()
    rgba = np.dstack([picture(), np.full((64, 96), 128, np.uint8)])
    buffer = io.BytesIO()
    Image.fromarray(rgba).save(buffer, "PNG")
    seeds["png-rgba"] = buffer.getvalue()
    return seeds


def video_seeds(frames: int = 6) -> dict[str, bytes]:
    """One short clip per container."""
    seeds: dict[str, bytes] = {}
    clip = [picture(seed=i) for i in range(frames)]
    with tempfile.TemporaryDirectory() as folder:
        for kind, suffix in VIDEO_SUFFIXES.items():
            path = Path(folder) / f"seed{suffix}"
            write_video(path, clip, fps=10, codec_options={"g": "3"})
            seeds[kind] = path.read_bytes()
    return seeds


def base_format(name: str) -> str:
    """The format a seed's name stands for (``png-rgba`` is a PNG)."""
    return name.split("-")[0]
