"""Self-blended images (after Shiohara & Yamasaki, CVPR 2022, and Face X-ray): a REAL face blended
with a slightly transformed copy of itself inside a face-shaped mask, labelled fake.

A blend has no identity or generator fingerprint to learn, only what every face swap leaves: a
boundary where two renderings of a face meet, with small mismatches of colour, sharpness and
alignment. The DFDC crops are tight around the face, so the mask is a deformed ellipse over the
inner face rather than a landmark hull.

Expression re-enactment (Face2Face, NeuralTextures) rewrites only part of a face, mostly the mouth
and jaw, and leaves the rest; partial masks imitate that: the mouth and jaw, the eyes, or only a
ring at the boundary of the face (a seam with an untouched inside).
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from deepfake_detection.training.augment import Image, color_shift, down_up, gaussian_blur

Mask = npt.NDArray[np.float32]


def _soft_ellipse(
    size: int,
    centre: tuple[float, float],
    axes: tuple[float, float],
    rng: np.random.Generator,
    softness: tuple[float, float] = (0.01, 0.06),
) -> Mask:
    """A soft, irregular ellipse; centre and axes as fractions of ``size``; values in 0..1."""
    cx, cy = size * centre[0], size * centre[1]
    ax, ay = size * axes[0], size * axes[1]
    angle = rng.uniform(-0.25, 0.25)
    t = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    # Smooth radial wobble so the boundary is not a perfect ellipse.
    wobble = np.ones_like(t)
    for k in (2, 3, 4):
        wobble += rng.uniform(-0.06, 0.06) * np.cos(k * t + rng.uniform(0, 2 * np.pi))
    x = ax * wobble * np.cos(t)
    y = ay * wobble * np.sin(t)
    xs = cx + x * np.cos(angle) - y * np.sin(angle)
    ys = cy + x * np.sin(angle) + y * np.cos(angle)
    polygon = np.stack([xs, ys], axis=1).round().astype(np.int32)
    mask = np.zeros((size, size), dtype=np.float32)
    cv2.fillPoly(mask, [polygon], 1.0)
    sigma = size * rng.uniform(*softness)
    soft = np.asarray(cv2.GaussianBlur(mask, (0, 0), sigmaX=sigma), dtype=np.float32)
    peak = float(soft.max())
    return soft / peak if peak > 0 else soft


def face_mask(size: int, rng: np.random.Generator) -> Mask:
    """A soft, irregular ellipse over the inner face, values in 0..1."""
    centre = (rng.uniform(0.44, 0.56), rng.uniform(0.48, 0.62))
    axes = (rng.uniform(0.26, 0.42), rng.uniform(0.32, 0.48))
    return _soft_ellipse(size, centre, axes, rng)


def partial_mask(size: int, rng: np.random.Generator) -> Mask:
    """Part of a face: the mouth and jaw, the eyes, or a ring along the face's boundary."""
    kind = int(rng.integers(3))
    if kind == 0:
        centre = (rng.uniform(0.44, 0.56), rng.uniform(0.68, 0.78))
        return _soft_ellipse(size, centre, (rng.uniform(0.2, 0.3), rng.uniform(0.12, 0.2)), rng)
    if kind == 1:
        centre = (rng.uniform(0.45, 0.55), rng.uniform(0.36, 0.46))
        return _soft_ellipse(size, centre, (rng.uniform(0.3, 0.4), rng.uniform(0.08, 0.14)), rng)
    outer = face_mask(size, rng)
    inner = cv2.erode(
        outer, np.ones((3, 3), np.uint8), iterations=int(size * rng.uniform(0.04, 0.1))
    )
    return np.asarray(np.clip(outer - inner, 0.0, 1.0), dtype=np.float32)


def _shifted(image: Image, rng: np.random.Generator) -> Image:
    """A small scale and translation mismatch, as when a swapped face is warped back in place."""
    size = image.shape[0]
    scale = rng.uniform(0.96, 1.04)
    dx, dy = rng.uniform(-0.025, 0.025, size=2) * size
    matrix = cv2.getRotationMatrix2D((size / 2, size / 2), rng.uniform(-2, 2), scale)
    matrix[:, 2] += (dx, dy)
    return np.asarray(
        cv2.warpAffine(image, matrix, (size, size), borderMode=cv2.BORDER_REFLECT), dtype=np.uint8
    )


def _sharpen(image: Image, rng: np.random.Generator) -> Image:
    amount = rng.uniform(0.3, 1.0)
    blurred = cv2.GaussianBlur(image, (0, 0), sigmaX=1.0)
    return np.asarray(cv2.addWeighted(image, 1 + amount, blurred, -amount, 0))


def self_blend(image: Image, rng: np.random.Generator, partial: float = 0.0) -> Image:
    """Blend ``image`` with a transformed copy of itself inside a random face mask (part of the face
    with probability ``partial``; no random number is drawn for it when it is 0)."""
    source = image
    if rng.random() < 0.8:
        source = color_shift(source, rng)
    texture = rng.random()
    if texture < 0.35:
        source = gaussian_blur(source, rng)
    elif texture < 0.6:
        source = _sharpen(source, rng)
    elif texture < 0.8:
        source = down_up(source, (0.4, 0.8), rng)
    if rng.random() < 0.75:
        source = _shifted(source, rng)
    is_partial = partial > 0 and rng.random() < partial
    mask = (partial_mask if is_partial else face_mask)(image.shape[0], rng)
    mask *= float(rng.choice([0.25, 0.5, 0.75, 1.0, 1.0, 1.0]))
    blended = mask[..., None] * source.astype(np.float32) + (1 - mask[..., None]) * image
    return np.clip(blended, 0, 255).round().astype(np.uint8)
