"""The ``none`` detector: the whole image is one face (the original's ``face_detection=0``)."""

from __future__ import annotations

from deepfake_detection.detectors.registry import register_detector
from deepfake_detection.shared.faces import Box, DetectedFace
from deepfake_detection.shared.images import RGBImage


@register_detector("none")
class WholeImageDetector:
    name = "none"

    def detect(self, image: RGBImage) -> list[DetectedFace]:
        height, width = image.shape[:2]
        if height == 0 or width == 0:
            return []
        return [DetectedFace(Box(0.0, 0.0, float(width), float(height)), confidence=1.0)]
