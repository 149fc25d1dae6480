"""The interface every face detector implements."""

from __future__ import annotations

from typing import Protocol

from deepfake_detection.shared.faces import DetectedFace
from deepfake_detection.shared.images import RGBImage


class FaceDetector(Protocol):
    name: str

    def detect(self, image: RGBImage) -> list[DetectedFace]:
        """All faces in ``image``, boxes in its pixel coordinates, most confident first."""
        ...
