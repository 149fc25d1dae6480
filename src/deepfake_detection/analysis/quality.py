"""How much a face crop can be judged: its sharpness.

The variance of the Laplacian of the grey crop, at the classifier's input size: blur, heavy
compression and the up-scaling of a small face all lower it. The model card says below which value
(the range its validation did not cover) a face is not judged.
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
