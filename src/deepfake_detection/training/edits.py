"""Everyday edits of a photo: what people, phones and platforms do to a real face without
manipulating it. A detector must not call any of them fake.

Training draws :data:`TRAINING_EDITS` at random strengths for reals and fakes alike. The
validation table applies every edit at one fixed strength, including :data:`HELD_OUT_EDITS`,
which training never draws, to measure edits the model has not seen.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
RandomEdit = Callable[[Image, np.random.Generator], Image]


def _u8(values: npt.NDArray[np.floating] | npt.NDArray[np.uint8]) -> Image:
    return np.asarray(np.clip(values, 0, 255).round(), dtype=np.uint8)


def blur(image: Image, sigma: float) -> Image:
    return np.asarray(cv2.GaussianBlur(image, (0, 0), sigmaX=sigma), dtype=np.uint8)


def greyscale(image: Image) -> Image:
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    return np.repeat(grey[..., None], 3, axis=2)


def brightness(image: Image, factor: float) -> Image:
    return _u8(image.astype(np.float32) * factor)


def contrast(image: Image, factor: float) -> Image:
    out = image.astype(np.float32)
    mean = out.mean()
    return _u8((out - mean) * factor + mean)


def gamma(image: Image, value: float) -> Image:
    table = 255.0 * (np.arange(256) / 255.0) ** value
    return np.asarray(table.round().astype(np.uint8)[image], dtype=np.uint8)


def sharpen(image: Image, amount: float, sigma: float = 1.0) -> Image:
    blurred = cv2.GaussianBlur(image, (0, 0), sigmaX=sigma)
    return np.asarray(cv2.addWeighted(image, 1 + amount, blurred, -amount, 0), dtype=np.uint8)


def smooth(image: Image, strength: float) -> Image:
    """Bilateral "beauty" smoothing: skin flattened, edges kept."""
    return np.asarray(
        cv2.bilateralFilter(image, d=9, sigmaColor=strength, sigmaSpace=strength / 10),
        dtype=np.uint8,
    )


def half_size(image: Image) -> Image:
    side = image.shape[0]
    small = cv2.resize(image, (side // 2, side // 2), interpolation=cv2.INTER_AREA)
    return np.asarray(cv2.resize(small, (side, side), interpolation=cv2.INTER_LINEAR))


# Held out of training: sepia toning, a vignette, a median filter, phone-style noise reduction.
def sepia(image: Image) -> Image:
    matrix = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]])
    return _u8(image.astype(np.float32) @ matrix.T.astype(np.float32))


def vignette(image: Image, strength: float = 0.6) -> Image:
    height, width = image.shape[:2]
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    r = np.hypot((xs - width / 2) / (width / 2), (ys - height / 2) / (height / 2)) / np.sqrt(2)
    return _u8(image.astype(np.float32) * (1 - strength * r**2)[..., None])


def median(image: Image, size: int = 5) -> Image:
    return np.asarray(cv2.medianBlur(image, size), dtype=np.uint8)


def denoise(image: Image) -> Image:
    """Non-local means, the noise reduction of phone cameras' night and portrait modes."""
    return np.asarray(cv2.fastNlMeansDenoisingColored(image, None, 7, 7, 5, 15), dtype=np.uint8)


# name -> the edit at the validation table's fixed strength.
VALIDATION_EDITS: dict[str, Callable[[Image], Image]] = {
    "blur_r2": lambda i: blur(i, 2.0),
    "greyscale": greyscale,
    "brightness_1.4": lambda i: brightness(i, 1.4),
    "contrast_0.6": lambda i: contrast(i, 0.6),
    "gamma_1.6": lambda i: gamma(i, 1.6),
    "sharpen": lambda i: sharpen(i, 1.0),
    "smooth": lambda i: smooth(i, 60.0),
    "half_size": half_size,
}
HELD_OUT_EDITS: dict[str, Callable[[Image], Image]] = {
    "sepia": sepia,
    "vignette": vignette,
    "median_5": median,
    "denoise": denoise,
}

# The training draws: each edit of VALIDATION_EDITS over a range around (and past) its strength.
TRAINING_EDITS: dict[str, RandomEdit] = {
    "blur": lambda i, rng: blur(i, rng.uniform(0.5, 3.0)),
    "greyscale": lambda i, rng: greyscale(i),
    "brightness": lambda i, rng: brightness(i, rng.uniform(0.55, 1.6)),
    "contrast": lambda i, rng: contrast(i, rng.uniform(0.5, 1.6)),
    "gamma": lambda i, rng: gamma(i, rng.uniform(0.5, 2.0)),
    "sharpen": lambda i, rng: sharpen(i, rng.uniform(0.3, 2.0), rng.uniform(0.7, 2.0)),
    "smooth": lambda i, rng: smooth(i, rng.uniform(20.0, 90.0)),
}


def random_edit(image: Image, rng: np.random.Generator) -> Image:
    names = sorted(TRAINING_EDITS)
    return TRAINING_EDITS[names[int(rng.integers(len(names)))]](image, rng)
