"""Training augmentations of (H, W, 3) uint8 RGB arrays, each with an explicit random generator.

Geometry first (crop jitter, flip), then colour, then the degradations a face meets on its way to
the service (down-and-up scaling or a small face, blur, noise, H.264 or JPEG), so that those
artefacts come last. A small face is blurred and compressed at its small size, then scaled back up,
as the service's crop of a face in a wide, compressed shot is.

The newer augmentations (small face, H.264, H.265) draw their random numbers only when switched on, so a
config without them makes exactly the batches it made before they existed.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from deepfake_detection.training.config import AugmentConfig
from deepfake_detection.training.edits import random_edit
from deepfake_detection.training.video_codec import draw_encoding, encode, h264_frame, h265_frame

Image = npt.NDArray[np.uint8]


def jitter_crop(image: Image, out_size: int, cfg: AugmentConfig, rng: np.random.Generator) -> Image:
    """A square crop of random scale and offset, resized to ``out_size``: service crops vary."""
    size = image.shape[0]
    side = size * rng.uniform(*cfg.crop_side)
    max_shift = cfg.crop_shift * size
    cx = size / 2 + rng.uniform(-max_shift, max_shift)
    cy = size / 2 + rng.uniform(-max_shift, max_shift)
    scale = out_size / side
    matrix = np.array(
        [[scale, 0, out_size / 2 - scale * cx], [0, scale, out_size / 2 - scale * cy]]
    )
    return np.asarray(
        cv2.warpAffine(
            image, matrix, (out_size, out_size), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REFLECT
        ),
        dtype=np.uint8,
    )


def center_crop(image: Image, out_size: int, side_fraction: float) -> Image:
    """The centred square of ``side_fraction`` of the image's side, resized to ``out_size``."""
    size = image.shape[0]
    side = round(size * side_fraction)
    start = (size - side) // 2
    square = image[start : start + side, start : start + side]
    return np.asarray(cv2.resize(square, (out_size, out_size), interpolation=cv2.INTER_AREA))


def color_shift(image: Image, rng: np.random.Generator) -> Image:
    """Brightness, contrast, saturation and per-channel gain, as cameras and grading differ."""
    out = image.astype(np.float32)
    gain = rng.uniform(0.92, 1.08, size=3) * rng.uniform(0.75, 1.25)
    mean = out.mean()
    contrast = rng.uniform(0.75, 1.25)
    out = (out - mean) * contrast + mean
    grey = out.mean(axis=2, keepdims=True)
    saturation = rng.uniform(0.7, 1.3)
    out = grey + (out - grey) * saturation
    out = out * gain
    return np.asarray(np.clip(out, 0, 255), dtype=np.uint8)


def down_up(image: Image, factor_range: tuple[float, float], rng: np.random.Generator) -> Image:
    size = image.shape[0]
    small = max(8, round(size * rng.uniform(*factor_range)))
    down = cv2.resize(image, (small, small), interpolation=cv2.INTER_AREA)
    interpolation = [cv2.INTER_LINEAR, cv2.INTER_CUBIC, cv2.INTER_NEAREST][int(rng.integers(3))]
    return np.asarray(cv2.resize(down, (size, size), interpolation=interpolation))


def gaussian_blur(image: Image, rng: np.random.Generator) -> Image:
    sigma = rng.uniform(0.4, 1.6)
    return np.asarray(cv2.GaussianBlur(image, (0, 0), sigmaX=sigma), dtype=np.uint8)


def gaussian_noise(image: Image, rng: np.random.Generator) -> Image:
    noise = rng.normal(0.0, rng.uniform(2.0, 8.0), size=image.shape)
    return np.clip(image.astype(np.float32) + noise, 0, 255).astype(np.uint8)


def jpeg(image: Image, quality_range: tuple[int, int], rng: np.random.Generator) -> Image:
    quality = int(rng.integers(quality_range[0], quality_range[1] + 1))
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    ok, encoded = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        return image
    decoded = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
    if decoded is None:
        return image
    return np.asarray(cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB), dtype=np.uint8)


