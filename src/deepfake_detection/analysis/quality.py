"""How much a face crop can be judged: its sharpness, blockiness and colourfulness.

Sharpness is the variance of the Laplacian of the grey crop, at the classifier's input size: blur,
heavy compression and the up-scaling of a small face all lower it. The model card says below which
value (where its validation showed it unreliable) a face is not judged. Blockiness (compression)
and colourfulness (a greyscale or toned photo) are reported with each face, so that an answer can
say what kind of input it was.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt


def sharpness(crop: npt.NDArray[np.uint8]) -> float:
    grey = cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY)
    return float(cv2.Laplacian(grey, cv2.CV_32F).var())


def crop_sharpness(crops: npt.NDArray[np.uint8]) -> list[float]:
    """The sharpness of each of (N, S, S, 3) RGB crops."""
    return [sharpness(crop) for crop in crops]


def blockiness(region: npt.NDArray[np.uint8], origin: tuple[int, int] = (0, 0)) -> float:
    """How much stronger the steps across the 8 px block grid of JPEG and H.264 are than the steps
    elsewhere, on an (H, W, 3) region of a decoded image whose top-left pixel is at ``origin``
    (x, y) in that image (the grid starts at the image's corner). About 1 for an uncompressed or
    lightly compressed face; 1.5 and more where blocks show."""
    grey = cv2.cvtColor(region, cv2.COLOR_RGB2GRAY).astype(np.float32)
    ratios = []
    for axis, offset in ((1, origin[0]), (0, origin[1])):
        steps = np.abs(np.diff(grey, axis=axis)).mean(axis=1 - axis)
        if steps.size < 16:
            continue
        # Step k lies between pixels k and k + 1: on the grid when pixel k + 1 starts a block.
        on_grid = (np.arange(steps.size) + offset + 1) % 8 == 0
        inside = float(steps[~on_grid].mean())
        ratios.append(float(steps[on_grid].mean()) / max(inside, 1e-3))
    return float(np.mean(ratios)) if ratios else 1.0


def colourfulness(crop: npt.NDArray[np.uint8]) -> float:
    """Hasler and Suesstrunk's colourfulness of an RGB crop: 0 for a grey image, about 15-40 for a
    face in natural colour."""
    rgb = crop.astype(np.float32)
    rg = rgb[..., 0] - rgb[..., 1]
    yb = 0.5 * (rgb[..., 0] + rgb[..., 1]) - rgb[..., 2]
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))
