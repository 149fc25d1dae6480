"""The interface every face detector implements."""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt

from deepfake_detection.faces import DetectedFace

RGBImage = npt.NDArray[np.uint8]
"""An image as an (H, W, 3) uint8 array in RGB order."""


class FaceDetector(Protocol):
    name: str

    def detect(self, image: RGBImage) -> list[DetectedFace]:
        """All faces in ``image``, boxes in its pixel coordinates, most confident first."""
        ...