def shrink(image: Image, side_range: tuple[int, int], rng: np.random.Generator) -> Image:
    """The image at a random small side in pixels (area interpolation, as a camera's scaler)."""
    side = int(rng.integers(side_range[0], side_range[1] + 1))
    return np.asarray(cv2.resize(image, (side, side), interpolation=cv2.INTER_AREA))


def enlarge(image: Image, size: int, rng: np.random.Generator) -> Image:
    """Back to ``size`` with a random interpolation, as the service's crop resize does."""
    interpolation = [cv2.INTER_LINEAR, cv2.INTER_CUBIC, cv2.INTER_AREA][int(rng.integers(3))]
    return np.asarray(cv2.resize(image, (size, size), interpolation=interpolation))


def h264(image: Image, crf_range: tuple[int, int], rng: np.random.Generator) -> Image:
    return h264_frame(image, int(rng.integers(crf_range[0], crf_range[1] + 1)))


def h265(image: Image, crf_range: tuple[int, int], rng: np.random.Generator) -> Image:
    return h265_frame(image, int(rng.integers(crf_range[0], crf_range[1] + 1)))


def degrade(image: Image, cfg: AugmentConfig, rng: np.random.Generator) -> Image:
    """Model 3's photometric and codec chain on a whole crop, at its own size: colour, an everyday
    edit, a small face or a down-up scaling, noise, then a random encoder (sometimes twice) or
    JPEG. Every draw is made whatever the image is, so two images given generators in the same
    state get the same degradation."""
    size = image.shape[0]
    out = image
    if rng.random() < cfg.color:
        out = color_shift(out, rng)
    if rng.random() < cfg.edit:
        out = random_edit(out, rng)
        if rng.random() < cfg.second_edit:
            out = random_edit(out, rng)
    small = rng.random() < cfg.small_face
    if small:
        out = shrink(out, cfg.small_face_px, rng)
    elif rng.random() < cfg.downscale:
        out = down_up(out, cfg.downscale_range, rng)
    if rng.random() < cfg.noise:
        out = gaussian_noise(out, rng)
    if rng.random() < cfg.codec:
        out = encode(out, draw_encoding(rng, cfg.codec_crf, cfg.codec_h265_share))
        if rng.random() < cfg.reencode:
            out = encode(out, draw_encoding(rng, cfg.codec_crf, cfg.codec_h265_share))
    elif rng.random() < cfg.jpeg:
        out = jpeg(out, cfg.jpeg_quality, rng)
    if small:
        out = enlarge(out, size, rng)
    return out


def augment(image: Image, out_size: int, cfg: AugmentConfig, rng: np.random.Generator) -> Image:
    """The full training augmentation of one crop."""
    if cfg.order == "degrade_first":
        out = image[:, ::-1] if rng.random() < cfg.hflip else image
        out = degrade(np.ascontiguousarray(out), cfg, rng)
        return jitter_crop(out, out_size, cfg, rng)
    out = jitter_crop(image, out_size, cfg, rng)
    if rng.random() < cfg.hflip:
        out = np.ascontiguousarray(out[:, ::-1])
    if rng.random() < cfg.color:
        out = color_shift(out, rng)
    small = cfg.small_face > 0 and rng.random() < cfg.small_face
    if small:
        out = shrink(out, cfg.small_face_px, rng)
    elif rng.random() < cfg.downscale:
        out = down_up(out, cfg.downscale_range, rng)
    # A small face is soft already: blur at its size would be several times that of a large one.
    if rng.random() < cfg.blur and not small:
        out = gaussian_blur(out, rng)
    if rng.random() < cfg.noise:
        out = gaussian_noise(out, rng)
    if cfg.h264 > 0 and rng.random() < cfg.h264:
        out = h264(out, cfg.h264_crf, rng)
    elif cfg.h265 > 0 and rng.random() < cfg.h265:
        out = h265(out, cfg.h265_crf, rng)
    elif rng.random() < cfg.jpeg:
        out = jpeg(out, cfg.jpeg_quality, rng)
    if small:
        out = enlarge(out, out_size, rng)
    return out
